/* qemu.c: running QEMU for one guest: status memfd, fork+exec, signals, exit status. */
#include "qemu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <unikit/boot_abi.h>

#include "accel.h"
#include "exitcode.h"
#include "guest_cmdline.h"
#include "instance_run.h"
#include "qemu_uefi.h"

/* The signals passed on to QEMU, so that stopping unikit stops the guest. */
static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define NFORWARDED (int)(sizeof(forwarded_signals) / sizeof(forwarded_signals[0]))

static volatile sig_atomic_t qemu_pid;
static volatile sig_atomic_t signal_forwarded;

static void forward_signal(int sig)
{
    signal_forwarded = sig;
    if (qemu_pid > 0)
        kill((pid_t)qemu_pid, sig);
}

/* The file descriptors and signal state one run holds. */
struct qemu_run_state {
    int console_fd;  /* --console file, -1 for stdout */
    int status_fd;   /* memfd receiving the guest's status byte, -1 if none */
    int exec_pipe[2];/* child reports exec failure (errno) through it */
    int relay[2];    /* --firmware uefi: QEMU's serial, filtered by uefi_console_relay */
    sigset_t old_mask;
    struct sigaction old_actions[NFORWARDED];
};

static int open_console(const char *path, struct uk_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        uk_error_set(err, errno, "console: cannot open `%s`", path);
    return fd;
}

/* Runs in the child between fork and exec: only async-signal-safe calls. */
static void exec_child(const struct qemu_command *cmd, const struct qemu_run_state *st,
                       const struct run_config *cfg)
{
    struct sigaction dfl;
    int e;

    /* Dies with the launcher, like unikit's VMM; in the instance's cgroup before it runs. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if ((e = -instance_child_enter(cfg)) != 0) {
        if (write(st->exec_pipe[1], &e, sizeof(e)) < 0) {
            /* the exit status says it */
        }
        _exit(127);
    }

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int i = 0; i < NFORWARDED; i++)
        sigaction(forwarded_signals[i], &dfl, NULL);
    sigprocmask(SIG_SETMASK, &st->old_mask, NULL);
    /* QEMU opens these through /proc/self/fd/N, so they must survive exec. */
    if (st->console_fd >= 0)
        fcntl(st->console_fd, F_SETFD, 0);
    if (st->status_fd >= 0)
        fcntl(st->status_fd, F_SETFD, 0);
    if (st->relay[1] >= 0)
        fcntl(st->relay[1], F_SETFD, 0);
    execvp(cmd->argv[0], (char *const *)cmd->argv);
    e = errno;
    if (write(st->exec_pipe[1], &e, sizeof(e)) < 0) {
        /* nothing more can be done; the exit status says it */
    }
    _exit(127);
}

static void install_forwarding(struct qemu_run_state *st)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NFORWARDED; i++)
        sigaction(forwarded_signals[i], &sa, &st->old_actions[i]);
}

static void restore_signals(const struct qemu_run_state *st)
{
    for (int i = 0; i < NFORWARDED; i++)
        sigaction(forwarded_signals[i], &st->old_actions[i], NULL);
    sigprocmask(SIG_SETMASK, &st->old_mask, NULL);
}

/* The last byte the guest wrote to the status port, if any. */
static void read_status(int fd, struct qemu_outcome *o)
{
    struct stat sb;
    uint8_t byte;

    if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size <= 0)
        return;
    if (pread(fd, &byte, 1, sb.st_size - 1) == 1) {
        o->have_status = true;
        o->status = byte;
    }
}

/* Forks and execs QEMU, waits for it; fills (*o). Returns 0, or -1 if it never ran. */
static int spawn_and_wait(const struct qemu_command *cmd, struct qemu_run_state *st,
                          const struct run_config *cfg, struct qemu_outcome *o,
                          struct uk_error *err)
{
    sigset_t block;
    pid_t pid;
    int wstatus, exec_errno = 0;
    ssize_t n;

