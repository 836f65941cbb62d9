/* sandbox.c: vmm_run: the VMM runs in a child process under its seccomp filter while the launcher waits, unconfined. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instance_run.h"
#include "unikit/boot_abi.h"
#include "vmm.h"
#include "vmm_internal.h"

/*
 * Why a child: the filter (seccomp.c) is for the code that faces the guest.
 * The launcher around it must stay free to do what the guest's end calls
 * for — report the status, and later write the instance's state files and
 * remove its cgroup — which a process confined to "KVM_RUN, read, write"
 * could not. The child opens everything, installs the filter, runs the
 * guest and exits with its status; it dies with the launcher
 * (PR_SET_PDEATHSIG), so a killed launcher leaves no VMM behind. The
 * fork costs a few tens of microseconds (the launcher is small).
 *
 * SIGINT and SIGTERM sent to the launcher are forwarded; they are blocked
 * from before the fork until each side has its handler (the child unblocks
 * them in signals_install), so none is lost in between.
 */
static volatile sig_atomic_t vmm_pid;

static void forward_signal(int sig)
{
    int saved_errno = errno;
    if (vmm_pid > 0)
        kill((pid_t)vmm_pid, sig);
    errno = saved_errno;
}

static int status_of(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    int sig = WTERMSIG(wstatus);
    if (sig == SIGSYS) {
        vmm_fail(0, "the VMM process made a system call outside its seccomp "
                    "allowlist and was killed (SIGSYS)");
        return UK_EXIT_LAUNCHER;
    }
    vmm_fail(0, "the VMM process was killed by signal %d (%s)", sig,
             strsignal(sig));
    return 128 + sig;
}

static void child(const struct run_config *cfg, pid_t launcher)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != launcher)
        _exit(UK_EXIT_LAUNCHER); /* the launcher is already gone */
    /* Into the instance's cgroup before guest memory is mapped, so all of it counts. */
    int e = instance_child_enter(cfg);
    if (e < 0) {
        vmm_fail(-e, "join the instance's cgroup");
        _exit(UK_EXIT_LAUNCHER);
    }
    _exit(vmm_boot(cfg));
}

int vmm_run(const struct run_config *cfg)
{
    sigset_t stop, saved_mask;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, &saved_mask);

    pid_t launcher = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        vmm_fail(errno, "fork the VMM process");
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        return UK_EXIT_LAUNCHER;
    }
    if (pid == 0)
        child(cfg, launcher);

    struct sigaction sa = {.sa_handler = forward_signal}, saved_int,
                     saved_term;
    sigemptyset(&sa.sa_mask);
    vmm_pid = pid;
    sigaction(SIGINT, &sa, &saved_int);
    sigaction(SIGTERM, &sa, &saved_term);
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    instance_child_started(cfg, pid);

    int wstatus = 0, status;
    pid_t got;
    do
        got = waitpid(pid, &wstatus, 0);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        vmm_fail(errno, "wait for the VMM process");
        status = UK_EXIT_LAUNCHER;
    } else {
        status = status_of(wstatus);
    }

    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
    vmm_pid = 0;
    return status;
}
