/* accel.h: choosing QEMU's accelerator (KVM with hardware virtualization, else TCG). */
#ifndef UNIKIT_ACCEL_H
#define UNIKIT_ACCEL_H

#include <stdbool.h>

#include "error.h"
#include "run_config.h"

/* True if a /proc/cpuinfo text lists the vmx or svm flag on a "flags" line. */
bool accel_cpuinfo_has_hw_virt(const char *cpuinfo);

/* True if /dev/kvm can be opened read-write. */
bool accel_kvm_usable(void);

/*
 * Resolves (want) to ACCEL_KVM or ACCEL_TCG: ACCEL_AUTO picks KVM when the
 * CPU has vmx/svm and /dev/kvm is usable, TCG otherwise (a shadow-paging KVM
 * without hardware virtualization runs ring-0 code emulated, slower than
 * TCG). Asking for KVM without a usable /dev/kvm is an error.
 */
int accel_choose(enum run_accel want, enum run_accel *chosen, struct uk_error *err);

/* "kvm" or "tcg", as QEMU's -accel spells them. */
const char *accel_name(enum run_accel accel);

#endif /* UNIKIT_ACCEL_H */
