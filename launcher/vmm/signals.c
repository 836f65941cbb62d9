/* signals.c: SIGINT and SIGTERM stop the guest cleanly, between two exits. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include "vmm_internal.h"

/*
 * The handler only records the signal and sets kvm_run.immediate_exit: if it
 * lands while the vCPU runs, KVM_RUN returns EINTR; if it lands just before
 * KVM_RUN, immediate_exit makes that KVM_RUN return at once. Either way the
 * loop sees the signal before entering the guest again. A wait hypercall
 * blocked in epoll watches the read end of a pipe the handler writes to, so
 * a signal that lands just before epoll_wait wakes it all the same.
 */
static volatile sig_atomic_t pending_signal;
/* Stop notices: accepted by the guest; 0 none yet, 1 pending, 2 delivered. */
static volatile sig_atomic_t stop_accepted, stop_notice;
static struct kvm_run *volatile signal_run;
static struct sigaction saved_int, saved_term;
static int wake_pipe[2] = {-1, -1};

static void on_stop_signal(int sig)
{
    int saved_errno = errno;
    if (sig == SIGTERM && stop_accepted && stop_notice == 0) {
        stop_notice = 1; /* the guest ends in its own time; a second SIGTERM forces it */
    } else {
        pending_signal = sig;
        if (signal_run != NULL)
            signal_run->immediate_exit = 1;
    }
    if (wake_pipe[1] >= 0)
        (void)!write(wake_pipe[1], "", 1);
    errno = saved_errno;
}

int signals_install(struct vmm *vmm)
{
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    pending_signal = 0;
    stop_accepted = stop_notice = 0;
    signal_run = vmm->run;
    if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        return vmm_fail(errno, "create the signal wake-up pipe");
    if (sigaction(SIGINT, &sa, &saved_int) < 0 ||
        sigaction(SIGTERM, &sa, &saved_term) < 0)
        return vmm_fail(errno, "install the SIGINT/SIGTERM handlers");
    /* sandbox.c blocked them across the fork; one that came in between
     * is delivered now, to the handler above. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (sigprocmask(SIG_UNBLOCK, &stop, NULL) < 0)
        return vmm_fail(errno, "unblock SIGINT/SIGTERM");
    return 0;
}

int signals_pending(void)
{
    return pending_signal;
}

int signals_wake_fd(void)
{
    return wake_pipe[0];
}

void signals_accept_stop(void)
{
    stop_accepted = 1;
}

bool signals_stop_notice_pending(void)
{
    return stop_notice == 1;
}

bool signals_take_stop_notice(void)
{
    if (stop_notice != 1)
        return false;
    stop_notice = 2;
    char drain[16];
    while (read(wake_pipe[0], drain, sizeof drain) > 0)
        ; /* the wake-up is consumed: later waits block again */
    return true;
}

void signals_restore(void)
{
    sigaction(SIGINT, &saved_int, NULL);
    sigaction(SIGTERM, &saved_term, NULL);
    signal_run = NULL;
    for (int i = 0; i < 2; i++) {
        if (wake_pipe[i] >= 0)
            close(wake_pipe[i]);
        wake_pipe[i] = -1;
    }
}