    sigemptyset(&block);
    for (int i = 0; i < NFORWARDED; i++)
        sigaddset(&block, forwarded_signals[i]);
    /* Blocked until the handlers know the pid, so no signal is lost. */
    sigprocmask(SIG_BLOCK, &block, &st->old_mask);
    pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &st->old_mask, NULL);
        return uk_error_set(err, errno, "qemu: fork");
    }
    if (pid == 0)
        exec_child(cmd, st, cfg);

    qemu_pid = pid;
    instance_child_started(cfg, pid);
    signal_forwarded = 0;
    install_forwarding(st);
    sigprocmask(SIG_SETMASK, &st->old_mask, NULL);

    close(st->exec_pipe[1]);
    st->exec_pipe[1] = -1;
    do {
        n = read(st->exec_pipe[0], &exec_errno, sizeof(exec_errno));
    } while (n < 0 && errno == EINTR);
    int relay_failed = 0;
    if (st->relay[0] >= 0 && n != (ssize_t)sizeof(exec_errno)) {
        close(st->relay[1]); /* so that the relay sees end of file when QEMU exits */
        st->relay[1] = -1;
        relay_failed = uefi_console_relay(st->relay[0], st->console_fd >= 0 ? st->console_fd
                                                                             : STDOUT_FILENO,
                                          pid, err) < 0;
    }

    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            uk_error_set(err, errno, "qemu: waitpid");
            restore_signals(st);
            qemu_pid = 0;
            return -1;
        }
    }
    qemu_pid = 0;
    restore_signals(st);

    if (n == (ssize_t)sizeof(exec_errno))
        return uk_error_set(err, exec_errno, "qemu: cannot run `%s`", cmd->argv[0]);
    if (relay_failed)
        return -1;
    o->exited = WIFEXITED(wstatus);
    o->exit_code = o->exited ? WEXITSTATUS(wstatus) : 0;
    o->term_signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    o->forwarded_signal = signal_forwarded;
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

int qemu_run(const struct run_config *cfg, struct uk_error *err)
{
    struct qemu_run_state st = {.console_fd = -1, .status_fd = -1, .exec_pipe = {-1, -1},
                                .relay = {-1, -1}};
    struct qemu_outcome outcome = {0};
    struct qemu_command cmd = {0};
    struct qemu_uefi uefi = {0};
    char kopt_text[QEMU_MAX_KOPTS][64];
    const char *kopts[QEMU_MAX_KOPTS];
    enum run_accel accel;
    const char *binary = getenv(QEMU_BINARY_ENV);
    char why[UK_ERROR_MSG_MAX];
    char *cmdline = NULL;
    int status = UK_EXIT_LAUNCHER;

    err->msg[0] = '\0';
    err->errnum = 0;
    if (binary == NULL || binary[0] == '\0')
        binary = QEMU_DEFAULT_BINARY;
    if (accel_choose(cfg->accel, &accel, err) < 0)
        return UK_EXIT_LAUNCHER;
    cmdline = malloc(UK_CMDLINE_MAX);
    if (cmdline == NULL) {
        uk_error_set(err, errno, "qemu: cannot allocate the command line");
        return UK_EXIT_LAUNCHER;
    }
    if (guest_cmdline_build(cfg, "qemu", kopts, qemu_device_kopts(cfg, kopt_text, kopts),
                            cmdline, UK_CMDLINE_MAX, err) < 0)
        goto out;
    if (cfg->console_path && (st.console_fd = open_console(cfg->console_path, err)) < 0)
        goto out;
    /* Without a usable port the status still arrives through isa-debug-exit (0..127). */
    if (qemu_status_port_usable(UK_PORT_EXIT_STATUS)) {
        st.status_fd = memfd_create("unikit-status", MFD_CLOEXEC);
        if (st.status_fd < 0) {
            uk_error_set(err, errno, "qemu: memfd_create for the exit status");
            goto out;
        }
    }
    if (pipe2(st.exec_pipe, O_CLOEXEC) < 0) {
        uk_error_set(err, errno, "qemu: pipe");
        goto out;
    }
    if (cfg->firmware == FIRMWARE_UEFI) {
        if (qemu_uefi_prepare(&uefi, cfg, cmdline, err) < 0)
            goto out;
        cmd.uefi = &uefi;
        if (pipe2(st.relay, O_CLOEXEC) < 0) {
            uk_error_set(err, errno, "qemu: pipe for the console");
            goto out;
        }
    }
    if (qemu_command_build(&cmd, binary, cfg, accel, cmdline,
                           st.relay[1] >= 0 ? st.relay[1] : st.console_fd, st.status_fd,
                           err) < 0)
        goto out;
    if (spawn_and_wait(&cmd, &st, cfg, &outcome, err) < 0)
        goto out;
    outcome.status_captured = st.status_fd >= 0;
    read_status(st.status_fd, &outcome);
    status = exitcode_from_qemu(&outcome, why, sizeof(why));
    if (why[0] != '\0')
        uk_error_set(err, 0, "%s", why);
out:
    qemu_command_release(&cmd);
    close_fd(&st.exec_pipe[0]);
    close_fd(&st.exec_pipe[1]);
    close_fd(&st.status_fd);
    close_fd(&st.console_fd);
    close_fd(&st.relay[0]);
    close_fd(&st.relay[1]);
    qemu_uefi_release(&uefi);
    free(cmdline);
    return status;
}
