/* syscalls.c: newlib's process and memory system calls on the unikit kernel (descriptors: fd.c; paths: files.c). */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
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
 * There is one process. A signal to it does what the default action would:
 * SIGABRT (abort()) and the fault signals become a panic with a backtrace;
 * terminating signals end the guest with 128 + the signal, as a shell shows
 * a killed process (handlers the app installed run first: newlib's raise()
 * calls them and only comes here for SIG_DFL).
 */
int kill(pid_t pid, int sig)
{
    if (pid != LIBOS_PID && pid != 0 && pid != -1)
        return libos_fail(ESRCH);
    switch (sig) {
    case 0:
        return 0;
    case SIGABRT:
        uk_panic("abort() called");
    case SIGSEGV:
    case SIGILL:
    case SIGFPE:
    case SIGBUS:
    case SIGTRAP:
        uk_panic("killed by signal %d", sig);
    case SIGKILL:
        _exit(128 + SIGKILL);
    case SIGTERM:
    case SIGINT:
    case SIGHUP:
    case SIGQUIT:
    case SIGPIPE:
    case SIGALRM:
    case SIGUSR1:
    case SIGUSR2:
        exit(128 + sig); /* stdio is flushed, atexit handlers run */
    default:
        if (sig < 0 || sig >= NSIG)
            return libos_fail(EINVAL);
        return 0; /* the default action of the rest is to ignore */
    }
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
