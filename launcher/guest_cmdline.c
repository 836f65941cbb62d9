/* guest_cmdline.c: the launcher's half of the boot ABI command line (the kernel decodes it). */
#include "guest_cmdline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unikit/boot_abi.h>

/* Kernel options we pass: tsc_khz=, wallclock=, platform=. */
#define MAX_KOPTS 3
#define KOPT_LEN 48

static bool byte_is_plain(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '%';
}

/* Stores (c) at out[*n] if it fits with a NUL after it; counts it either way. */
static void put(char c, char *out, size_t cap, size_t *n)
{
    if (*n + 1 < cap)
        out[*n] = c;
    (*n)++;
}

static void put_escaped(unsigned char c, char *out, size_t cap, size_t *n)
{
    static const char hex[] = "0123456789ABCDEF";

    put('%', out, cap, n);
    put(hex[c >> 4], out, cap, n);
    put(hex[c & 0xf], out, cap, n);
}

size_t guest_cmdline_encode_token(const char *token, char *out, size_t cap)
{
    size_t n = 0;

    if (token[0] == '\0') {
        put_escaped(0, out, cap, &n); /* "%00": the empty token */
    } else if (strcmp(token, UK_CMDLINE_SEP) == 0) {
        put_escaped('-', out, cap, &n); /* "%2D%2D": a "--" that is not a separator */
        put_escaped('-', out, cap, &n);
    } else {
        for (const unsigned char *p = (const unsigned char *)token; *p; p++) {
            if (byte_is_plain(*p))
                put((char)*p, out, cap, &n);
            else
                put_escaped(*p, out, cap, &n);
        }
    }
    if (cap > 0)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* Appends the (n) tokens, each preceded by a space unless at the start. */
static size_t put_tokens(const char *const *tokens, int n, char *out, size_t cap, size_t len)
{
    for (int i = 0; i < n; i++) {
        if (len > 0)
            put(' ', out, cap, &len);
        len += guest_cmdline_encode_token(tokens[i], len < cap ? out + len : NULL,
                                          len < cap ? cap - len : 0);
    }
    return len;
}

/* Appends a raw section separator: the one "--" that is not percent-encoded. */
static size_t put_separator(char *out, size_t cap, size_t len)
{
    if (len > 0)
        put(' ', out, cap, &len);
    for (const char *p = UK_CMDLINE_SEP; *p; p++)
        put(*p, out, cap, &len);
    return len;
}

int guest_cmdline_encode(const struct guest_cmdline *in, char *out, size_t cap,
                         struct uk_error *err)
{
    size_t len = 0;

    if (cap == 0)
        return uk_error_set(err, 0, "command line: no room at all");
    len = put_tokens(in->kopts, in->nkopts, out, cap, len);
    len = put_separator(out, cap, len);
    len = put_tokens(in->env, in->nenv, out, cap, len);
    len = put_separator(out, cap, len);
    len = put_tokens(in->argv, in->argc, out, cap, len);
    if (len + 1 > cap)
        return uk_error_set(err, 0, "command line: %zu bytes once encoded; the limit is %zu",
                            len, cap - 1);
    out[len] = '\0';
    return 0;
}

void guest_cmdline_app_name(const char *image_path, char *out, size_t cap)
{
    static const char *const suffixes[] = {".elf", ".efi", ".img"}; /* PVH, UEFI app, disk */
    const char *base = strrchr(image_path, '/');
    size_t n;

    base = base ? base + 1 : image_path;
    n = strlen(base);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (n > 4 && strcmp(base + n - 4, suffixes[i]) == 0) {
            n -= 4;
            break;
        }
    }
    if (n == 0) {
        base = "app";
        n = 3;
    }
    snprintf(out, cap, "%.*s", (int)n, base);
}

int guest_cmdline_build(const struct run_config *cfg, const char *platform,
                        const char *const *extra_kopts, int nextra, char *out, size_t cap,
                        struct uk_error *err)
{
    char kopt_text[MAX_KOPTS][KOPT_LEN];
    const char **kopts, **argv;
    char app[256];
    struct guest_cmdline in;
    int nk = 0, ret;

    if (cfg->tsc_khz != 0)
        snprintf(kopt_text[nk++], KOPT_LEN, "tsc_khz=%" PRIu64, cfg->tsc_khz);
    snprintf(kopt_text[nk++], KOPT_LEN, "wallclock=%" PRIu64, cfg->wallclock_ns);
    snprintf(kopt_text[nk++], KOPT_LEN, "platform=%s", platform);
    kopts = malloc(sizeof(*kopts) * ((size_t)nk + (size_t)(nextra > 0 ? nextra : 0)));
    argv = malloc(sizeof(*argv) * ((size_t)cfg->nargs + 1));
    if (kopts == NULL || argv == NULL) {
        free(kopts);
        free(argv);
        return uk_error_set(err, errno, "command line: cannot allocate its sections");
    }
    for (int i = 0; i < nk; i++)
        kopts[i] = kopt_text[i];
    for (int i = 0; i < nextra; i++)
        kopts[nk++] = extra_kopts[i];
    guest_cmdline_app_name(cfg->image, app, sizeof(app));
    argv[0] = app;
    for (int i = 0; i < cfg->nargs; i++)
        argv[i + 1] = cfg->argv[i];

    in = (struct guest_cmdline){
        .kopts = kopts, .nkopts = nk,
        .env = cfg->env, .nenv = cfg->nenv,
        .argv = argv, .argc = cfg->nargs + 1,
    };
    if (cap > UK_CMDLINE_MAX)
        cap = UK_CMDLINE_MAX;
    ret = guest_cmdline_encode(&in, out, cap, err);
    free(kopts);
    free(argv);
    return ret;
}
