/* time.c: clocks and sleeping — clock_gettime, gettimeofday, times, nanosleep, usleep, sleep. */
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "libos.h"
#include "sched.h"

#define NS_PER_SEC 1000000000ULL

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / NS_PER_SEC);
    ts->tv_nsec = (long)(ns % NS_PER_SEC);
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    switch (id) {
    case CLOCK_REALTIME:
        ns_to_timespec(uk_clock_wall(), ts);
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_PROCESS_CPUTIME_ID: /* one process, always running */
    case CLOCK_THREAD_CPUTIME_ID:
        ns_to_timespec(uk_clock_monotonic(), ts);
        return 0;
    default:
        return libos_fail(EINVAL);
    }
}

int clock_getres(clockid_t id, struct timespec *res)
{
    if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_PROCESS_CPUTIME_ID &&
        id != CLOCK_THREAD_CPUTIME_ID)
        return libos_fail(EINVAL);
    if (res)
        *res = (struct timespec){.tv_sec = 0, .tv_nsec = 1};
    return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    uint64_t ns = uk_clock_wall();
    tv->tv_sec = (time_t)(ns / NS_PER_SEC);
    tv->tv_usec = (suseconds_t)(ns % NS_PER_SEC / 1000);
    return 0;
}

/* All time since boot is the one process' user time; clock_t counts CLOCKS_PER_SEC. */
clock_t times(struct tms *buf)
{
    clock_t ticks = (clock_t)(uk_clock_monotonic() / (NS_PER_SEC / CLOCKS_PER_SEC));
    if (buf)
        *buf = (struct tms){.tms_utime = ticks};
    return ticks;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= (long)NS_PER_SEC || req->tv_sec < 0)
        return libos_fail(EINVAL);
    uint64_t deadline = uk_clock_monotonic() + (uint64_t)req->tv_sec * NS_PER_SEC + (uint64_t)req->tv_nsec;
    uint64_t now;
    while ((now = uk_clock_monotonic()) < deadline)
        sched_block(NULL, deadline); /* other threads run meanwhile */
    if (rem)
        *rem = (struct timespec){0, 0};
    return 0;
}

int usleep(useconds_t usec)
{
    struct timespec ts = {.tv_sec = usec / 1000000, .tv_nsec = (long)(usec % 1000000) * 1000};
    return nanosleep(&ts, NULL);
}

unsigned sleep(unsigned seconds)
{
    struct timespec ts = {.tv_sec = seconds, .tv_nsec = 0};
    nanosleep(&ts, NULL);
    return 0;
}
