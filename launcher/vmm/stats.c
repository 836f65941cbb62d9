/* stats.c: the clock the VMM times itself with, and the --stats report. */
#include <linux/kvm.h>
#include <stdio.h>
#include <time.h>

#include "vmm_internal.h"

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *exit_reason_name(uint32_t reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "UNKNOWN",
        [KVM_EXIT_EXCEPTION] = "EXCEPTION",
        [KVM_EXIT_IO] = "IO",
        [KVM_EXIT_HYPERCALL] = "HYPERCALL",
        [KVM_EXIT_DEBUG] = "DEBUG",
        [KVM_EXIT_HLT] = "HLT",
        [KVM_EXIT_MMIO] = "MMIO",
        [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
        [KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
        [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
        [KVM_EXIT_INTR] = "INTR",
        [KVM_EXIT_SET_TPR] = "SET_TPR",
        [KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
        [KVM_EXIT_NMI] = "NMI",
        [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
        [KVM_EXIT_OSI] = "OSI",
        [KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
        [KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
        [KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
    };
    if (reason < sizeof names / sizeof names[0] && names[reason] != NULL)
        return names[reason];
    return "?";
}

static void print_ranges(const struct io_table *table, const char *kind)
{
    for (unsigned i = 0; i < table->count; i++) {
        const struct io_range *r = &table->ranges[i];
        if (r->exits > 0)
            fprintf(stderr, "unikit: stats:   %s 0x%llx %-18s %llu\n", kind,
                    (unsigned long long)r->start, r->name,
                    (unsigned long long)r->exits);
    }
}

static double ms_since(uint64_t start, uint64_t t)
{
    return t == 0 ? 0.0 : (double)(t - start) / 1e6;
}

/* Times are from vmm_boot's start: the host setup ends at the first
 * KVM_RUN; the first exit is the earliest moment we know the guest ran. */
void stats_print(const struct vmm *vmm)
{
    const struct vmm_stats *s = &vmm->stats;
    uint64_t total = 0;
    for (unsigned i = 0; i < VMM_EXIT_REASONS; i++)
        total += s->exits_by_reason[i];
    fprintf(stderr, "unikit: stats: exits %llu\n", (unsigned long long)total);
    for (unsigned i = 0; i < VMM_EXIT_REASONS; i++)
        if (s->exits_by_reason[i] > 0)
            fprintf(stderr, "unikit: stats:   %-14s %llu\n",
                    exit_reason_name(i),
                    (unsigned long long)s->exits_by_reason[i]);
    print_ranges(&vmm->pio, "port");
    print_ranges(&vmm->mmio, "mmio");
    unsigned nioctls, nsyscalls = seccomp_allowlist_size(&nioctls);
    if (vmm->confined)
        fprintf(stderr, "unikit: stats: seccomp: %u system calls allowed, "
                        "ioctl with %u requests\n", nsyscalls, nioctls);
    fprintf(stderr,
            "unikit: stats: host setup %.3f ms, first exit %.3f ms, "
            "first output %.3f ms, total %.3f ms\n",
            ms_since(s->t_start_ns, s->t_first_run_ns),
            ms_since(s->t_start_ns, s->t_first_exit_ns),
            ms_since(s->t_start_ns, s->t_first_output_ns),
            ms_since(s->t_start_ns, s->t_end_ns));
}
