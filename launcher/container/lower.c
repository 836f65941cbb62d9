/* lower.c: the read-only lower of a container's overlay, built once per binary and tar and shared. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container_internal.h"

/* Part of the key: a change to what a lower holds must give new names. */
#define LOWER_LAYOUT "unikit-lower-1"

/* The folders every lower has: mount points and a home for the binary. */
static const char *const base_dirs[] = {"bin", "dev", "etc", "proc", "tmp"};

/* FNV-1a, 64 bits, continued from (h) over the file at (path). */
static int hash_file(const char *path, uint64_t *h)
{
    unsigned char buf[64 * 1024];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++)
            *h = (*h ^ buf[i]) * 1099511628211ull;
    close(fd);
    return n < 0 ? -1 : 0;
}

static const char *base_name(const char *path)
{
    const char *p = path + strlen(path);

    while (p > path && p[-1] != '/')
        p--;
    return p;
}

/* Copies the binary to bin/<name>, owned by root inside, mode 0755. */
static int copy_binary(int root, const char *image, struct uk_error *err)
{
    char dst[PATH_MAX];
    struct stat st;
    int in, out, rc = 0;

    const char *name = base_name(image);
    size_t n = strlen(name);
    /* (memcpy: gcc's format checks under -fsanitize think the name may be NULL) */
    if (n + 5 > sizeof(dst))
        return uk_error_set(err, ENAMETOOLONG, "container: %s", image);
    memcpy(dst, "bin/", 4);
    memcpy(dst + 4, name, n + 1);
    in = open(image, O_RDONLY | O_CLOEXEC);
    if (in < 0 || fstat(in, &st) < 0) {
        rc = uk_error_set(err, errno, "container: %s: open", image);
        goto out;
    }
    out = openat(root, dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (out < 0) {
        rc = uk_error_set(err, errno, "container: create the lower's %s", dst);
        goto out;
    }
    for (off_t left = st.st_size; left > 0;) {
        ssize_t n = sendfile(out, in, NULL, (size_t)left);
        if (n <= 0) {
            rc = uk_error_set(err, n < 0 ? errno : EIO, "container: copy %s", image);
            break;
        }
        left -= n;
    }
    if (rc == 0 && (fchown(out, CONTAINER_ID_BASE, CONTAINER_ID_BASE) < 0 || fchmod(out, 0755) < 0))
        rc = uk_error_set(err, errno, "container: chown the lower's %s", dst);
    close(out);
out:
    if (in >= 0)
        close(in);
    return rc;
}

/* Fills the new lower at (root): the tar (if any) first, then what unikit puts there itself. */
static int build(int root, const struct run_config *cfg, struct uk_error *err)
{
    if (cfg->ndisks > 0) {
        int fd = open(cfg->disks[0].path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return uk_error_set(err, errno, "container: --disk %s: open", cfg->disks[0].path);
        /* TODO: raw disks (the VM's /dev/vd*) as block devices or loop mounts. */
        if (!untar_is_tar(fd)) {
            close(fd);
            return uk_error_set(err, 0, "container: --disk %s: only a tar archive (ustar) can "
                                "become a container's files, as it is the VM's root file system",
                                cfg->disks[0].path);
        }
        int rc = untar(fd, cfg->disks[0].path, root, CONTAINER_ID_BASE, err);
        close(fd);
        if (rc < 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(base_dirs) / sizeof(base_dirs[0]); i++) {
        const char *d = base_dirs[i];
        if (mkdirat(root, d, 0755) < 0 && errno != EEXIST)
            return uk_error_set(err, errno, "container: make the lower's /%s", d);
        if (fchownat(root, d, CONTAINER_ID_BASE, CONTAINER_ID_BASE, AT_SYMLINK_NOFOLLOW) < 0)
            return uk_error_set(err, errno, "container: chown the lower's /%s", d);
    }
    if (copy_binary(root, cfg->image, err) < 0)
        return -1;
    if (fchown(root, CONTAINER_ID_BASE, CONTAINER_ID_BASE) < 0 || fchmod(root, 0755) < 0)
        return uk_error_set(err, errno, "container: chown the lower");
    return 0;
}

int lower_get(const struct run_config *cfg, const char *cache, char *out, size_t outlen,
              struct uk_error *err)
{
    uint64_t h = 14695981039346656037ull;
    char tmp[PATH_MAX];
    struct stat st;
    int root, rc;

    for (const char *p = LOWER_LAYOUT; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    if (hash_file(cfg->image, &h) < 0)
        return uk_error_set(err, errno, "container: %s: read", cfg->image);
    if (cfg->ndisks > 0 && hash_file(cfg->disks[0].path, &h) < 0)
        return uk_error_set(err, errno, "container: --disk %s: read", cfg->disks[0].path);
    if ((size_t)snprintf(out, outlen, "%s/%016" PRIx64, cache, h) >= outlen)
        return uk_error_set(err, ENAMETOOLONG, "container: the lower's path under %s", cache);
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        return 0; /* built before: shared */

    /* Built aside and renamed into place, so a concurrent run sees all of it or none. */
    snprintf(tmp, sizeof(tmp), "%s/.build-XXXXXX", cache);
    if (mkdtemp(tmp) == NULL)
        return uk_error_set(err, errno, "container: make a folder in %s", cache);
    root = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    rc = root < 0 ? uk_error_set(err, errno, "container: open %s", tmp) : build(root, cfg, err);
    if (root >= 0)
        close(root);
    if (rc == 0 && rename(tmp, out) < 0 && errno != EEXIST && errno != ENOTEMPTY)
        rc = uk_error_set(err, errno, "container: rename %s to %s", tmp, out);
    fs_remove_tree(tmp); /* gone already unless it failed or another run won the race */
    return rc;
}
