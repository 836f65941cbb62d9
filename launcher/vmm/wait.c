/* wait.c: the wait hypercall's host side: service the guest's queues, then block until work or the deadline. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "virtio.h"

#define MSR_IA32_TSC 0x10
#define EPOLL_TIMER 0xffffffffu
#define EPOLL_SIGNAL 0xfffffffeu
#define MAX_SLEEP_NS (3600ull * 1000000000ull) /* longer: wait for work only */

int wait_init(struct vmm *vmm)
{
    vmm->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (vmm->epoll_fd < 0)
        return vmm_fail(errno, "epoll_create1");
    vmm->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (vmm->timer_fd < 0)
        return vmm_fail(errno, "timerfd_create");
    struct epoll_event timer = {.events = EPOLLIN, .data.u32 = EPOLL_TIMER};
    struct epoll_event sig = {.events = EPOLLIN, .data.u32 = EPOLL_SIGNAL};
    if (epoll_ctl(vmm->epoll_fd, EPOLL_CTL_ADD, vmm->timer_fd, &timer) < 0 ||
        epoll_ctl(vmm->epoll_fd, EPOLL_CTL_ADD, signals_wake_fd(), &sig) < 0)
        return vmm_fail(errno, "epoll_ctl");
    return 0;
}

static int read_guest_tsc(struct vmm *vmm, uint64_t *tsc)
{
    struct {
        struct kvm_msrs hdr;
        struct kvm_msr_entry entry;
    } msrs = {.hdr.nmsrs = 1, .entry.index = MSR_IA32_TSC};
    if (ioctl(vmm->vcpu_fd, KVM_GET_MSRS, &msrs) != 1)
        return vmm_fail(errno, "KVM_GET_MSRS (guest TSC)");
    *tsc = msrs.entry.data;
    return 0;
}

/*
 * The guest's monotonic clock is its TSC since the kernel's clock_init,
 * scaled by the tsc_khz we pass: ns = (tsc - tsc_at_boot) * 10^6 / tsc_khz.
 * The guest TSC does not start at 0 everywhere (under kvm_pvm it reads
 * about the host's), and we cannot see tsc_at_boot, so the guest TSC at the
 * first exit stands in for it: our "now" then lags the guest's by the time
 * from clock_init to that exit, and a wait may end that much late — never
 * early, which would make the guest spin on the hypercall.
 * TODO: exact once struct uk_hc_wait carries the guest's now_ns (proposed
 * for boot_abi.h); then this function and the MSR read go away.
 */
int clock_mark_boot(struct vmm *vmm)
{
    return read_guest_tsc(vmm, &vmm->guest_tsc_base);
}

int guest_now_ns(struct vmm *vmm, uint64_t *ns)
{
    uint64_t tsc;
    if (read_guest_tsc(vmm, &tsc) < 0)
        return -1;
    uint64_t ticks = tsc > vmm->guest_tsc_base ? tsc - vmm->guest_tsc_base : 0;
    *ns = (uint64_t)((unsigned __int128)ticks * 1000000u / vmm->tsc_khz);
    return 0;
}

static uint64_t service_devices(struct vmm *vmm)
{
    uint64_t ready = 0;
    for (unsigned i = 0; i < vmm->nvdevs; i++)
        if (vdev_service(vmm->vdevs[i]) > 0)
            ready |= 1ull << i;
    return ready;
}

static int arm_timer(struct vmm *vmm, uint64_t delay_ns)
{
    struct itimerspec t = {
        .it_value = {.tv_sec = (time_t)(delay_ns / 1000000000u),
                     .tv_nsec = (long)(delay_ns % 1000000000u)},
    };
    if (timerfd_settime(vmm->timer_fd, 0, &t, NULL) < 0)
        return vmm_fail(errno, "timerfd_settime");
    return 0;
}

/* First the queues the guest filled (synchronous backends complete them
 * here); only if none had work do we sleep, until a backend fd is ready,
 * the deadline passes, or a signal asks us to stop. */
int wait_for_work(struct vmm *vmm, uint64_t deadline_ns, uint64_t *ready)
{
    *ready = service_devices(vmm);
    if (*ready != 0 || deadline_ns == 0)
        return 0;
    uint64_t now;
    if (guest_now_ns(vmm, &now) < 0)
        return -1;
    if (deadline_ns <= now)
        return 0;
    uint64_t delay = deadline_ns - now;
    if (arm_timer(vmm, delay < MAX_SLEEP_NS ? delay : 0) < 0)
        return -1;
    struct epoll_event ev[4];
    int n = epoll_wait(vmm->epoll_fd, ev, 4, -1);
    if (n < 0 && errno != EINTR)
        return vmm_fail(errno, "epoll_wait");
    for (int i = 0; i < n; i++) {
        uint64_t ticks;
        if (ev[i].data.u32 == EPOLL_TIMER)
            (void)!read(vmm->timer_fd, &ticks, sizeof ticks);
        else if (ev[i].data.u32 < vmm->nvdevs)
            *ready |= 1ull << ev[i].data.u32;
        /* EPOLL_SIGNAL: the vCPU loop sees the pending signal. */
    }
    return 0;
}

void wait_close(struct vmm *vmm)
{
    if (vmm->timer_fd >= 0)
        close(vmm->timer_fd);
    if (vmm->epoll_fd >= 0)
        close(vmm->epoll_fd);
}
