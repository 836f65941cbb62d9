/* verbs.h: the `unikit` verbs (one cmd_<verb>.c each) and the table main dispatches on. */
#ifndef UNIKIT_VERBS_H
#define UNIKIT_VERBS_H

#include <stdio.h>

#define UNIKIT_VERSION "0.1.0"

/*
 * A verb gets its own argv (argv[0] is the verb's name) and returns the
 * process exit status: for `run` the guest's, UK_EXIT_LAUNCHER for any
 * failure of the launcher itself. It prints its own messages (error.h).
 */
struct verb {
    const char *name;
    const char *summary;               /* one line for `unikit --help` */
    int (*main)(int argc, char **argv);
    void (*usage)(FILE *out);          /* `unikit VERB --help` */
};

/* The table, ending with a NULL name (main.c). */
extern const struct verb unikit_verbs[];

/* cmd_run.c */
int cmd_run(int argc, char **argv);
void cmd_run_usage(FILE *out);

/* The instance verbs, cmd_<verb>.c each: bad NAME exits 1, other failures 125. */
int cmd_ps(int argc, char **argv);
void cmd_ps_usage(FILE *out);
int cmd_stop(int argc, char **argv);
void cmd_stop_usage(FILE *out);
int cmd_kill(int argc, char **argv);
void cmd_kill_usage(FILE *out);
int cmd_rm(int argc, char **argv);
void cmd_rm_usage(FILE *out);
int cmd_logs(int argc, char **argv);
void cmd_logs_usage(FILE *out);
int cmd_stats(int argc, char **argv);
void cmd_stats_usage(FILE *out);
int cmd_inspect(int argc, char **argv);
void cmd_inspect_usage(FILE *out);

/* cmd_bench.c: runs tests/bench/bench.sh */
int cmd_bench(int argc, char **argv);
void cmd_bench_usage(FILE *out);

#endif /* UNIKIT_VERBS_H */
