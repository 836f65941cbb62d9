/* rootfs.c: the container's root: overlayfs over the shared lower, a minimal /dev, /proc, /tmp, then pivot_root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container.h"
#include "container_internal.h"
#include "state.h"

/* The devices a program may expect; bound from the host's, which are harmless. */
static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};

static int write_at(int dir, const char *name, const char *text)
{
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    if (n == (ssize_t)strlen(text) && fchown(fd, CONTAINER_ID_BASE, CONTAINER_ID_BASE) == 0) {
        close(fd);
        return 0;
    }
    close(fd);
    return -1;
}

/* mkdir (name) in (dir), owned by root inside the container. */
static int mkdir_owned(int dir, const char *name, mode_t mode)
{
    if (mkdirat(dir, name, mode) < 0)
        return -1;
    return fchownat(dir, name, CONTAINER_ID_BASE, CONTAINER_ID_BASE, 0);
}

/* The upper starts with this instance's /etc/hostname and /etc/hosts. */
static int seed_upper(int dir, const char *hostname, const char *ip)
{
    char hosts[256];
    int etc, rc;

    if (mkdir_owned(dir, "upper", 0755) < 0 || mkdir_owned(dir, "work", 0700) < 0 ||
        mkdirat(dir, "root", 0755) < 0)
        return -1;
    etc = openat(dir, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (etc < 0)
        return -1;
    rc = mkdir_owned(etc, "etc", 0755);
    close(etc);
    etc = openat(dir, "upper/etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rc < 0 || etc < 0)
        return -1;
    snprintf(hosts, sizeof(hosts), "127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n",
             ip[0] ? ip : "127.0.1.1", hostname);
    rc = write_at(etc, "hosts", hosts);
    if (rc == 0) {
        char line[CONTAINER_ID_MAX + 2];
        snprintf(line, sizeof(line), "%s\n", hostname);
        rc = write_at(etc, "hostname", line);
    }
    close(etc);
    return rc;
}

int rootfs_prepare(const struct run_config *cfg, const char *state_root, const char *id,
                   const char *hostname, const char *ip, struct rootfs *fs,
                   struct uk_error *err)
{
    char cache[PATH_MAX];
    const char *app = strrchr(cfg->image, '/');

    fs->lower_fd = fs->dir_fd = -1;
    fs->dir[0] = '\0';
    snprintf(fs->app, sizeof(fs->app), "%s", app ? app + 1 : cfg->image);
    snprintf(cache, sizeof(cache), "%s/.cache/rootfs", state_root);
    if (fs_mkdirs(cache, 0711) < 0)
        return uk_error_set(err, errno, "container: make %s", cache);
    if (lower_get(cfg, cache, fs->lower, sizeof(fs->lower), err) < 0)
        return -1;
    snprintf(fs->dir, sizeof(fs->dir), "%s/.containers/%s", state_root, id);
    fs_remove_tree(fs->dir); /* a stale one, left by a run that was killed */
    if (fs_mkdirs(fs->dir, 0711) < 0) {
        int e = errno;
        fs->dir[0] = '\0';
        return uk_error_set(err, e, "container: make the instance folder under %s", state_root);
    }
    fs->dir_fd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fs->dir_fd < 0 || seed_upper(fs->dir_fd, hostname, ip) < 0)
        return uk_error_set(err, errno, "container: fill %s", fs->dir);
    return 0;
}

int rootfs_open(struct rootfs *fs, struct uk_error *err)
{
    /*
     * By name, in the child's own mount namespace: a descriptor opened before
     * the clone would name the parent's mounts, which overlayfs refuses
     * ("failed to clone upperpath"). Still the host's uid 0 here, we may
     * pass through a state root that only root may search; the working
     * directory and the descriptor keep that access after the uid changes.
     */
    if (chdir(fs->dir) < 0)
        return uk_error_set(err, errno, "container: enter %s", fs->dir);
    fs->lower_fd = open(fs->lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fs->lower_fd < 0)
        return uk_error_set(err, errno, "container: open %s", fs->lower);
    return 0;
}

void container_cleanup(const char *name)
{
    char dir[PATH_MAX];

    /* Its mounts were in its own mount namespace, gone with its last process. */
    if ((size_t)snprintf(dir, sizeof(dir), "%s/.containers/%s", state_root(), name) < sizeof(dir) &&
        strchr(name, '/') == NULL && name[0] != '.' && name[0] != '\0')
        fs_remove_tree(dir);
}

void rootfs_remove(struct rootfs *fs)
{
    if (fs->lower_fd >= 0)
        close(fs->lower_fd);
    if (fs->dir_fd >= 0)
        close(fs->dir_fd);
    fs->lower_fd = fs->dir_fd = -1;
    if (fs->dir[0] != '\0')
        fs_remove_tree(fs->dir);
    fs->dir[0] = '\0';
}

/* /dev: a small tmpfs with the host's harmless devices bound onto empty files. */
static int mount_dev(struct uk_error *err)
{
    char src[32], dst[32];

    if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0)
        return uk_error_set(err, errno, "container: mount /dev");
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        snprintf(src, sizeof(src), "/dev/%s", devices[i]);
        snprintf(dst, sizeof(dst), "dev/%s", devices[i]);
        int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            return uk_error_set(err, errno, "container: create /%s", dst);
        close(fd);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
            return uk_error_set(err, errno, "container: bind %s", src);
    }
    if (symlink("/proc/self/fd", "dev/fd") < 0 || symlink("/proc/self/fd/0", "dev/stdin") < 0 ||
        symlink("/proc/self/fd/1", "dev/stdout") < 0 || symlink("/proc/self/fd/2", "dev/stderr") < 0)
        return uk_error_set(err, errno, "container: /dev links");
    if (mkdir("dev/shm", 01777) < 0 ||
        mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777") < 0)
        return uk_error_set(err, errno, "container: mount /dev/shm");
    return 0;
}

