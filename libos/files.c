/* files.c: the calls that take a path (open, stat, lstat, access, unlink, link, mkdir, rmdir) and mounting / at start. */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libos.h"
#include "tarfs.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

void files_init(void)
{
    if (uk_block_count() >= 1)
        tarfs_mount(0);
}

/* Whether the directory (path) would go in exists: 0, or -errno. */
static int parent_exists(const char *path)
{
    static char parent[PATH_MAX + 1];
    size_t len = strlen(path);
    const struct tar_node *dir;
    if (len == 0)
        return -ENOENT;
    if (len > PATH_MAX)
        return -ENAMETOOLONG;
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    if (len == 0)
        return 0; /* relative to the working directory, which is / */
    memcpy(parent, path, len);
    parent[len] = '\0';
    return tarfs_lookup(parent, 1, &dir);
}

/* Linux's order: a name that is there gets EEXIST (O_EXCL), EISDIR (writing a directory) or EROFS; one that is not, EROFS when it could be made. */
int open(const char *path, int flags, ...)
{
    const struct tar_node *node;
    int disk = blockdev_disk(path);
    if (disk >= 0) {
        if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
            return libos_fail(EEXIST);
        return blockdev_open(disk, flags);
    }
    int r = tarfs_lookup(path, !(flags & O_NOFOLLOW), &node);
    if (r == -ENOENT && (flags & O_CREAT))
        r = parent_exists(path) == 0 ? -EROFS : -ENOENT;
    if (r < 0)
        return libos_fail(-r);
    int writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        return libos_fail(EEXIST);
    if (node->kind == TAR_SYMLINK)
        return libos_fail(ELOOP); /* O_NOFOLLOW on a symlink */
    if (node->kind == TAR_DIR && (writes || (flags & O_CREAT)))
        return libos_fail(EISDIR);
    if (node->kind != TAR_DIR && (flags & O_DIRECTORY))
        return libos_fail(ENOTDIR);
    if (writes)
        return libos_fail(EROFS);
    return file_fd_open(node, flags);
}

static int stat_path(const char *path, struct stat *st, int follow)
{
    const struct tar_node *node;
    int disk = blockdev_disk(path);
    if (disk >= 0)
        return blockdev_stat(disk, st);
    int r = tarfs_lookup(path, follow, &node);
    if (r < 0)
        return libos_fail(-r);
    tarfs_stat(node, st);
    return 0;
}

int stat(const char *path, struct stat *st)
{
    return stat_path(path, st, 1);
}

int lstat(const char *path, struct stat *st)
{
    return stat_path(path, st, 0);
}

int access(const char *path, int mode)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    if ((mode & W_OK) && (!S_ISBLK(st.st_mode) || !(st.st_mode & S_IWUSR)))
        return libos_fail(EROFS);
    if ((mode & X_OK) && !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
        return libos_fail(EACCES);
    return 0;
}

/* Nothing on / can be removed, linked or made: EROFS once the directory is found, as Linux says. */
int unlink(const char *path)
{
    int r = blockdev_disk(path) >= 0 ? 0 : parent_exists(path);
    return libos_fail(r < 0 ? -r : EROFS);
}

int link(const char *old, const char *new)
{
    struct stat st;
    if (stat(old, &st) < 0)
        return -1;
    int r = parent_exists(new);
    return libos_fail(r < 0 ? -r : EROFS);
}

int mkdir(const char *path, mode_t mode)
{
    struct stat st;
    (void)mode;
    if (stat_path(path, &st, 0) == 0)
        return libos_fail(EEXIST);
    int r = parent_exists(path);
    return libos_fail(r < 0 ? -r : EROFS);
}

int rmdir(const char *path)
{
    struct stat st;
    if (stat_path(path, &st, 0) < 0)
        return -1;
    return libos_fail(S_ISDIR(st.st_mode) ? EROFS : ENOTDIR);
}
