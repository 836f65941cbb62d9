/* container_internal.h: what the files of launcher/container/ offer each other, grouped by file. */
#ifndef UNIKIT_CONTAINER_INTERNAL_H
#define UNIKIT_CONTAINER_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "fsutil.h"
#include "run_config.h"

/*
 * Root inside a container is this host uid (and gid), and the ids 0..65535
 * inside map to CONTAINER_ID_BASE.. outside, an unprivileged range no host
 * account uses (the usual subuid start). Every container shares it, as
 * Docker's userns-remap does.
 */
#define CONTAINER_ID_BASE 100000u
#define CONTAINER_ID_COUNT 65536u

/* The instance id and host name are at most this long (a host name's limit). */
#define CONTAINER_ID_MAX 63

/* binary.c */
/* Checks that (path) is a static x86_64 Linux executable (and not a unikit image). */
int binary_check(const char *path, struct uk_error *err);

/* namespaces.c */
/* Clones a child in new user, mount, pid, net, uts and ipc namespaces (the
 * cgroup namespace comes later: ns_become_root). Returns its pid in the
 * parent, 0 in the child, -1 with (*err) set. */
pid_t ns_clone(struct uk_error *err);
/* Parent: maps 0..CONTAINER_ID_COUNT-1 inside (pid)'s user namespace to
 * CONTAINER_ID_BASE.. outside, for uids and gids. */
int ns_write_id_maps(pid_t pid, struct uk_error *err);
/* Child, once mapped: becomes root of its user namespace (no supplementary
 * groups), enters a new cgroup namespace rooted at its cgroup, sets the host
 * name. */
int ns_become_root(const char *hostname, struct uk_error *err);

/* rootfs.c */
struct rootfs {
    char lower[PATH_MAX];  /* the shared read-only lower, CACHE/<hash> */
    char dir[PATH_MAX];    /* this instance's folder: upper/, work/, root/ */
    int lower_fd;          /* the child's, on the lower (rootfs_open) */
    int dir_fd;            /* the parent's, on the instance folder */
    char app[NAME_MAX + 1]; /* the binary's name: it is /bin/<app> inside */
};
/* Parent: finds or builds the lower for (cfg) under (state_root)/.cache/rootfs and
 * makes this instance's folder (state_root)/.containers/(id) with an upper
 * holding /etc/hostname and /etc/hosts for (hostname) and (ip, may be "").
 * rootfs_remove undoes it. */
int rootfs_prepare(const struct run_config *cfg, const char *state_root, const char *id,
                   const char *hostname, const char *ip, struct rootfs *fs,
                   struct uk_error *err);
/* Child, first thing (still the host's root): enters the instance folder, opens the lower. */
int rootfs_open(struct rootfs *fs, struct uk_error *err);
/* Child, as root inside: mounts the overlay, /dev, /proc and /tmp, and pivots into it. */
int rootfs_enter(const struct rootfs *fs, struct uk_error *err);
/* Parent: removes the instance folder and closes the descriptors. */
void rootfs_remove(struct rootfs *fs);

/* lower.c */
/* Finds or builds, atomically, the lower directory for (cfg) under (cache):
 * its name is a hash of the binary's and the first disk's bytes. */
int lower_get(const struct run_config *cfg, const char *cache, char *out, size_t outlen,
              struct uk_error *err);

/* untar.c */
/* True if the file open on (fd) starts with a ustar header. */
bool untar_is_tar(int fd);
/* Unpacks the tar archive on (fd) (named (what) in messages) under the
 * directory open on (dirfd): files, folders, symbolic and hard links; GNU
 * long names and pax paths. Owners become (id_base) + their uid and gid
 * (ids of CONTAINER_ID_COUNT and above become id_base). A name that is
 * absolute or climbs out with ".." is refused. */
int untar(int fd, const char *what, int dirfd, unsigned id_base, struct uk_error *err);

/* caps.c */
/* Drops every capability (bounding, ambient, inheritable, permitted,
 * effective; SECBIT_NOROOT so that exec as root gains none) and sets
 * no_new_privs. */
int caps_drop_all(struct uk_error *err);

/* seccomp.c */
/* Installs the container's allowlist on the calling thread (needs no_new_privs). */
int seccomp_install_container(struct uk_error *err);

/* init.c */
/* The container's pid 1: forks the app, which runs /bin/(app) with (cfg)'s
 * argv and environment; passes SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and
 * SIGUSR2 on to it; reaps every orphan. (err_fd) is close-on-exec: the app
 * reports a failed execve on it. Returns the app's status for exit(). */
int init_run(const struct run_config *cfg, const char *app, int err_fd);

#endif /* UNIKIT_CONTAINER_INTERNAL_H */
