/* wait.c: the wait hypercall's host side: service the guest's queues, then block until work or the deadline. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "virtio.h"

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
 * the deadline passes, or a signal asks us to stop.
 *
 * Both times are the guest's clock, which the guest read just before the
 * exit (uk_hc_wait.now_ns), so deadline_ns - now_ns is exactly the sleep it
 * asks for. The timer counts it from now on the host's clock, so the wait
 * ends late by the exit's cost (tens of microseconds here), never early,
 * which would make the guest spin on the hypercall. */
int wait_for_work(struct vmm *vmm, uint64_t deadline_ns, uint64_t now_ns,
                  uint64_t *ready)
{
    *ready = service_devices(vmm);
    if (*ready != 0 || deadline_ns == 0 || deadline_ns <= now_ns)
        return 0;
    uint64_t delay = deadline_ns - now_ns;
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
        else if (ev[i].data.u32 < vmm->nvdevs &&
                 vdev_service(vmm->vdevs[ev[i].data.u32]) > 0)
            *ready |= 1ull << ev[i].data.u32; /* e.g. frames the tap had */
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
