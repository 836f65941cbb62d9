/* test_run_options.c: unit tests of launcher/run_options.c (`unikit run` flags) and accel.c's cpuinfo check. */
#include <string.h>

#include "accel.h"
#include "check.h"
#include "run_options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Parses (argv) expecting success; returns the result for further checks. */
static bool parses(const char *name, int argc, char **argv, struct run_config *cfg)
{
    struct uk_error err = {0};
    enum run_parse_result r = run_options_parse(argc, argv, cfg, &err);

    return check(r == RUN_PARSE_OK, name, "result %d: %s", r, err.msg);
}

static void refuses(const char *name, int argc, char **argv, const char *why_part)
{
    struct uk_error err = {0};
    struct run_config cfg;
    enum run_parse_result r = run_options_parse(argc, argv, &cfg, &err);

    check(r == RUN_PARSE_ERROR && strstr(err.msg, why_part) != NULL, name,
          "result %d, \"%s\"; expected an error with \"%s\"", r, err.msg, why_part);
    run_options_free(&cfg);
}

static void defaults(void)
{
    char *argv[] = {"run", "img.elf"};
    struct run_config cfg;

    if (parses("run defaults", ARGC(argv), argv, &cfg))
        check(cfg.vmm == RUN_DEFAULT_VMM && cfg.accel == ACCEL_AUTO &&
                  cfg.mem_bytes == RUN_DEFAULT_MEM && cfg.console_path == NULL && !cfg.stats &&
                  cfg.nenv == 0 && cfg.nargs == 0 && cfg.ndisks == 0 &&
                  strcmp(cfg.image, "img.elf") == 0,
              "run defaults are qemu-or-kvm, auto, 32M, stdout", "vmm %d accel %d mem %llu",
              cfg.vmm, cfg.accel, (unsigned long long)cfg.mem_bytes);
    run_options_free(&cfg);
}

static void every_flag(void)
{
    char *argv[] = {"run", "--vmm", "kvm", "--accel=tcg", "-m", "64M", "-e", "A=1",
                    "--env=B=two words", "--console", "out.log", "--stats", "--disk", "a.img",
                    "--disk", "b.img:ro", "img.elf", "x", "-m", "--help", "--", ""};
    struct run_config cfg;

    if (parses("run with every flag", ARGC(argv), argv, &cfg)) {
        check(cfg.vmm == VMM_KVM && cfg.accel == ACCEL_TCG && cfg.mem_bytes == (64u << 20) &&
                  cfg.stats && strcmp(cfg.console_path, "out.log") == 0,
              "run flags land in run_config", "vmm %d accel %d", cfg.vmm, cfg.accel);
        check(cfg.nenv == 2 && strcmp(cfg.env[0], "A=1") == 0 &&
                  strcmp(cfg.env[1], "B=two words") == 0,
              "run -e and --env= keep their order", "nenv %d", cfg.nenv);
        check(cfg.ndisks == 2 && strcmp(cfg.disks[0].path, "a.img") == 0 && !cfg.disks[0].ro &&
                  strcmp(cfg.disks[1].path, "b.img") == 0 && cfg.disks[1].ro,
              "run --disk PATH and PATH:ro", "ndisks %d", cfg.ndisks);
        check(strcmp(cfg.image, "img.elf") == 0 && cfg.nargs == 5 &&
                  strcmp(cfg.argv[0], "x") == 0 && strcmp(cfg.argv[1], "-m") == 0 &&
                  strcmp(cfg.argv[2], "--help") == 0 && strcmp(cfg.argv[3], "--") == 0 &&
                  strcmp(cfg.argv[4], "") == 0,
              "run options stop at IMAGE; ARGS that look like flags go to the guest",
              "image %s nargs %d", cfg.image, cfg.nargs);
    }
    run_options_free(&cfg);
}

static void double_dash(void)
{
    char *argv[] = {"run", "-m", "8M", "--", "-weird-name.elf", "--stats"};
    struct run_config cfg;

    if (parses("run -- before IMAGE", ARGC(argv), argv, &cfg))
        check(strcmp(cfg.image, "-weird-name.elf") == 0 && cfg.nargs == 1 && !cfg.stats,
              "run -- lets IMAGE start with a dash", "image %s", cfg.image);
    run_options_free(&cfg);
}

