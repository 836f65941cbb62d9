/* lease.c: addresses leased from the bridge's subnet, one file each under the state root, made with O_EXCL. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/fsutil.h"
#include "net.h"

/*
 * ROOT/.net/leases/<bridge>/<A.B.C.D> holds "pid N\nowner NAME\n" and then
 * the caller's record (what to undo on rm: the interface, the ports, the
 * namespace). The O_EXCL create is the allocation: of two runs that try
 * one address, one gets it and the other moves on to the next. A lease is
 * stale when its pid is gone and no instance ROOT/<owner> exists any more;
 * one taken over is re-checked under a lock, so two runs cannot both take it.
 */

static int lease_path(const char *root, const char *bridge, uint32_t ip, char *out, size_t len)
{
    char a[16];

    net_format_ipv4(ip, a);
    return (size_t)snprintf(out, len, "%s/.net/leases/%s/%s", root, bridge, a) < len ? 0 : -1;
}

static bool stale(const char *root, const char *path)
{
    char buf[512], owner[128] = "", dir[PATH_MAX];
    int fd = open(path, O_RDONLY | O_CLOEXEC), pid = 0;
    ssize_t n;
    struct stat st;

    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false; /* being written right now */
    buf[n] = '\0';
    if (sscanf(buf, "pid %d\nowner %127s", &pid, owner) != 2 || pid <= 0)
        return false;
    if (kill(pid, 0) == 0 || errno != ESRCH)
        return false;
    snprintf(dir, sizeof(dir), "%s/%s", root, owner);
    return stat(dir, &st) < 0 && errno == ENOENT;
}

/* Creates the lease file (path) with O_EXCL; true if it is ours now. */
static bool try_create(const char *path, const char *owner, const char *record)
{
    char text[1024];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int n;

    if (fd < 0)
        return false;
    n = snprintf(text, sizeof(text), "pid %d\nowner %s\n%s", (int)getpid(), owner, record);
    if (n < 0 || (size_t)n >= sizeof(text) || write(fd, text, (size_t)n) != n) {
        close(fd);
        unlink(path);
        return false;
    }
    close(fd);
    return true;
}

int lease_take(const char *root, const struct bridge_config *br, const char *owner,
               const char *record, uint32_t *ip, struct uk_error *err)
{
    char dir[PATH_MAX], path[PATH_MAX];
    uint32_t hosts = (1u << (32 - br->prefix)) - 2; /* without network and broadcast */

    if ((size_t)snprintf(dir, sizeof(dir), "%s/.net/leases/%s", root, br->name) >= sizeof(dir) ||
        fs_mkdirs(dir, 0755) < 0)
        return uk_error_set(err, errno, "net: make the lease folder %s", dir);
    /* Host 1 is the bridge's own address. */
    for (uint32_t h = 2; h <= hosts; h++) {
        uint32_t a = br->subnet + h;
        if (lease_path(root, br->name, a, path, sizeof(path)) < 0)
            break;
        if (try_create(path, owner, record)) {
            *ip = a;
            return 0;
        }
        if (errno == EEXIST && stale(root, path)) {
            char lock[PATH_MAX + 8];
            snprintf(lock, sizeof(lock), "%s/.lock", dir);
            int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
            bool ours = false;
            if (lfd >= 0 && flock(lfd, LOCK_EX) == 0 && stale(root, path)) {
                unlink(path);
                ours = try_create(path, owner, record);
            }
            if (lfd >= 0)
                close(lfd);
            if (ours) {
                *ip = a;
                return 0;
            }
        } else if (errno != EEXIST) {
            return uk_error_set(err, errno, "net: create the lease %s", path);
        }
    }
    return uk_error_set(err, 0, "net: no free address left in %s's subnet (/%d; leases in %s)",
                        br->name, br->prefix, dir);
}

int lease_read(const char *root, const char *bridge, uint32_t ip, char *buf, size_t len)
{
    char path[PATH_MAX];
    int fd;
    ssize_t n;

    if (lease_path(root, bridge, ip, path, sizeof(path)) < 0 ||
        (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

void lease_free(const char *root, const char *bridge, uint32_t ip)
{
    char path[PATH_MAX];

    if (lease_path(root, bridge, ip, path, sizeof(path)) == 0)
        unlink(path);
}
