/* test_cmdline.c: the guest command line: launcher encoder, and a round trip through the kernel's decoder. */
#include <stdlib.h>
#include <string.h>

#include <unikit/boot_abi.h>

#include "check.h"
#include "guest_cmdline.h"
#include "../../kernel/cmdline.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void encodes_token(const char *token, const char *want)
{
    char out[64], name[96];
    size_t n = guest_cmdline_encode_token(token, out, sizeof(out));

    snprintf(name, sizeof(name), "cmdline token \"%s\"", token);
    check(strcmp(out, want) == 0 && n == strlen(want), name, "got \"%s\" (%zu), expected \"%s\"",
          out, n, want);
}

static bool same_list(char **got, int ngot, const char *const *want, int nwant, char *why,
                      size_t whylen)
{
    if (ngot != nwant) {
        snprintf(why, whylen, "%d entries, expected %d", ngot, nwant);
        return false;
    }
    for (int i = 0; i < nwant; i++) {
        if (strcmp(got[i], want[i]) != 0) {
            snprintf(why, whylen, "entry %d is \"%s\", expected \"%s\"", i, got[i], want[i]);
            return false;
        }
    }
    if (got[ngot] != NULL) {
        snprintf(why, whylen, "no NULL after the last entry");
        return false;
    }
    return true;
}

/* Encodes the three sections, decodes them with the kernel's parser, compares: one PASS/FAIL. */
static void round_trip(const char *name, const struct guest_cmdline *in)
{
    static char buf[UK_CMDLINE_MAX];
    static struct cmdline cl;
    struct uk_error err = {0};
    const char *kwhy = "";
    char why[UK_ERROR_MSG_MAX + 64] = "";
    char full[128];
    bool ok = false;

    snprintf(full, sizeof(full), "cmdline round trip: %s", name);
    if (guest_cmdline_encode(in, buf, sizeof(buf), &err) < 0)
        snprintf(why, sizeof(why), "encode: %s", err.msg);
    else if (strpbrk(buf, "\t\n\r") != NULL)
        snprintf(why, sizeof(why), "the encoded line has a raw control byte");
    else if (cmdline_parse(buf, &cl, &kwhy) < 0)
        snprintf(why, sizeof(why), "the kernel's decoder refused it: %s", kwhy);
    else
        ok = same_list(cl.kopt, cl.nkopt, in->kopts, in->nkopts, why, sizeof(why)) &&
             same_list(cl.env, cl.nenv, in->env, in->nenv, why, sizeof(why)) &&
             same_list(cl.argv, cl.nargs, in->argv, in->argc, why, sizeof(why));
    check(ok, full, "%s", why);
}

static void round_trips(void)
{
    static const char *const kopts[] = {"tsc_khz=2300000", "wallclock=1700000000000000000",
                                        "platform=qemu"};
    static const char *const env[] = {"GREETING=hi there", "EMPTY=", "PCT=100%", "EQ=a=b",
                                      "NL=line1\nline2", "SEP=--"};
    static const char *const nasty[] = {"app", "", "--", "-- ", " --", "%", "%00", "%2D%2D",
                                        "two words", "  ", "tab\there", "new\nline", "\r\n",
                                        "caf\xc3\xa9", "\xe2\x82\xac \xf0\x9f\x98\x80",
                                        "\x7f\x01\x1f", "\xff", "quote\"s'", "a,b=c", "-e",
                                        "--vmm", "-"};
    static const char *const only_app[] = {"hello"};

    round_trip("kernel options, environment and nasty argv",
               &(struct guest_cmdline){kopts, N(kopts), env, N(env), nasty, N(nasty)});
    round_trip("no kernel options", &(struct guest_cmdline){NULL, 0, env, N(env), nasty, N(nasty)});
    round_trip("no environment", &(struct guest_cmdline){kopts, N(kopts), NULL, 0, only_app, 1});
    round_trip("everything empty but argv[0]",
               &(struct guest_cmdline){NULL, 0, NULL, 0, only_app, 1});
    round_trip("an empty argv[0]",
               &(struct guest_cmdline){NULL, 0, NULL, 0, (const char *const[]){""}, 1});
}