static int mount_overlay(const struct rootfs *fs, struct uk_error *err)
{
    char opts[128];

    /*
     * Paths relative to the instance folder (our working directory) and the
     * lower through our descriptor (rootfs_open): the state root need not be
     * searchable by the container's root, whose host uid is unprivileged.
     */
    /* userxattr: inside a user namespace overlayfs keeps its notes in user.overlay.* (5.11+). */
    snprintf(opts, sizeof(opts), "lowerdir=/proc/self/fd/%d,upperdir=upper,workdir=work,userxattr",
             fs->lower_fd);
    if (mount("overlay", "root", "overlay", MS_NOSUID | MS_NODEV, opts) == 0)
        return 0;
    *strrchr(opts, ',') = '\0'; /* kernels before 5.11 do not know the option */
    if (mount("overlay", "root", "overlay", MS_NOSUID | MS_NODEV, opts) == 0)
        return 0;
    return uk_error_set(err, errno, "container: mount the overlay (kernel 5.11 or later "
                        "mounts overlayfs in a user namespace)");
}

int rootfs_enter(const struct rootfs *fs, struct uk_error *err)
{
    /* Nothing mounted from here on may propagate back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return uk_error_set(err, errno, "container: make the mounts private");
    if (mount_overlay(fs, err) < 0)
        return -1;
    if (chdir("root") < 0)
        return uk_error_set(err, errno, "container: enter the overlay");
    if (mount_dev(err) < 0)
        return -1;
    if (mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
        return uk_error_set(err, errno, "container: mount /tmp");
    if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return uk_error_set(err, errno, "container: mount /proc");
    /* pivot_root(".", "."): the old root ends up on top of the new one; unmount it. */
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return uk_error_set(err, errno, "container: pivot_root");
    if (umount2(".", MNT_DETACH) < 0)
        return uk_error_set(err, errno, "container: unmount the old root");
    if (chdir("/") < 0)
        return uk_error_set(err, errno, "container: chdir /");
    return 0;
}
