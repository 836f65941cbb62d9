/* detach.c: `unikit run -d`: the run goes on in a background supervisor; the caller prints the name once it started. */
#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <unikit/boot_abi.h>

static void now_supervising(struct instance *inst, void *ctx)
{
    (void)ctx;
    inst->supervisor_pid = getpid();
    inst->supervisor_start = proc_start_time(getpid());
}

/*
 * The supervisor: a grandchild in a session of its own (no terminal, so no
 * SIGINT/SIGHUP from it), its stdin /dev/null, stdout and stderr appended to
 * the instance's console.log — where the VMM's or QEMU's console goes too.
 */
static int become_supervisor(struct run_instance *ri, int ready_fd, struct uk_error *err)
{
    char log[PATH_MAX];
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC), out;

    if (state_path(ri->inst.name, "console.log", log, sizeof(log)) < 0)
        return uk_error_set(err, ENAMETOOLONG, "run: console log of %s", ri->inst.name);
    out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (in < 0 || out < 0)
        return uk_error_set(err, errno, "run: open %s", in < 0 ? "/dev/null" : log);
    if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(out, STDERR_FILENO) < 0)
        return uk_error_set(err, errno, "run: redirect the supervisor's output");
    close(in);
    close(out);
    if (state_update(ri->inst.name, now_supervising, NULL, err) < 0)
        return -1;
    now_supervising(&ri->inst, NULL);
    ri->ready_fd = ready_fd;
    return 0;
}

int detach_start(struct run_instance *ri, int *status, struct uk_error *err)
{
    int ready[2];
    char byte;

    if (pipe2(ready, O_CLOEXEC) < 0)
        return uk_error_set(err, errno, "run: pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(ready[0]);
        close(ready[1]);
        return uk_error_set(err, errno, "run: fork the supervisor");
    }
    if (pid == 0) {
        close(ready[0]);
        if (setsid() < 0)
            _exit(UK_EXIT_LAUNCHER);
        pid_t grandchild = fork();
        if (grandchild != 0)
            _exit(grandchild < 0 ? UK_EXIT_LAUNCHER : 0);
        if (become_supervisor(ri, ready[1], err) < 0) {
            uk_error_print(err);
            _exit(UK_EXIT_LAUNCHER);
        }
        return DETACH_SUPERVISOR;
    }
    close(ready[1]);
    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    ssize_t n;
    do
        n = read(ready[0], &byte, 1);
    while (n < 0 && errno == EINTR);
    close(ready[0]);
    if (n == 1) {
        printf("%s\n", ri->inst.name);
        *status = 0;
    } else {
        uk_warn("run: %s ended before its guest started (see `unikit logs %s`)", ri->inst.name,
                ri->inst.name);
        *status = UK_EXIT_LAUNCHER;
    }
    return DETACH_CALLER;
}