/* Every byte 0x01..0xff as its own argument survives. */
static void all_bytes(void)
{
    static char storage[255][2];
    static const char *argv[256];

    argv[0] = "bytes";
    for (int i = 1; i < 256; i++) {
        storage[i - 1][0] = (char)i;
        storage[i - 1][1] = '\0';
        argv[i] = storage[i - 1];
    }
    round_trip("every byte value", &(struct guest_cmdline){NULL, 0, NULL, 0, argv, 256});
}

static void too_long(void)
{
    static char big[UK_CMDLINE_MAX];
    static char out[UK_CMDLINE_MAX];
    const char *argv[] = {"app", big};
    struct uk_error err = {0};
    int ret;

    memset(big, ' ', sizeof(big) - 1); /* each space becomes three bytes */
    ret = guest_cmdline_encode(&(struct guest_cmdline){NULL, 0, NULL, 0, argv, 2}, out,
                               sizeof(out), &err);
    check(ret < 0 && strstr(err.msg, "limit") != NULL, "cmdline refuses a line over the limit",
          "got %d, \"%s\"", ret, err.msg);
}

static void builds_from_config(void)
{
    static char out[UK_CMDLINE_MAX];
    const char *args[] = {"42", "two words"};
    const char *env[] = {"A=1"};
    const char *extra[] = {"virtio_mmio.device=512@0xd0000000:5"};
    struct run_config cfg = {.image = "build/apps/hello.elf", .argv = args, .nargs = 2,
                             .env = env, .nenv = 1, .tsc_khz = 2300000,
                             .wallclock_ns = 1700000000123456789ull};
    struct uk_error err = {0};
    const char *want = "tsc_khz=2300000 wallclock=1700000000123456789 platform=qemu -- A=1 -- "
                       "hello 42 two%20words";
    const char *want_extra = "wallclock=1700000000123456789 platform=ukvm "
                             "virtio_mmio.device=512@0xd0000000:5 -- A=1 -- hello 42 two%20words";
    int ret = guest_cmdline_build(&cfg, "qemu", NULL, 0, out, sizeof(out), &err);

    check(ret == 0 && strcmp(out, want) == 0, "cmdline built from a run_config",
          "got \"%s\" (%s)", out, err.msg);
    cfg.tsc_khz = 0;
    ret = guest_cmdline_build(&cfg, "ukvm", extra, 1, out, sizeof(out), &err);
    check(ret == 0 && strcmp(out, want_extra) == 0,
          "cmdline with extra kernel options and no tsc_khz", "got \"%s\" (%s)", out, err.msg);
}

static void app_names(void)
{
    static const char *const rows[][2] = {
        {"build/apps/hello.elf", "hello"}, {"hello.elf", "hello"}, {"/x/y/redis", "redis"},
        {"a.elf.elf", "a.elf"}, {".elf", ".elf"}, {"dir/", "app"},
        {"build/apps/hello.efi", "hello"}, {"/d/httpd.img", "httpd"}, {"a.img.efi", "a.img"},
        {".efi", ".efi"}, {"x.EFI", "x.EFI"}, {"disk.img2", "disk.img2"},
    };
    for (int i = 0; i < N(rows); i++) {
        char got[64], name[96];
        guest_cmdline_app_name(rows[i][0], got, sizeof(got));
        snprintf(name, sizeof(name), "cmdline app name of \"%s\"", rows[i][0]);
        check(strcmp(got, rows[i][1]) == 0, name, "got \"%s\", expected \"%s\"", got,
              rows[i][1]);
    }
}

int main(void)
{
    encodes_token("plain", "plain");
    encodes_token("", "%00");
    encodes_token("--", "%2D%2D");
    encodes_token("---", "---");
    encodes_token("-", "-");
    encodes_token("a b", "a%20b");
    encodes_token("100%", "100%25");
    encodes_token("x\ny", "x%0Ay");
    encodes_token("caf\xc3\xa9", "caf%C3%A9");
    encodes_token("~!\x7f", "~!%7F");
    round_trips();
    all_bytes();
    too_long();
    builds_from_config();
    app_names();
    return check_status();
}
