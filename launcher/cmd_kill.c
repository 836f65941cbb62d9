/* cmd_kill.c: `unikit kill`: a signal (default SIGKILL) to an instance's process. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "verb_common.h"
#include "verbs.h"

void cmd_kill_usage(FILE *out)
{
    fprintf(out, "Usage: unikit kill [-s SIGNAL] NAME...\n"
                 "\n"
                 "Sends SIGNAL (a name like TERM or SIGTERM, or a number; default KILL) to each\n"
                 "running instance's process: the VMM, QEMU or the container's init.\n"
                 "Exits 1 when an instance does not exist or is not running.\n");
}

static int parse_signal(const char *text)
{
    static const struct { const char *name; int sig; } table[] = {
        {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
        {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"CONT", SIGCONT},
        {"STOP", SIGSTOP},
    };
    char *end;
    long n = strtol(text, &end, 10);
    if (end != text && *end == '\0')
        return n > 0 && n < NSIG ? (int)n : -1;
    if (strncmp(text, "SIG", 3) == 0)
        text += 3;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(text, table[i].name) == 0)
            return table[i].sig;
    return -1;
}

int cmd_kill(int argc, char **argv)
{
    int sig = SIGKILL, i = 1, status = 0;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (verb_is_help(argv[i])) {
            cmd_kill_usage(stdout);
            return 0;
        }
        if ((strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--signal") == 0) && i + 1 < argc) {
            if ((sig = parse_signal(argv[++i])) < 0) {
                uk_warn("kill: -s `%s`: not a signal name or number", argv[i]);
                return VERB_EXIT_LAUNCHER;
            }
        } else {
            uk_warn("kill: unknown option `%s` (see `unikit kill --help`)", argv[i]);
            return VERB_EXIT_LAUNCHER;
        }
    }
    if (i == argc) {
        cmd_kill_usage(stderr);
        return VERB_EXIT_LAUNCHER;
    }
    for (; i < argc; i++) {
        struct instance inst;
        int rc = verb_load("kill", argv[i], &inst);
        pid_t target = rc == 0 && instance_is_active(&inst) ? instance_signal_target(&inst) : 0;
        if (rc == 0 && target <= 0) {
            uk_warn("kill: %s is not running", argv[i]);
            rc = VERB_EXIT_NO_SUCH;
        }
        if (rc == 0 && kill(target, sig) < 0) {
            uk_warn("kill: %s: signal %d to pid %d failed", argv[i], sig, (int)target);
            rc = VERB_EXIT_LAUNCHER;
        }
        if (rc == 0)
            printf("%s\n", argv[i]);
        else
            status = rc;
    }
    return status;
}
