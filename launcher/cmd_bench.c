/* cmd_bench.c: `unikit bench`: finds the benchmark driver (tests/bench/bench.sh beside this build) and runs it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unikit/boot_abi.h>

#include "error.h"
#include "verbs.h"

void cmd_bench_usage(FILE *out)
{
    fprintf(out,
            "Usage: unikit bench [--quick] [--only NAME,...] [--out DIR]\n"
            "\n"
            "Runs the same apps (hello, httpd, kvstore) through every path this machine\n"
            "offers, interleaved, and writes a report into DIR (default bench-DATE/):\n"
            "report.md, the raw samples as CSV, plots as SVG. Paths: vm (unikit's VMM),\n"
            "qemu (QEMU microvm), container (--runtime container), crun (an OCI bundle\n"
            "unikit generates); one that cannot run here is skipped with the reason.\n"
            "\n"
            "Measurements (--only takes a comma-separated list of them):\n"
            "  start       hello exec to exit, httpd exec to the first HTTP 200, VM splits\n"
            "  size        unikernel image, container root filesystem, Linux binary\n"
            "  surface     host system calls allowed, VM exits handled, privileged code\n"
            "              lines, host kernel functions entered (ftrace, where available)\n"
            "  memory      per idle httpd instance (MemAvailable, RSS/PSS, cgroup); the\n"
            "              smallest -m that boots and serves\n"
            "  throughput  wrk against httpd, redis-benchmark against kvstore, CPU/request\n"
            "  density     httpd instances until a memory budget or a count\n"
            "\n"
            "Options:\n"
            "  --quick        fewer rounds and instances (under 10 minutes)\n"
            "  --only LIST    only these measurements\n"
            "  --out DIR      where the report goes\n"
            "  -h, --help     show this help\n"
            "\n"
            "Needs root: everything runs in a network namespace the bench makes, with its\n"
            "own bridge, and is removed at the end. UNIKIT_BENCH_DIR names the folder of\n"
            "bench.sh when this build is not inside a unikit checkout.\n");
}

/* The running executable into (exe) and its folder into (dir), both PATH_MAX long. */
static int self_path(char *exe, char *dir)
{
    ssize_t n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    memcpy(dir, exe, (size_t)n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    char self[PATH_MAX], exe[PATH_MAX], script[PATH_MAX];

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cmd_bench_usage(stdout);
            return 0;
        }
    if (self_path(exe, self) < 0) {
        uk_warn("bench: cannot tell where this unikit is: %s", strerror(errno));
        return UK_EXIT_LAUNCHER;
    }
    /* build/unikit in a checkout: the driver is ../tests/bench/bench.sh. */
    const char *dir = getenv("UNIKIT_BENCH_DIR");
    if (dir && *dir)
        snprintf(script, sizeof script, "%s/bench.sh", dir);
    else if ((size_t)snprintf(script, sizeof script, "%s/../tests/bench/bench.sh", self) >= sizeof script)
        script[0] = '\0';
    if (script[0] == '\0' || access(script, R_OK) < 0) {
        uk_warn("bench: %s not found (set UNIKIT_BENCH_DIR to the folder of bench.sh)", script);
        return UK_EXIT_LAUNCHER;
    }

    char **args = calloc((size_t)argc + 4, sizeof(char *));
    if (!args) {
        uk_warn("bench: out of memory");
        return UK_EXIT_LAUNCHER;
    }
    int n = 0;
    args[n++] = "bash";
    args[n++] = script;
    args[n++] = "--unikit";
    args[n++] = exe;
    for (int i = 1; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    execvp("bash", args);
    uk_warn("bench: exec bash %s: %s", script, strerror(errno));
    free(args);
    return UK_EXIT_LAUNCHER;
}
