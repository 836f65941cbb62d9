/* cmd_logs.c: `unikit logs`: a detached instance's console log, its last lines, or followed as it grows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "verb_common.h"
#include "verbs.h"

void cmd_logs_usage(FILE *out)
{
    fprintf(out, "Usage: unikit logs [-f] [--tail N] NAME\n"
                 "\n"
                 "Prints the console of a detached instance (its guest's output and its\n"
                 "supervisor's messages); --tail N only the last N lines; -f keeps printing\n"
                 "what comes until the instance ends. Exits 1 when it does not exist.\n");
}

/* Where the last (lines) lines of (f) start. */
static long tail_offset(FILE *f, long lines)
{
    char buf[4096];
    long end, pos, seen = 0;

    fseek(f, 0, SEEK_END);
    end = pos = ftell(f);
    while (pos > 0) {
        long n = pos < (long)sizeof(buf) ? pos : (long)sizeof(buf);
        pos -= n;
        fseek(f, pos, SEEK_SET);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n)
            break;
        for (long i = n - 1; i >= 0; i--) {
            /* The newline ending the last line does not start a line. */
            if (buf[i] == '\n' && pos + i != end - 1 && ++seen == lines)
                return pos + i + 1;
        }
    }
    return 0;
}

static void copy_rest(FILE *f)
{
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, stdout);
    clearerr(f); /* at end of file: a later read sees what was appended */
    fflush(stdout);
}

int cmd_logs(int argc, char **argv)
{
    bool follow = false;
    long tail = -1;
    int i = 1;

    for (; i < argc && argv[i][0] == '-'; i++) {
        char *end;
        if (verb_is_help(argv[i])) {
            cmd_logs_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--follow") == 0) {
            follow = true;
        } else if ((strcmp(argv[i], "--tail") == 0 || strcmp(argv[i], "-n") == 0) && i + 1 < argc) {
            tail = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || tail < 0) {
                uk_warn("logs: --tail `%s`: expected a number of lines", argv[i]);
                return VERB_EXIT_LAUNCHER;
            }
        } else {
            uk_warn("logs: unknown option `%s` (see `unikit logs --help`)", argv[i]);
            return VERB_EXIT_LAUNCHER;
        }
    }
    if (i + 1 != argc) {
        cmd_logs_usage(stderr);
        return VERB_EXIT_LAUNCHER;
    }
    const char *name = argv[i];
    struct instance inst;
    char path[PATH_MAX];
    int rc = verb_load("logs", name, &inst);
    if (rc != 0)
        return rc;
    if (state_path(name, "console.log", path, sizeof(path)) < 0)
        return VERB_EXIT_LAUNCHER;
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        if (errno == ENOENT)
            return 0; /* attached: its console was the terminal */
        uk_warn("logs: open %s: %s", path, strerror(errno));
        return VERB_EXIT_LAUNCHER;
    }
    fseek(f, tail >= 0 ? tail_offset(f, tail) : 0, SEEK_SET);
    if (tail == 0)
        fseek(f, 0, SEEK_END);
    copy_rest(f);
    const struct timespec tick = {0, 100 * 1000 * 1000};
    while (follow) {
        bool active = verb_wait_inactive(name, 0) == false;
        copy_rest(f);
        if (!active)
            break;
        nanosleep(&tick, NULL);
    }
    fclose(f);
    return 0;
}
