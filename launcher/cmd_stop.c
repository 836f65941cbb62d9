/* cmd_stop.c: `unikit stop`: a termination notice first (SIGTERM to the VMM, QEMU or init), SIGKILL after the timeout. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "verb_common.h"
#include "verbs.h"

void cmd_stop_usage(FILE *out)
{
    fprintf(out,
            "Usage: unikit stop [-t SECS] NAME...\n"
            "\n"
            "Stops each instance gracefully, then by force: SIGTERM to its process — a\n"
            "container's app gets it; under unikit's VMM a guest that accepts stop notices\n"
            "gets one through the wait hypercall (boot_abi.h) and ends in its own time,\n"
            "while one that does not is ended at once (143); QEMU ends at once — and\n"
            "after SECS (default 10) SIGKILL to everything in its cgroup. Prints each name.\n"
            "Exits 1 when an instance does not exist.\n");
}

static void mark_stop(struct instance *inst, void *ctx)
{
    (void)ctx;
    inst->stop_requested = true;
}

/* Stops (name) within (timeout_ms); returns the verb's status for it. */
static int stop_one(const char *name, long timeout_ms)
{
    struct instance inst;
    struct uk_error err;
    int rc = verb_load("stop", name, &inst);

    if (rc != 0)
        return rc;
    if (instance_is_active(&inst)) {
        state_update(name, mark_stop, NULL, &err);
        pid_t target = instance_signal_target(&inst);
        if (target > 0)
            kill(target, SIGTERM);
        if (!verb_wait_inactive(name, timeout_ms)) {
            if (inst.pid > 0 && proc_alive(inst.pid, inst.pid_start))
                kill(inst.pid, SIGKILL);
            cgroup_signal_all(&inst.cgroup, SIGKILL);
            if (!verb_wait_inactive(name, 5000)) {
                uk_warn("stop: %s: still running 5 s after SIGKILL", name);
                return VERB_EXIT_LAUNCHER;
            }
        }
    }
    printf("%s\n", name);
    return 0;
}

int cmd_stop(int argc, char **argv)
{
    long timeout_ms = 10000;
    int i = 1, status = 0;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (verb_is_help(argv[i])) {
            cmd_stop_usage(stdout);
            return 0;
        }
        char *end;
        if ((strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "--time") == 0) && i + 1 < argc) {
            double s = strtod(argv[++i], &end);
            if (*end != '\0' || end == argv[i] || s < 0 || s > 86400) {
                uk_warn("stop: -t `%s`: expected seconds, 0 to 86400", argv[i]);
                return VERB_EXIT_LAUNCHER;
            }
            timeout_ms = (long)(s * 1000);
        } else {
            uk_warn("stop: unknown option `%s` (see `unikit stop --help`)", argv[i]);
            return VERB_EXIT_LAUNCHER;
        }
    }
    if (i == argc) {
        cmd_stop_usage(stderr);
        return VERB_EXIT_LAUNCHER;
    }
    for (; i < argc; i++) {
        int rc = stop_one(argv[i], timeout_ms);
        if (rc != 0)
            status = rc;
    }
    fflush(stdout);
    return status;
}