static void help(void)
{
    char *argv[] = {"run", "-m", "8M", "--help", "img.elf"};
    struct uk_error err = {0};
    struct run_config cfg;

    check(run_options_parse(ARGC(argv), argv, &cfg, &err) == RUN_PARSE_HELP, "run --help",
          "not recognised");
    run_options_free(&cfg);
}

static void bad_flags(void)
{
#define REFUSES(name, why, ...)                                                                    \
    do {                                                                                           \
        char *argv[] = {"run", __VA_ARGS__};                                                       \
        refuses(name, ARGC(argv), argv, why);                                                      \
    } while (0)
    REFUSES("run without IMAGE", "no IMAGE given", "-m", "8M");
    REFUSES("run -m 0", "between 4M and 3G", "-m", "0", "i");
    REFUSES("run -m 10T", "between 4M and 3G", "-m", "10T", "i");
    REFUSES("run -m 4095K", "between 4M and 3G", "-m", "4095K", "i");
    REFUSES("run -m 3G+4K", "between 4M and 3G", "-m", "3145732K", "i");
    REFUSES("run -m abc", "is not a size", "-m", "abc", "i");
    REFUSES("run -m 4097K", "multiple of 4K", "-m", "4097K", "i");
    REFUSES("run -m at the end", "needs a value", "-m");
    REFUSES("run --stats=1", "takes no value", "--stats=1", "i");
    REFUSES("run unknown option", "unknown option `--frob`", "--frob", "i");
    REFUSES("run unknown short option", "unknown option `-x`", "-x", "i");
    REFUSES("run --vmm bogus", "expected kvm or qemu", "--vmm", "xen", "i");
    REFUSES("run --accel bogus", "expected kvm, tcg or auto", "--accel", "hvf", "i");
    REFUSES("run -e without =", "expected KEY=VALUE", "-e", "FOO", "i");
    REFUSES("run -e with an empty key", "expected KEY=VALUE", "-e", "=x", "i");
    REFUSES("run --console with an empty name", "needs a file name", "--console=", "i");
    REFUSES("run --disk :ro", "needs a file name", "--disk", ":ro", "i");
    REFUSES("run with 9 disks", "at most 8 disks", "--disk", "a", "--disk", "a", "--disk", "a",
            "--disk", "a", "--disk", "a", "--disk", "a", "--disk", "a", "--disk", "a",
            "--disk", "a", "i");
#undef REFUSES
}

static void memory_fit(void)
{
    struct run_config cfg = {.image = "big.elf", .mem_bytes = 4u << 20};
    struct uk_error err = {0};

    cfg.image_info.mem_highest = 3u << 20;
    check(run_options_check_memory(&cfg, &err) == 0, "run memory: 3M of image fits in 4M",
          "%s", err.msg);
    cfg.image_info.mem_highest = (3u << 20) + 1;
    check(run_options_check_memory(&cfg, &err) < 0 &&
              strstr(err.msg, "big.elf: needs at least 5M") == err.msg &&
              strstr(err.msg, "-m gives 4M") != NULL,
          "run memory: an image too large for -m is refused by name", "\"%s\"", err.msg);
}

static void cpuinfo(void)
{
    check(accel_cpuinfo_has_hw_virt("processor\t: 0\nflags\t\t: fpu vme vmx sse\n"),
          "accel sees vmx", "no");
    check(accel_cpuinfo_has_hw_virt("flags\t\t: fpu svm\nbugs\t\t: x\n"), "accel sees svm",
          "no");
    check(!accel_cpuinfo_has_hw_virt("flags\t\t: fpu vmxx svm_lock hypervisor\n"),
          "accel ignores vmxx and svm_lock", "matched a word that is not vmx/svm");
    check(!accel_cpuinfo_has_hw_virt("model name\t: vmx svm\nflags\t\t: fpu\n"),
          "accel only reads flags lines", "matched the model name");
    check(!accel_cpuinfo_has_hw_virt(""), "accel: empty cpuinfo", "matched");
}

int main(void)
{
    defaults();
    every_flag();
    double_dash();
    help();
    bad_flags();
    memory_fit();
    cpuinfo();
    return check_status();
}
