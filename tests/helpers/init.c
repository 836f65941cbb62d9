/* init.c: a static multi-call test helper for limits in containers (like crun's test init): memhog, forkbomb, spin, sleep, exit. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* memhog MIB: allocates and touches MIB MiB; 0 when all of it is there, 3 when malloc fails. */
static int memhog(long mib)
{
    for (long i = 0; i < mib; i++) {
        char *p = malloc(1 << 20);
        if (p == NULL) {
            printf("memhog: malloc failed after %ld MiB\n", i);
            return 3;
        }
        memset(p, 1, 1 << 20);
    }
    printf("memhog: %ld MiB touched\n", mib);
    return 0;
}

/* forkbomb N: tries to have N processes at once; prints how many it got, exits 0 if all. */
static int forkbomb(long n)
{
    pid_t *pids = calloc((size_t)n + 1, sizeof(*pids));
    long made = 0;
    for (; pids && made < n; made++) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            pause();
            _exit(0);
        }
        pids[made] = pid;
    }
    printf("forkbomb: %ld of %ld processes\n", made, n);
    fflush(stdout);
    for (long i = 0; i < made; i++)
        kill(pids[i], SIGKILL);
    while (wait(NULL) > 0)
        ;
    free(pids);
    return made == n ? 0 : 4;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* spin SECS: a busy loop (0: for ever). */
static int spin(double secs)
{
    volatile unsigned long n = 0;
    double end = now_s() + secs;
    while (secs == 0 || now_s() < end)
        n++;
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    double arg = argc > 2 ? atof(argv[2]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(mode, "memhog") == 0)
        return memhog((long)arg);
    if (strcmp(mode, "forkbomb") == 0)
        return forkbomb((long)arg);
    if (strcmp(mode, "spin") == 0)
        return spin(arg);
    if (strcmp(mode, "sleep") == 0) {
        printf("sleep: %g\n", arg);
        usleep((useconds_t)(arg * 1e6));
        return 0;
    }
    if (strcmp(mode, "exit") == 0) {
        printf("exit: %d\n", (int)arg);
        return (int)arg;
    }
    fprintf(stderr, "usage: init memhog MIB | forkbomb N | spin SECS | sleep SECS | exit STATUS\n");
    return 2;
}
