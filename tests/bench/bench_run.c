/* bench_run.c: runs several commands interleaved, N rounds, and prints whole-process time, first output and peak RSS of each. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: bench_run ROUNDS NAME CMD [ARGS...] [::: NAME CMD [ARGS...]]...
 *
 * Round r runs every command once, in order, so that a noisy moment of a
 * shared machine hits all of them alike. For each run:
 *   whole process  fork to the end of wait4 (the child's exec included);
 *   first output   fork to the first byte on the child's stdout (a pipe we
 *                  read), which for a unikernel is its first console write:
 *                  for hello, the first printf in main();
 *   peak RSS       wait4's ru_maxrss: the largest process of the child's
 *                  tree (for `unikit run`: the launcher, the VMM or QEMU).
 * Prints min/median/max of each, then the medians' ratios to the first
 * command. Figures only: it exits 0 unless a command could not run or failed.
 */

#define MAX_CMDS 8
#define MAX_ROUNDS 1000

struct cmd {
    const char *name;
    char **argv;
    double wall_ms[MAX_ROUNDS], first_ms[MAX_ROUNDS];
    long rss_kib[MAX_ROUNDS];
    int nfirst;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs (c) once; returns its exit status, or -1. */
static int run_once(struct cmd *c, int round)
{
    int out[2];
    if (pipe(out) < 0)
        return -1;
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execvp(c->argv[0], c->argv);
        _exit(127);
    }
    close(out[1]);
    double first = -1;
    char buf[4096];
    for (;;) {
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (first < 0)
            first = now_ms() - t0;
    }
    close(out[0]);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    c->wall_ms[round] = now_ms() - t0;
    c->rss_kib[round] = ru.ru_maxrss;
    if (first >= 0)
        c->first_ms[c->nfirst++] = first;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    static struct cmd cmds[MAX_CMDS];
    int ncmds = 0, rounds = argc > 1 ? atoi(argv[1]) : 0;
    if (rounds < 1 || rounds > MAX_ROUNDS || argc < 4) {
        fprintf(stderr, "usage: bench_run ROUNDS NAME CMD [ARGS...] [::: NAME CMD...]...\n");
        return 2;
    }
    for (int i = 2; i < argc && ncmds < MAX_CMDS;) {
        struct cmd *c = &cmds[ncmds++];
        c->name = argv[i++];
        c->argv = &argv[i];
        while (i < argc && strcmp(argv[i], ":::") != 0)
            i++;
        if (i < argc)
            argv[i++] = NULL; /* ends this command's argv */
    }
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < ncmds; k++) {
            int st = run_once(&cmds[k], r);
            if (st != 0) {
                fprintf(stderr, "bench_run: %s: exit status %d\n", cmds[k].name, st);
                return 1;
            }
        }

    double med[MAX_CMDS];
    printf("%d runs each, interleaved; times in ms (fork to exit), peak RSS in MiB\n", rounds);
    printf("%-28s %8s %8s %8s  %9s  %12s\n", "", "min", "median", "max", "peak RSS",
           "first output");
    for (int k = 0; k < ncmds; k++) {
        struct cmd *c = &cmds[k];
        med[k] = median(c->wall_ms, rounds);
        qsort(c->rss_kib, (size_t)rounds, sizeof c->rss_kib[0], cmp_long);
        char first[32] = "-";
        if (c->nfirst > 0)
            snprintf(first, sizeof first, "%.2f", median(c->first_ms, c->nfirst));
        printf("%-28s %8.2f %8.2f %8.2f  %9.2f  %12s\n", c->name, c->wall_ms[0], med[k],
               c->wall_ms[rounds - 1], c->rss_kib[rounds - 1] / 1024.0, first);
    }
    printf("median ratios:");
    for (int k = 1; k < ncmds; k++)
        printf("  %s / %s = %.2f", cmds[k].name, cmds[0].name, med[k] / med[0]);
    if (ncmds > 2)
        printf("  %s / %s = %.2f", cmds[2].name, cmds[1].name, med[2] / med[1]);
    printf("\n");
    return 0;
}
