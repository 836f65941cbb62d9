/* tsc.c: finding the host TSC frequency (perf mmap page, else calibration). */
#include "tsc.h"

#include <linux/perf_event.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

/* Calibration window; long enough for ~0.1% error, short enough not to slow a start. */
#define CALIBRATE_NS 5000000ull

uint64_t tsc_khz_from_mult_shift(uint32_t mult, uint16_t shift)
{
    if (mult == 0 || shift >= 40)
        return 0;
    return (UINT64_C(1000000) << shift) / mult;
}

uint64_t tsc_khz_from_perf(void)
{
    struct perf_event_attr attr;
    struct perf_event_mmap_page *page;
    long page_size = sysconf(_SC_PAGESIZE);
    uint64_t khz = 0;
    int fd;

    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_DUMMY;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0)
        return 0;
    page = mmap(NULL, (size_t)page_size, PROT_READ, MAP_SHARED, fd, 0);
    if (page != MAP_FAILED) {
        if (page->cap_user_time)
            khz = tsc_khz_from_mult_shift(page->time_mult, page->time_shift);
        munmap(page, (size_t)page_size);
    }
    close(fd);
    return khz;
}

#if defined(__x86_64__)
static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t tsc_khz_calibrated(void)
{
    uint64_t t0 = now_ns(), c0 = __rdtsc(), t1, c1;

    do {
        t1 = now_ns();
    } while (t1 - t0 < CALIBRATE_NS);
    c1 = __rdtsc();
    if (c1 <= c0)
        return 0;
    return (c1 - c0) * 1000000ull / (t1 - t0);
}
#else
uint64_t tsc_khz_calibrated(void)
{
    return 0;
}
#endif

uint64_t tsc_host_khz(void)
{
    uint64_t khz = tsc_khz_from_perf();

    return khz != 0 ? khz : tsc_khz_calibrated();
}
