/* cmdline.c: split and percent-decode the boot command line into options, environment and argv. */
#include "cmdline.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes token (t) in place; returns false on a malformed escape. */
static bool decode_token(char *t)
{
    char *out = t;
    for (char *in = t; *in; in++) {
        if (*in != '%') {
            *out++ = *in;
            continue;
        }
        int hi = hex_value(in[1]);
        int lo = hi < 0 ? -1 : hex_value(in[2]);
        if (lo < 0)
            return false;
        *out++ = (char)(hi << 4 | lo);
        in += 2;
    }
    *out = '\0';
    return true;
}

static bool str_equal(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int cmdline_parse(char *buf, struct cmdline *out, const char **why)
{
    static char default_argv0[] = "app";
    int section = 0, nslot = 0;
    int count[3] = {0, 0, 0};
    int start[3] = {0, 0, 0};

    /* Raw tokens first, so that a separator is seen before any decoding. */
    char *p = buf;
    while (*p) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        char *tok = p;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = '\0';
        if (str_equal(tok, "--") && section < 2) {
            out->slots[nslot++] = NULL; /* terminates the previous section */
            section++;
            start[section] = nslot;
            continue;
        }
        if (nslot >= CMDLINE_MAX_TOKENS) {
            *why = "more than 4096 tokens";
            return -1;
        }
        if (!decode_token(tok)) {
            *why = "malformed %-escape";
            return -1;
        }
        out->slots[nslot++] = tok;
        count[section]++;
    }
    /* Close the open section and add empty ones for any that are missing. */
    out->slots[nslot++] = NULL;
    while (section < 2) {
        section++;
        start[section] = nslot;
        out->slots[nslot++] = NULL;
    }
    out->kopt = &out->slots[start[0]];
    out->env = &out->slots[start[1]];
    out->argv = &out->slots[start[2]];
    out->nkopt = count[0];
    out->nenv = count[1];
    out->nargs = count[2];
    if (out->nargs == 0) {
        out->argv[0] = default_argv0;
        out->argv[1] = NULL; /* the slot after argv's NULL is spare: see slots[] */
        out->nargs = 1;
    }
    return 0;
}

const char *cmdline_kopt(const struct cmdline *cl, const char *key, int nth)
{
    for (int i = 0; i < cl->nkopt; i++) {
        const char *k = key, *o = cl->kopt[i];
        while (*k && *k == *o) {
            k++;
            o++;
        }
        if (*k == '\0' && *o == '=' && nth-- == 0)
            return o + 1;
    }
    return NULL;
}
