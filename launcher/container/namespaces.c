/* namespaces.c: the container's namespaces: clone3 into new ones, the uid/gid maps, becoming root inside. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container_internal.h"

/*
 * The cgroup namespace is left out here: the parent first moves the child
 * into the instance's cgroup, and only then does the child unshare it, so
 * that its /proc/self/cgroup shows "/" for that cgroup.
 */
#define NS_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | \
                  CLONE_NEWIPC)

pid_t ns_clone(struct uk_error *err)
{
    struct clone_args args;
    long pid;

    /* Without a stack, clone3 behaves like fork: the child returns here on a copy of ours. */
    memset(&args, 0, sizeof(args));
    args.flags = NS_FLAGS;
    args.exit_signal = SIGCHLD;
    pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0 && errno == ENOSYS) /* before Linux 5.3 */
        pid = syscall(SYS_clone, NS_FLAGS | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0) {
        if (errno == EPERM || errno == ENOSPC || errno == EUSERS)
            return uk_error_set(err, errno, "container: clone into new namespaces (are user "
                                "namespaces allowed? see /proc/sys/user/max_user_namespaces)");
        return uk_error_set(err, errno, "container: clone into new namespaces");
    }
    return (pid_t)pid;
}

static int write_file(const char *path, const char *text, struct uk_error *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return uk_error_set(err, errno, "container: open %s", path);
    n = write(fd, text, strlen(text));
    if (n != (ssize_t)strlen(text)) {
        int e = n < 0 ? errno : EIO;
        close(fd);
        return uk_error_set(err, e, "container: write %s", path);
    }
    close(fd);
    return 0;
}

int ns_write_id_maps(pid_t pid, struct uk_error *err)
{
    char path[64], map[64];

    /* One line, "inside outside count"; written by root outside, so setgroups stays allowed. */
    snprintf(map, sizeof(map), "0 %u %u\n", CONTAINER_ID_BASE, CONTAINER_ID_COUNT);
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
    if (write_file(path, map, err) < 0)
        return -1;
    snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
    return write_file(path, map, err);
}

int ns_become_root(const char *hostname, struct uk_error *err)
{
    /* Until now we were the host's root, which has no name inside: take uid/gid 0 of the map. */
    if (setgroups(0, NULL) < 0)
        return uk_error_set(err, errno, "container: setgroups");
    if (setresgid(0, 0, 0) < 0)
        return uk_error_set(err, errno, "container: setresgid 0");
    if (setresuid(0, 0, 0) < 0)
        return uk_error_set(err, errno, "container: setresuid 0");
    if (unshare(CLONE_NEWCGROUP) < 0)
        return uk_error_set(err, errno, "container: unshare the cgroup namespace");
    if (sethostname(hostname, strlen(hostname)) < 0)
        return uk_error_set(err, errno, "container: sethostname `%s`", hostname);
    return 0;
}
