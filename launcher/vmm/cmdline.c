/* cmdline.c: the guest command line under unikit's VMM: the launcher's encoding plus the VMM's devices and clock. */
#include <stdio.h>

#include "error.h"
#include "guest_cmdline.h"
#include "vmm_internal.h"

#define DEVICE_KOPT_LEN 64

/*
 * The launcher's encoder writes tsc_khz=, wallclock=, platform=, the
 * environment and argv (boot_abi.h). Under KVM the guest's TSC runs at the
 * rate KVM_GET_TSC_KHZ reports, which is the figure to pass; the devices
 * follow as virtio_mmio.device=SIZE@ADDR:IRQ, in device order.
 */
int cmdline_build(const struct vmm *vmm, char *out, size_t cap)
{
    struct run_config cfg = *vmm->cfg;
    cfg.tsc_khz = vmm->tsc_khz;

    char text[VMM_MAX_DISKS][DEVICE_KOPT_LEN];
    const char *kopts[VMM_MAX_DISKS + RUN_NET_KOPTS];
    for (unsigned i = 0; i < vmm->nvdevs; i++) {
        snprintf(text[i], sizeof text[i], "virtio_mmio.device=%lluK@0x%llx:%u",
                 (unsigned long long)(VMM_VIRTIO_SIZE >> 10),
                 (unsigned long long)(VMM_VIRTIO_BASE + i * VMM_VIRTIO_SIZE),
                 VMM_VIRTIO_IRQ_BASE + i);
        kopts[i] = text[i];
    }
    /* Then the network address: ip=, gw= (the MAC is in the device). */
    unsigned nk = vmm->nvdevs;
    for (int i = 0; i < cfg.net.nkopts && i < RUN_NET_KOPTS; i++)
        kopts[nk++] = vmm->cfg->net.kopts[i];
    struct uk_error err;
    if (guest_cmdline_build(&cfg, "ukvm", kopts, (int)nk, out, cap,
                            &err) < 0)
        return vmm_fail(err.errnum, "%s", err.msg);
    return 0;
}
