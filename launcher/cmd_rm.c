/* cmd_rm.c: `unikit rm`: removes every trace of an instance — processes (-f), cgroup, network, state. */
#include <signal.h>
#include <string.h>

#include "verb_common.h"
#include "verbs.h"

void cmd_rm_usage(FILE *out)
{
    fprintf(out, "Usage: unikit rm [-f] NAME...\n"
                 "\n"
                 "Removes each exited instance: its cgroup, its network (tap or veth, address\n"
                 "lease), its overlay, its state and console log. With -f a running instance is\n"
                 "killed first (SIGKILL). Exits 1 when an instance does not exist or is running.\n");
}

static int rm_one(const char *name, bool force)
{
    struct instance inst;
    struct uk_error err = {0};
    int rc = verb_load("rm", name, &inst);

    if (rc != 0)
        return rc;
    if (instance_is_active(&inst)) {
        if (!force) {
            uk_warn("rm: %s is running (stop it first, or use rm -f)", name);
            return VERB_EXIT_NO_SUCH;
        }
        if (inst.pid > 0 && proc_alive(inst.pid, inst.pid_start))
            kill(inst.pid, SIGKILL);
        cgroup_signal_all(&inst.cgroup, SIGKILL);
        /* Give the supervisor the moment it needs to record the end and remove the cgroup. */
        if (!verb_wait_inactive(name, 5000) && proc_alive(inst.supervisor_pid, inst.supervisor_start))
            kill(inst.supervisor_pid, SIGKILL);
    }
    int fd = state_lock(name, &err);
    if (fd < 0) {
        uk_error_print(&err);
        return VERB_EXIT_LAUNCHER;
    }
    if (state_load(name, &inst, &err) == 0 && cgroup_destroy(&inst.cgroup, &err) < 0) {
        uk_error_print(&err);
        state_unlock(fd);
        return VERB_EXIT_LAUNCHER;
    }
    instance_cleanup_hooks(&inst);
    rc = state_remove(name, &err);
    state_unlock(fd);
    if (rc < 0) {
        uk_error_print(&err);
        return VERB_EXIT_LAUNCHER;
    }
    printf("%s\n", name);
    return 0;
}

int cmd_rm(int argc, char **argv)
{
    bool force = false;
    int i = 1, status = 0;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (verb_is_help(argv[i])) {
            cmd_rm_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--force") == 0) {
            force = true;
        } else {
            uk_warn("rm: unknown option `%s` (see `unikit rm --help`)", argv[i]);
            return VERB_EXIT_LAUNCHER;
        }
    }
    if (i == argc) {
        cmd_rm_usage(stderr);
        return VERB_EXIT_LAUNCHER;
    }
    for (; i < argc; i++) {
        int rc = rm_one(argv[i], force);
        if (rc != 0)
            status = rc;
    }
    return status;
}
