/* netns.c: which network namespace the launcher's network work happens in (UNIKIT_NETNS), and stepping into a container's. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

#define NETNS_DIR "/run/netns" /* where `ip netns add` puts its names */

int netns_enter_from_env(struct uk_error *err)
{
    const char *name = getenv(NET_NETNS_ENV);
    char path[PATH_MAX];
    int fd;

    if (name == NULL || name[0] == '\0')
        return 0;
    if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return uk_error_set(err, 0, "net: %s=%s: expected the name of a namespace in %s "
                            "(`ip netns add NAME`)", NET_NETNS_ENV, name, NETNS_DIR);
    snprintf(path, sizeof(path), "%s/%s", NETNS_DIR, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return uk_error_set(err, errno, "net: %s=%s: open %s", NET_NETNS_ENV, name, path);
    if (setns(fd, CLONE_NEWNET) < 0) {
        int e = errno;
        close(fd);
        return uk_error_set(err, e, "net: %s=%s: enter it", NET_NETNS_ENV, name);
    }
    close(fd);
    return 0;
}

int netns_run_in(pid_t pid, int (*fn)(void *arg, struct uk_error *err), void *arg,
                 struct uk_error *err)
{
    char path[64];
    int here, there, rc;

    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
    here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    there = open(path, O_RDONLY | O_CLOEXEC);
    if (here < 0 || there < 0 || setns(there, CLONE_NEWNET) < 0) {
        rc = uk_error_set(err, errno, "net: enter the network namespace of %d", (int)pid);
        goto out;
    }
    rc = fn(arg, err);
    if (setns(here, CLONE_NEWNET) < 0) /* where we were: it cannot refuse */
        rc = uk_error_set(err, errno, "net: return to the launcher's network namespace");
out:
    if (here >= 0)
        close(here);
    if (there >= 0)
        close(there);
    return rc;
}
