/* vcpu.c: the one loop around KVM_RUN and the dispatch of every exit by its reason. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "unikit/boot_abi.h"
#include "vmm_internal.h"

void vmm_stop(struct vmm *vmm, int status)
{
    if (!vmm->stopped) {
        vmm->stopped = true;
        vmm->exit_status = status;
    }
}

void vcpu_dump(struct vmm *vmm, const char *why)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (ioctl(vmm->vcpu_fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(vmm->vcpu_fd, KVM_GET_SREGS, &s) < 0) {
        vmm_fail(errno, "%s: read the guest's registers", why);
        return;
    }
    fprintf(stderr,
            "unikit: vmm: %s at rip 0x%llx (cs 0x%x, cpl %u)\n"
            "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
            "  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n"
            "  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
            "  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
            "  rflags %08llx cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx "
            "efer %llx\n",
            why, r.rip, s.cs.selector, s.cs.selector & 3u, r.rax, r.rbx, r.rcx,
            r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12,
            r.r13, r.r14, r.r15, r.rflags, s.cr0, s.cr2, s.cr3, s.cr4,
            s.efer);
}

/* A guest fault the VMM cannot continue from: report it, status 255. */
static void guest_fault(struct vmm *vmm, const char *why)
{
    console_flush_uart(vmm);
    vcpu_dump(vmm, why);
    vmm_stop(vmm, UK_EXIT_PANIC);
}

static int handle_io(struct vmm *vmm)
{
    struct kvm_run *run = vmm->run;
    bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
    unsigned size = run->io.size;
    /* A port range owns the ports it starts at: a 32-bit out to a
     * hypercall port is one access to that port, not to four. */
    struct io_range *range = io_lookup(&vmm->pio, run->io.port, 1);
    if (range == NULL) {
        char why[96];
        snprintf(why, sizeof why, "guest %s of %u bytes at unhandled port 0x%x",
                 is_write ? "out" : "in", size, run->io.port);
        guest_fault(vmm, why);
        return 0;
    }
    range->exits++;
    /* String I/O (rep outs/ins) hands over count items in one exit. */
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    for (uint32_t i = 0; i < run->io.count && !vmm->stopped; i++) {
        if (!is_write)
            memset(data, 0, size);
        if (range->handler(vmm, range->ctx, run->io.port - range->start,
                           is_write, data, size) < 0)
            return -1;
        data += size;
    }
    return 0;
}

static int handle_mmio(struct vmm *vmm)
{
    struct kvm_run *run = vmm->run;
    unsigned size = run->mmio.len;
    struct io_range *range = size <= sizeof run->mmio.data
                                 ? io_lookup(&vmm->mmio, run->mmio.phys_addr,
                                             size)
                                 : NULL;
    if (range == NULL) {
        char why[96];
        snprintf(why, sizeof why,
                 "guest MMIO %s of %u bytes at unbacked address 0x%llx",
                 run->mmio.is_write ? "write" : "read", size,
                 (unsigned long long)run->mmio.phys_addr);
        guest_fault(vmm, why);
        return 0;
    }
    range->exits++;
    if (!run->mmio.is_write)
        memset(run->mmio.data, 0, sizeof run->mmio.data);
    return range->handler(vmm, range->ctx, run->mmio.phys_addr - range->start,
                          run->mmio.is_write, run->mmio.data, size);
}

static int handle_exit(struct vmm *vmm)
{
    struct kvm_run *run = vmm->run;
    char why[128];
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        return handle_io(vmm);
    case KVM_EXIT_MMIO:
        return handle_mmio(vmm);
    case KVM_EXIT_HLT:
        /* No interrupt controller: a halted vCPU never wakes. An image
         * that wrote its status first (the QEMU exit path) ends with it. */
        if (vmm->status_port_written) {
            vmm_stop(vmm, vmm->status_port_value);
            return 0;
        }
        guest_fault(vmm, "guest halted (hlt) with no interrupt to wake it; "
                         "use the wait hypercall");
        return 0;
    case KVM_EXIT_SHUTDOWN:
        guest_fault(vmm, "guest triple fault (KVM_EXIT_SHUTDOWN)");
        return 0;
    case KVM_EXIT_FAIL_ENTRY:
        snprintf(why, sizeof why,
                 "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, "
                 "hardware reason 0x%llx)",
                 (unsigned long long)
                     run->fail_entry.hardware_entry_failure_reason);
        guest_fault(vmm, why);
        return 0;
    case KVM_EXIT_INTERNAL_ERROR:
        snprintf(why, sizeof why,
                 "KVM internal error (KVM_EXIT_INTERNAL_ERROR, suberror %u%s)",
                 run->internal.suberror,
                 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
                     ? ": instruction emulation failed"
                     : "");
        guest_fault(vmm, why);
        return 0;
    default:
        snprintf(why, sizeof why, "unhandled exit %s (%u)",
                 exit_reason_name(run->exit_reason), run->exit_reason);
        guest_fault(vmm, why);
        return 0;
    }
}

/* Runs the guest until it exits, faults, or a signal asks us to stop.
 * Returns 0 (vmm->exit_status holds the guest's status) or -1. */
int vcpu_loop(struct vmm *vmm)
{
    vmm->stats.t_first_run_ns = now_ns();
    while (!vmm->stopped) {
        int sig = signals_pending();
        if (sig != 0) {
            vmm_stop(vmm, 128 + sig);
            break;
        }
        if (ioctl(vmm->vcpu_fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue; /* a signal, or immediate_exit set by its handler */
            return vmm_fail(errno, "KVM_RUN");
        }
        if (vmm->stats.t_first_exit_ns == 0)
            vmm->stats.t_first_exit_ns = now_ns();
        uint32_t reason = vmm->run->exit_reason;
        vmm->stats.exits_by_reason[reason < VMM_EXIT_REASONS ? reason : 0]++;
        if (handle_exit(vmm) < 0)
            return -1;
    }
    return 0;
}
