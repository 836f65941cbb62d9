/* poll.c: poll, select and ioctl over every kind of libos descriptor. */
#include <poll.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/select.h>

#include "fd.h"
#include "libos.h"
#include "sched.h"

int socket_lwip_fd(int fd);

#define POLL_SLICE_NS 1000000ULL /* how often a mixed poll re-checks non-socket descriptors */

/* One pass over (fds) without blocking; returns how many are ready. */
static int poll_once(struct pollfd *fds, nfds_t nfds)
{
    int ready = 0;
    for (nfds_t i = 0; i < nfds; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        struct fd_entry *e = fd_get(fds[i].fd);
        if (!e) {
            fds[i].revents = POLLNVAL;
            ready++;
            continue;
        }
        /* Files and the console's output are always ready. */
        int bits = e->ops->poll ? e->ops->poll(e->obj) : FD_READABLE | FD_WRITABLE;
        short rev = 0;
        if ((bits & FD_READABLE) && (fds[i].events & POLLIN))
            rev |= POLLIN;
        if ((bits & FD_WRITABLE) && (fds[i].events & POLLOUT))
            rev |= POLLOUT;
        if (bits & FD_ERROR)
            rev |= POLLERR;
        if (bits & FD_HANGUP)
            rev |= POLLHUP;
        fds[i].revents = rev;
        if (rev)
            ready++;
    }
    return ready;
}

/*
 * When every descriptor is a socket, lwIP's own poll blocks on them (woken
 * by the network); otherwise re-check every millisecond until the timeout.
 */
int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    struct pollfd lw[64];
    bool all_sockets = nfds > 0 && nfds <= 64;
    for (nfds_t i = 0; all_sockets && i < nfds; i++) {
        struct fd_entry *e = fds[i].fd >= 0 ? fd_get(fds[i].fd) : NULL;
        if (!e || e->ops->kind[0] != 's') {
            all_sockets = false;
            break;
        }
        lw[i] = (struct pollfd){.fd = socket_lwip_fd(fds[i].fd), .events = fds[i].events};
    }
    if (all_sockets) {
        int n = lwip_poll(lw, nfds, timeout_ms);
        for (nfds_t i = 0; i < nfds; i++)
            fds[i].revents = n > 0 ? lw[i].revents : 0;
        if (n == 0 && timeout_ms == 0)
            sched_yield_thread(); /* a zero-timeout poll loop must not starve the network */
        return n;
    }
    uint64_t deadline = timeout_ms < 0 ? SCHED_NO_DEADLINE
                                        : uk_clock_monotonic() + (uint64_t)timeout_ms * 1000000ULL;
    for (;;) {
        int n = poll_once(fds, nfds);
        uint64_t now = uk_clock_monotonic();
        if (n == 0 && timeout_ms == 0)
            sched_yield_thread();
        if (n || now >= deadline)
            return n;
        uint64_t next = now + POLL_SLICE_NS;
        sched_block(NULL, next < deadline ? next : deadline);
    }
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout)
{
    struct pollfd pfd[FD_SETSIZE];
    nfds_t n = 0;
    if (nfds < 0 || nfds > FD_SETSIZE)
        return libos_fail(EINVAL);
    for (int fd = 0; fd < nfds; fd++) {
        short ev = (short)((rd && FD_ISSET(fd, rd) ? POLLIN : 0) | (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
                           (ex && FD_ISSET(fd, ex) ? POLLPRI : 0));
        if (ev)
            pfd[n++] = (struct pollfd){.fd = fd, .events = ev};
    }
    int ms = timeout ? (int)(timeout->tv_sec * 1000 + timeout->tv_usec / 1000) : -1;
    int r = poll(pfd, n, ms);
    if (r < 0)
        return r;
    for (nfds_t i = 0; i < n; i++)
        if (pfd[i].revents & POLLNVAL)
            return libos_fail(EBADF);
    if (rd)
        FD_ZERO(rd);
    if (wr)
        FD_ZERO(wr);
    if (ex)
        FD_ZERO(ex);
    int count = 0;
    for (nfds_t i = 0; i < n; i++) {
        short rev = pfd[i].revents;
        if (rd && (rev & (POLLIN | POLLHUP | POLLERR)) && (pfd[i].events & POLLIN)) {
            FD_SET(pfd[i].fd, rd);
            count++;
        }
        if (wr && (rev & (POLLOUT | POLLERR)) && (pfd[i].events & POLLOUT)) {
            FD_SET(pfd[i].fd, wr);
            count++;
        }
    }
    return count;
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int s = socket_lwip_fd(fd);
    if (s < 0)
        return errno == ENOTSOCK ? libos_fail(ENOTTY) : -1;
    if (request == (unsigned long)FIONBIO) {
        struct fd_entry *e = fd_get(fd);
        int on = *(int *)arg != 0;
        if (e->ops->set_nonblock(e->obj, on) < 0)
            return -1;
        e->flags = on ? (e->flags | O_NONBLOCK) : (e->flags & ~O_NONBLOCK);
        return 0;
    }
    return lwip_ioctl(s, (long)request, arg);
}
