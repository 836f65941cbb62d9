/* socket.c: POSIX sockets as libos descriptors over lwIP's socket API. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lwip/sockets.h"

#include "fd.h"
#include "libos.h"

/* Using sockets brings the network up at start: keep net_init in the link. */
void net_init(void);
static void (*const bring_network_up)(void) __attribute__((used)) = net_init;

/* The lwIP socket number travels in the descriptor's object pointer (+1, so it is never NULL). */
static int lwip_of(void *obj)
{
    return (int)(intptr_t)obj - 1;
}

static ssize_t sock_read(void *obj, void *buf, size_t len)
{
    return lwip_read(lwip_of(obj), buf, len);
}

static ssize_t sock_write(void *obj, const void *buf, size_t len)
{
    return lwip_write(lwip_of(obj), buf, len);
}

static int sock_close(void *obj)
{
    return lwip_close(lwip_of(obj));
}

static int sock_fstat(void *obj, struct stat *st)
{
    (void)obj;
    *st = (struct stat){.st_mode = S_IFSOCK | 0777, .st_blksize = 4096};
    return 0;
}

static int sock_poll(void *obj)
{
    struct pollfd p = {.fd = lwip_of(obj), .events = POLLIN | POLLOUT};
    if (lwip_poll(&p, 1, 0) <= 0)
        return 0;
    return (p.revents & POLLIN ? FD_READABLE : 0) | (p.revents & POLLOUT ? FD_WRITABLE : 0) |
           (p.revents & POLLERR ? FD_ERROR : 0) | (p.revents & POLLHUP ? FD_HANGUP : 0);
}

/* Through FIONBIO: lwIP's O_NONBLOCK is not newlib's (its sockets.c never sees <fcntl.h>). */
static int sock_set_nonblock(void *obj, int on)
{
    int arg = on;
    return lwip_ioctl(lwip_of(obj), (long)FIONBIO, &arg);
}

static const struct fd_ops socket_ops = {
    .kind = "socket",
    .read = sock_read,
    .write = sock_write,
    .close = sock_close,
    .fstat = sock_fstat,
    .poll = sock_poll,
    .set_nonblock = sock_set_nonblock,
};

int socket_lwip_fd(int fd)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if (e->ops != &socket_ops)
        return libos_fail(ENOTSOCK);
    return lwip_of(e->obj);
}

/* Wraps a new lwIP socket (s) in a descriptor, closing it if the table is full. */
static int wrap(int s, int flags)
{
    if (s < 0)
        return -1;
    int fd = fd_alloc(&socket_ops, (void *)(intptr_t)(s + 1), O_RDWR | flags);
    if (fd < 0)
        lwip_close(s);
    return fd;
}

int socket(int domain, int type, int protocol)
{
    int nonblock = type & SOCK_NONBLOCK;
    int s = lwip_socket(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), protocol);
    if (s >= 0 && nonblock)
        sock_set_nonblock((void *)(intptr_t)(s + 1), 1);
    return wrap(s, nonblock ? O_NONBLOCK : 0);
}

#define LWIP_S(fd)                                                                                 \
    int s = socket_lwip_fd(fd);                                                                    \
    if (s < 0)                                                                                     \
    return -1

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    LWIP_S(fd);
    return lwip_bind(s, addr, len);
}

int listen(int fd, int backlog)
{
    LWIP_S(fd);
    return lwip_listen(s, backlog);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    LWIP_S(fd);
    int c = lwip_accept(s, addr, len);
    if (c >= 0 && (flags & SOCK_NONBLOCK))
        sock_set_nonblock((void *)(intptr_t)(c + 1), 1);
    return wrap(c, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    LWIP_S(fd);
    int r = lwip_connect(s, addr, len);
    if (r < 0 && errno == ECONNRESET)
        errno = ECONNREFUSED; /* a reset answering our SYN: Linux says refused */
    return r;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    LWIP_S(fd);
    return lwip_send(s, buf, len, flags & ~MSG_NOSIGNAL);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    LWIP_S(fd);
    return lwip_recv(s, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
    LWIP_S(fd);
    return lwip_sendto(s, buf, len, flags & ~MSG_NOSIGNAL, to, tolen);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
    LWIP_S(fd);
    return lwip_recvfrom(s, buf, len, flags, from, fromlen);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    LWIP_S(fd);
    return lwip_sendmsg(s, msg, flags & ~MSG_NOSIGNAL);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    LWIP_S(fd);
    return lwip_recvmsg(s, msg, flags);
}

int shutdown(int fd, int how)
{
    LWIP_S(fd);
    return lwip_shutdown(s, how);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    LWIP_S(fd);
    return lwip_setsockopt(s, level, name, val, len);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    LWIP_S(fd);
    return lwip_getsockopt(s, level, name, val, len);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    LWIP_S(fd);
    return lwip_getsockname(s, addr, len);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    LWIP_S(fd);
    return lwip_getpeername(s, addr, len);
}
