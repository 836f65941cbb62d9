/* syscalls.c: newlib's system calls on the unikit kernel — console I/O, heap, process stubs. */
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <unistd.h>

#include "libos.h"

#define LIBOS_PID 1

int libos_is_console_fd(int fd)
{
    return fd >= 0 && fd <= 2;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2)
        return libos_fail(EBADF);
    uk_console_write(buf, len);
    return (_READ_WRITE_RETURN_TYPE)len;
}

/* Blocks until at least one byte has arrived on the console. */
_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
    if (fd != 0)
        return libos_fail(EBADF);
    if (len == 0)
        return 0;
    for (;;) {
        size_t n = uk_console_read(buf, len);
        if (n)
            return (_READ_WRITE_RETURN_TYPE)n;
        uk_wait(uk_clock_monotonic() + 1000000); /* poll the UART every ms */
    }
}

int close(int fd)
{
    if (libos_is_console_fd(fd))
        return 0;
    return libos_fail(EBADF);
}

int fstat(int fd, struct stat *st)
{
    if (!libos_is_console_fd(fd))
        return libos_fail(EBADF);
    *st = (struct stat){.st_mode = S_IFCHR | 0620, .st_blksize = 1024};
    return 0;
}

int isatty(int fd)
{
    if (libos_is_console_fd(fd))
        return 1;
    errno = EBADF;
    return 0;
}

off_t lseek(int fd, off_t offset, int whence)
{
    (void)offset;
    (void)whence;
    return libos_fail(libos_is_console_fd(fd) ? ESPIPE : EBADF);
}

/* No file system yet: every path is missing. */
int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    return libos_fail(ENOENT);
}

int stat(const char *path, struct stat *st)
{
    (void)path;
    (void)st;
    return libos_fail(ENOENT);
}

int unlink(const char *path)
{
    (void)path;
    return libos_fail(ENOENT);
}

int link(const char *old, const char *new)
{
    (void)old;
    (void)new;
    return libos_fail(ENOENT);
}

void *sbrk(ptrdiff_t increment)
{
    void *old = uk_heap_grow(increment);
    if (!old) {
        errno = ENOMEM;
        return (void *)-1;
    }
    return old;
}

pid_t getpid(void)
{
    return LIBOS_PID;
}

/*
 * There is one process. A signal to it that would end a process (abort()
 * sends SIGABRT) becomes a panic with a backtrace; anything else is refused.
 */
int kill(pid_t pid, int sig)
{
    if (pid != LIBOS_PID && pid != 0 && pid != -1)
        return libos_fail(ESRCH);
    if (sig == 0)
        return 0;
    if (sig == SIGABRT)
        uk_panic("abort() called");
    if (sig == SIGKILL || sig == SIGTERM || sig == SIGQUIT || sig == SIGSEGV || sig == SIGILL ||
        sig == SIGFPE || sig == SIGBUS)
        uk_panic("killed by signal %d", sig);
    return libos_fail(EINVAL);
}

void _exit(int status)
{
    uk_exit(status);
}

pid_t fork(void)
{
    return libos_fail(ENOSYS);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path;
    (void)argv;
    (void)envp;
    return libos_fail(ENOSYS);
}

pid_t wait(int *status)
{
    (void)status;
    return libos_fail(ECHILD);
}
