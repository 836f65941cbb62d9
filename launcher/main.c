/* main.c: `unikit` entry point: global flags, then dispatch to a verb from the table. */
#include <stdio.h>
#include <string.h>

#include <unikit/boot_abi.h>

#include "error.h"
#include "verbs.h"

/* Add a verb here (and its cmd_<verb>.c) to make it available. */
const struct verb unikit_verbs[] = {
    {"run", "boot an image as a new instance and wait for it", cmd_run, cmd_run_usage},
    {"ps", "list instances", cmd_ps, cmd_ps_usage},
    {"stop", "stop instances: a termination notice, then SIGKILL", cmd_stop, cmd_stop_usage},
    {"kill", "send a signal to instances", cmd_kill, cmd_kill_usage},
    {"rm", "remove instances and everything they left", cmd_rm, cmd_rm_usage},
    {"logs", "print a detached instance's console", cmd_logs, cmd_logs_usage},
    {"stats", "memory, CPU, pids and network use of instances", cmd_stats, cmd_stats_usage},
    {"inspect", "everything recorded about an instance, as JSON", cmd_inspect, cmd_inspect_usage},
    {"bench", "measure unikernels against containers on this machine", cmd_bench, cmd_bench_usage},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: unikit [--help | --version] VERB [ARGS...]\n"
            "\n"
            "Runs app-specific unikernel images (PVH ELF, x86_64) like containers.\n"
            "\n"
            "Verbs:\n");
    for (const struct verb *v = unikit_verbs; v->name; v++)
        fprintf(out, "  %-10s %s\n", v->name, v->summary);
    fprintf(out, "\n`unikit VERB --help` describes one verb.\n");
}

static const struct verb *find_verb(const char *name)
{
    for (const struct verb *v = unikit_verbs; v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

int main(int argc, char **argv)
{
    const struct verb *v;

    if (argc < 2) {
        usage(stderr);
        return UK_EXIT_LAUNCHER;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("unikit %s (boot ABI %d)\n", UNIKIT_VERSION, UK_ABI_VERSION);
        return 0;
    }
    v = find_verb(argv[1]);
    if (v == NULL) {
        uk_warn("`%s` is not a verb (see `unikit --help`)", argv[1]);
        return UK_EXIT_LAUNCHER;
    }
    return v->main(argc - 1, argv + 1);
}
