/* limits.c: guest test for cgroup limits and stop notices — memhog MiB, spin SECS, sleep SECS, stopwait, sigterm. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unikit/boot_abi.h>
#include <unikit/kernel.h>

/* Allocates and touches (mib) MiB, 1 MiB at a time: 0 when all of it is there, 3 when malloc fails. */
static int memhog(long mib)
{
    for (long i = 0; i < mib; i++) {
        char *p = malloc(1 << 20);
        if (p == NULL) {
            printf("memhog: malloc failed after %ld MiB\n", i);
            return 3;
        }
        memset(p, (int)i | 1, 1 << 20); /* every page, so the host has to back it */
        if (i % 16 == 15)
            printf("memhog: %ld MiB\n", i + 1);
    }
    printf("memhog: %ld MiB touched\n", mib);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A busy loop for (secs) seconds (0: for ever), never waiting: what a CPU quota throttles. */
static int spin(double secs)
{
    volatile uint64_t n = 0;
    double end = now_s() + secs;
    printf("spin: start\n");
    fflush(stdout);
    while (secs == 0 || now_s() < end)
        for (int i = 0; i < 100000; i++)
            n++;
    printf("spin: done\n");
    return 0;
}

/* True under unikit's VMM (boot_abi.h: CPUID leaf 0x40000100 answers "ukvmukvmukvm"). */
static int under_ukvm(void)
{
    uint32_t a = 0x40000100, b, c, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    return memcmp(&b, "ukvm", 4) == 0 && memcmp(&c, "ukvm", 4) == 0;
}

/*
 * The stop notice, end to end, through the raw wait hypercall (boot_abi.h,
 * UK_WAIT_ACCEPTS_STOP / UK_WAIT_STOP_REQUESTED): declare that we handle it,
 * wait until it comes, then clean up and exit 0 — what an app's SIGTERM
 * handler would do.
 */
static int stopwait(void)
{
    if (!under_ukvm()) {
        printf("stopwait: not under unikit's VMM; waiting to be killed\n");
        for (;;)
            sleep(1);
    }
    printf("stopwait: waiting for a stop notice\n");
    fflush(stdout);
    for (;;) {
        static struct uk_hc_wait hc __attribute__((aligned(8)));
        hc.now_ns = uk_clock_monotonic();
        hc.deadline_ns = hc.now_ns + 1000000000ull;
        hc.ready = UK_WAIT_ACCEPTS_STOP;
        __asm__ volatile("outl %0, %w1"
                         :
                         : "a"((uint32_t)(uintptr_t)&hc), "Nd"((uint16_t)UK_HC_PORT(UK_HC_WAIT))
                         : "memory");
        if (hc.ready & UK_WAIT_STOP_REQUESTED) {
            printf("stopwait: stop notice received, exiting cleanly\n");
            return 0;
        }
    }
}

static volatile sig_atomic_t got_sigterm;

static void on_sigterm(int sig)
{
    (void)sig;
    got_sigterm = 1;
}

/* The libos delivers a stop notice as SIGTERM: a handler sees it and the app ends cleanly. */
static int sigterm_handler(void)
{
    signal(SIGTERM, on_sigterm);
    printf("sigterm: handler installed, sleeping\n");
    fflush(stdout);
    while (!got_sigterm)
        usleep(100000);
    printf("sigterm: got SIGTERM, cleaning up\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    double arg = argc > 2 ? atof(argv[2]) : 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(mode, "memhog") == 0)
        return memhog((long)arg);
    if (strcmp(mode, "spin") == 0)
        return spin(arg);
    if (strcmp(mode, "sleep") == 0) {
        printf("sleep: %g s\n", arg);
        fflush(stdout);
        usleep((useconds_t)(arg * 1e6));
        return 0;
    }
    if (strcmp(mode, "stopwait") == 0)
        return stopwait();
    if (strcmp(mode, "sigterm") == 0)
        return sigterm_handler();
    printf("usage: test_limits memhog MIB | spin SECS | sleep SECS | stopwait | sigterm\n");
    return 2;
}
