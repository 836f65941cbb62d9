/* syscalls.c: newlib's process and memory system calls on the unikit kernel (descriptors: fd.c; paths: files.c). */
#include <signal.h>
#include <stdint.h>
#include <sys/times.h>
#include <unistd.h>

#include "libos.h"

#define LIBOS_PID 1

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
