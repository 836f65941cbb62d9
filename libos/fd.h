/* fd.h: the libos' file-descriptor table — console, files, block devices and sockets behind one ops table each. */
#ifndef LIBOS_FD_H
#define LIBOS_FD_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define FD_MAX 1024

/* Readiness bits, the same as poll()'s POLLIN / POLLOUT / POLLERR / POLLHUP. */
#define FD_READABLE 0x001
#define FD_WRITABLE 0x004
#define FD_ERROR 0x008
#define FD_HANGUP 0x010

/*
 * What one kind of descriptor can do. A NULL entry means the operation does
 * not apply (the caller fails it with the errno POSIX gives, e.g. ESPIPE or
 * EINVAL). Functions return what the POSIX call returns and set errno.
 */
struct fd_ops {
    const char *kind; /* "console", "file", "block", "socket" */
    ssize_t (*read)(void *obj, void *buf, size_t len);
    ssize_t (*write)(void *obj, const void *buf, size_t len);
    ssize_t (*pread)(void *obj, void *buf, size_t len, off_t offset);
    ssize_t (*pwrite)(void *obj, const void *buf, size_t len, off_t offset);
    off_t (*lseek)(void *obj, off_t offset, int whence);
    int (*fstat)(void *obj, struct stat *st);
    int (*fsync)(void *obj);
    int (*close)(void *obj);
    /* Returns the FD_* bits that are true now, without blocking. */
    int (*poll)(void *obj);
    /* O_NONBLOCK changed (sockets pass it on to lwIP). */
    int (*set_nonblock)(void *obj, int on);
};

struct fd_entry {
    const struct fd_ops *ops; /* NULL: the slot is free */
    void *obj;
    int flags; /* O_ACCMODE bits, O_NONBLOCK, O_APPEND */
};

/* Returns the lowest free descriptor bound to (ops, obj), or -1 with errno EMFILE. */
int fd_alloc(const struct fd_ops *ops, void *obj, int flags);

/* Returns the entry for (fd), or NULL with errno EBADF. */
struct fd_entry *fd_get(int fd);

/* Frees (fd) without calling its close operation. */
void fd_release(int fd);

#endif
