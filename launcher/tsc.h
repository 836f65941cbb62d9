/* tsc.h: the host's TSC frequency, passed to the guest as tsc_khz=. */
#ifndef UNIKIT_TSC_H
#define UNIKIT_TSC_H

#include <stdint.h>

/*
 * Returns the host TSC frequency in kHz, or 0 if it cannot be found. Under
 * QEMU TCG the guest reads the host TSC, and KVM gives guests the host's TSC
 * rate, so this is the guest's rate too.
 *
 * First choice: the kernel's own figure, from a perf event's mmap page
 * (cap_user_time: ns = cycles * time_mult >> time_shift). Otherwise rdtsc is
 * timed against CLOCK_MONOTONIC_RAW for about 5 ms.
 */
uint64_t tsc_host_khz(void);

/* The two methods on their own (0 when unavailable), for tests and `--stats`. */
uint64_t tsc_khz_from_perf(void);
uint64_t tsc_khz_calibrated(void);

/* kHz from the perf page's time_mult and time_shift: 10^6 * 2^shift / mult (0 if invalid). */
uint64_t tsc_khz_from_mult_shift(uint32_t mult, uint16_t shift);

#endif /* UNIKIT_TSC_H */
