/* clock.c: monotonic and wall-clock time from the TSC, frequency from the launcher or CPUID. */
#include "cmdline.h"
#include "io.h"
#include "kernel.h"

static uint64_t tsc_at_boot;
static uint64_t tsc_khz;
static uint64_t ns_mult; /* ns = (ticks * ns_mult) >> 32 */
static uint64_t wall_at_boot_ns;

/* The frequency when no launcher told us: hypervisor leaf, then CPUID 0x15/0x16. */
static uint64_t tsc_khz_from_cpuid(void)
{
    uint32_t r[4];
    cpuid(0x40000000, 0, r);
    if (r[0] >= 0x40000010) {
        cpuid(0x40000010, 0, r);
        if (r[0])
            return r[0];
    }
    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    if (max_leaf >= 0x15) {
        cpuid(0x15, 0, r); /* TSC/crystal ratio r[1]/r[0], crystal Hz in r[2] */
        if (r[0] && r[1] && r[2])
            return (uint64_t)r[2] / 1000 * r[1] / r[0];
    }
    if (max_leaf >= 0x16) {
        cpuid(0x16, 0, r); /* base MHz */
        if (r[0])
            return (uint64_t)r[0] * 1000;
    }
    return 0;
}

void clock_init(const struct cmdline *cl)
{
    tsc_at_boot = rdtsc();
    const char *opt = cmdline_kopt(cl, "tsc_khz", 0);
    if (opt && !kparse_u64(opt, &tsc_khz))
        kprintf("unikit: ignoring malformed tsc_khz=%s\n", opt);
    if (!tsc_khz)
        tsc_khz = tsc_khz_from_cpuid();
    if (!tsc_khz) {
        tsc_khz = 1000000;
        kprintf("unikit: TSC frequency unknown, assuming 1 GHz: time will drift\n");
    }
    ns_mult = ((uint64_t)1000000 << 32) / tsc_khz;
    opt = cmdline_kopt(cl, "wallclock", 0);
    if (opt && !kparse_u64(opt, &wall_at_boot_ns))
        kprintf("unikit: ignoring malformed wallclock=%s\n", opt);
}

uint64_t clock_tsc_khz(void)
{
    return tsc_khz;
}

uint64_t uk_clock_monotonic(void)
{
    uint64_t ticks = rdtsc() - tsc_at_boot;
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t uk_clock_wall(void)
{
    return wall_at_boot_ns + uk_clock_monotonic();
}
