/* fd.c: the descriptor table and the POSIX calls that only dispatch through it. */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "fd.h"
#include "libos.h"

static struct fd_entry fd_table[FD_MAX];

int fd_alloc(const struct fd_ops *ops, void *obj, int flags)
{
    for (int fd = 0; fd < FD_MAX; fd++) {
        if (!fd_table[fd].ops) {
            fd_table[fd] = (struct fd_entry){.ops = ops, .obj = obj, .flags = flags};
            return fd;
        }
    }
    return libos_fail(EMFILE);
}

struct fd_entry *fd_get(int fd)
{
    if (fd < 0 || fd >= FD_MAX || !fd_table[fd].ops) {
        errno = EBADF;
        return NULL;
    }
    return &fd_table[fd];
}

void fd_release(int fd)
{
    if (fd >= 0 && fd < FD_MAX)
        fd_table[fd] = (struct fd_entry){0};
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if ((e->flags & O_ACCMODE) == O_WRONLY || !e->ops->read)
        return libos_fail(EBADF);
    return e->ops->read(e->obj, buf, len);
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if ((e->flags & O_ACCMODE) == O_RDONLY || !e->ops->write)
        return libos_fail(EBADF);
    return e->ops->write(e->obj, buf, len);
}

ssize_t pread(int fd, void *buf, size_t len, off_t offset)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if ((e->flags & O_ACCMODE) == O_WRONLY)
        return libos_fail(EBADF);
    if (!e->ops->pread)
        return libos_fail(ESPIPE);
    return e->ops->pread(e->obj, buf, len, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t offset)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if ((e->flags & O_ACCMODE) == O_RDONLY)
        return libos_fail(EBADF);
    if (!e->ops->pwrite)
        return libos_fail(ESPIPE);
    return e->ops->pwrite(e->obj, buf, len, offset);
}

off_t lseek(int fd, off_t offset, int whence)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if (!e->ops->lseek)
        return libos_fail(ESPIPE);
    return e->ops->lseek(e->obj, offset, whence);
}

int fstat(int fd, struct stat *st)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if (!e->ops->fstat)
        return libos_fail(EINVAL);
    return e->ops->fstat(e->obj, st);
}

int fsync(int fd)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if (!e->ops->fsync)
        return libos_fail(EINVAL);
    return e->ops->fsync(e->obj);
}

int close(int fd)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    int r = e->ops->close ? e->ops->close(e->obj) : 0;
    fd_release(fd);
    return r;
}

/* Files on / are read-only and disks have a fixed size: nothing can be truncated. */
int ftruncate(int fd, off_t length)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    if (length < 0)
        return libos_fail(EINVAL);
    return libos_fail(e->ops->kind[0] == 'f' ? EROFS : EINVAL);
}

int isatty(int fd)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return 0;
    if (e->ops->kind[0] != 'c') { /* only the console is a terminal */
        errno = ENOTTY;
        return 0;
    }
    return 1;
}

int fcntl(int fd, int cmd, ...)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, cmd);
    int arg = cmd == F_SETFL || cmd == F_SETFD || cmd == F_DUPFD ? va_arg(ap, int) : 0;
    va_end(ap);
    switch (cmd) {
    case F_GETFL:
        return e->flags;
    case F_SETFL: {
        int on = (arg & O_NONBLOCK) != 0;
        if (e->ops->set_nonblock && e->ops->set_nonblock(e->obj, on) < 0)
            return -1;
        e->flags = (e->flags & ~(O_NONBLOCK | O_APPEND)) | (arg & (O_NONBLOCK | O_APPEND));
        return 0;
    }
    case F_GETFD:
    case F_SETFD:
        return 0; /* there is no exec: FD_CLOEXEC has nothing to do */
    default:
        return libos_fail(EINVAL);
    }
}
