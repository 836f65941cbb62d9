/* untar.c: unpacking a disk's tar archive into the container's lower, owners shifted into the container's id range. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container_internal.h"

#define BLOCK 512

/* ustar header fields (POSIX.1-2001, pax "ustar Interchange Format"): offset, length. */
#define F_NAME 0, 100
#define F_MODE 100, 8
#define F_UID 108, 8
#define F_GID 116, 8
#define F_SIZE 124, 12
#define F_MTIME 136, 12
#define F_CHKSUM 148, 8
#define F_TYPE 156
#define F_LINK 157, 100
#define F_MAGIC 257
#define F_PREFIX 345, 155

struct entry {
    char path[PATH_MAX];
    char link[PATH_MAX];
    unsigned long long size, mode, uid, gid, mtime;
    char type;
};

/* A numeric field: octal digits, or base-256 when the first byte's top bit is set (GNU). */
static bool number(const unsigned char *h, int off, int len, unsigned long long *out)
{
    unsigned long long v = 0;
    int i = 0;

    if (h[off] & 0x80) {
        v = h[off] & 0x3f;
        for (i = 1; i < len; i++)
            v = (v << 8) | h[off + i];
        *out = v;
        return true;
    }
    while (i < len && h[off + i] == ' ')
        i++;
    for (; i < len && h[off + i] >= '0' && h[off + i] <= '7'; i++)
        v = v * 8 + (unsigned)(h[off + i] - '0');
    if (i < len && h[off + i] != '\0' && h[off + i] != ' ')
        return false;
    *out = v;
    return true;
}

static bool checksum_ok(const unsigned char *h)
{
    unsigned long long want;
    unsigned sum = 0;

    if (!number(h, F_CHKSUM, &want))
        return false;
    for (int i = 0; i < BLOCK; i++)
        sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum == want;
}

static int read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -1 : (errno = EIO, -1);
        got += (size_t)n;
    }
    return 0;
}

/* Reads (size) bytes of an entry's data (and its padding) into a new NUL-terminated buffer. */
static char *read_data(int fd, unsigned long long size)
{
    size_t padded = (size_t)((size + BLOCK - 1) / BLOCK * BLOCK);
    char *buf;

    if (size > (1u << 20)) { /* a name or pax header; never this large */
        errno = EFBIG;
        return NULL;
    }
    buf = malloc(padded + 1);
    if (buf == NULL)
        return NULL;
    if (read_full(fd, buf, padded) < 0) {
        free(buf);
        return NULL;
    }
    buf[size] = '\0';
    return buf;
}

/* pax records "LEN key=value\n": path and linkpath override the next header's. */
static void pax_apply(char *data, size_t len, char *path, char *link)
{
    char *p = data, *end = data + len;

    while (p < end) {
        char *sp, *rec_end, *eq;
        unsigned long n = strtoul(p, &sp, 10);
        if (sp == p || *sp != ' ' || n == 0 || n > (size_t)(end - p))
            return;
        rec_end = p + n;
        eq = memchr(sp, '=', (size_t)(rec_end - sp));
        if (eq != NULL && rec_end[-1] == '\n') {
            size_t vlen = (size_t)(rec_end - 1 - (eq + 1));
            char *dst = NULL;
            if ((size_t)(eq - sp - 1) == 4 && memcmp(sp + 1, "path", 4) == 0)
                dst = path;
            else if ((size_t)(eq - sp - 1) == 8 && memcmp(sp + 1, "linkpath", 8) == 0)
                dst = link;
            if (dst != NULL && vlen < PATH_MAX) {
                memcpy(dst, eq + 1, vlen);
                dst[vlen] = '\0';
            }
        }
        p = rec_end;
    }
}

/*
 * Opens the folder that holds (path)'s last component, beneath (root),
 * making missing folders on the way (owned by (id_base), root inside);
 * (*base) points at the last component. Each step is opened O_NOFOLLOW, so
 * a symbolic link in the archive can never lead a later entry outside the
 * tree. Returns a descriptor or -1.
 */
static int open_parent(int root, char *path, const char **base, unsigned id_base)
{
    int cur = dup(root);
    char *p = path, *slash;

    while (cur >= 0 && (slash = strchr(p, '/')) != NULL) {
        int next;
        *slash = '\0';
        if (*p != '\0' && strcmp(p, ".") != 0) {
            if (mkdirat(cur, p, 0755) == 0)
                fchownat(cur, p, id_base, id_base, AT_SYMLINK_NOFOLLOW);
            else if (errno != EEXIST) {
                close(cur);
                return -1;
            }
            next = openat(cur, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            close(cur);
            cur = next;
        }
        *slash = '/';
        p = slash + 1;
    }
    *base = p;
    return cur;
}

/* A name must stay inside the tree: not absolute, no ".." component. */
static bool name_ok(const char *name)
{
    if (name[0] == '/' || name[0] == '\0')
        return false;
    for (const char *p = name; p != NULL; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
        if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
            return false;
    return true;
}

static int copy_out(int fd, int out, unsigned long long size)
{
    char buf[64 * 1024];
    unsigned long long left = (size + BLOCK - 1) / BLOCK * BLOCK, data = size;

    while (left > 0) {
        size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
        size_t w = data < n ? (size_t)data : n;
        if (read_full(fd, buf, n) < 0)
            return -1;
        if (w > 0 && write(out, buf, w) != (ssize_t)w)
            return -1;
        left -= n;
        data -= w;
    }
    return 0;
}

static int skip_data(int fd, unsigned long long size)
{
    off_t padded = (off_t)((size + BLOCK - 1) / BLOCK * BLOCK);

    return lseek(fd, padded, SEEK_CUR) < 0 ? -1 : 0;
}

/* Creates one entry; its data (for a file) is read from (fd). */
static int extract(int fd, int root, struct entry *e, unsigned id_base)
{
    const char *base;
    char link_copy[PATH_MAX];
    int dir, rc = 0;
    unsigned owner = e->uid < CONTAINER_ID_COUNT ? id_base + (unsigned)e->uid : id_base;
    unsigned group = e->gid < CONTAINER_ID_COUNT ? id_base + (unsigned)e->gid : id_base;
    mode_t mode = (mode_t)(e->mode & 01777); /* no set-id bits: no_new_privs ignores them anyway */

    dir = open_parent(root, e->path, &base, id_base);
    if (dir < 0)
        return -1;
    if (*base == '\0' || strcmp(base, ".") == 0) { /* "dir/" or "./": the folder itself */
        close(dir);
        return e->type == '5' ? 0 : (errno = EINVAL, -1);
    }
    if (e->type != '5')
        unlinkat(dir, base, 0); /* a later entry of the same name replaces the earlier */
    switch (e->type) {
    case '0':
    case '\0':
    case '7': {
        int out = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        rc = out < 0 ? -1 : copy_out(fd, out, e->size);
        if (out >= 0)
            close(out);
        e->size = 0; /* consumed */
        break;
    }
    case '5':
        rc = mkdirat(dir, base, 0755) < 0 && errno != EEXIST ? -1 : 0;
        break;
    case '2':
        rc = symlinkat(e->link, dir, base);
        break;
    case '1': {
        const char *tbase;
        int tdir;
        if (!name_ok(e->link)) {
            errno = EINVAL;
            rc = -1;
            break;
        }
        snprintf(link_copy, sizeof(link_copy), "%s", e->link);
        tdir = open_parent(root, link_copy, &tbase, id_base);
        rc = tdir < 0 ? -1 : linkat(tdir, tbase, dir, base, 0);
        if (tdir >= 0)
            close(tdir);
        break;
    }
    default: /* devices and FIFOs: a container without capabilities could not use them */
        break;
    }
    if (rc == 0 && (e->type == '0' || e->type == '\0' || e->type == '7' || e->type == '5' ||
                    e->type == '2')) {
        struct timespec ts[2] = {{(time_t)e->mtime, 0}, {(time_t)e->mtime, 0}};
        rc = fchownat(dir, base, owner, group, AT_SYMLINK_NOFOLLOW);
        if (rc == 0 && e->type != '2')
            rc = fchmodat(dir, base, mode, 0);
        if (rc == 0)
            utimensat(dir, base, ts, AT_SYMLINK_NOFOLLOW);
    }
    close(dir);
    return rc;
}

bool untar_is_tar(int fd)
{
    unsigned char h[BLOCK];

    return pread(fd, h, sizeof(h), 0) == BLOCK && memcmp(h + F_MAGIC, "ustar", 5) == 0 &&
           checksum_ok(h);
}

/* Fills (*e) from the header (h), keeping a path or link name set by a GNU or pax header. */
static bool parse_header(const unsigned char *h, struct entry *e, bool have_path, bool have_link)
{
    if (!number(h, F_MODE, &e->mode) || !number(h, F_UID, &e->uid) ||
        !number(h, F_GID, &e->gid) || !number(h, F_SIZE, &e->size) ||
        !number(h, F_MTIME, &e->mtime))
        return false;
    e->type = (char)h[F_TYPE];
    if (!have_path) {
        const char *prefix = (const char *)h + 345;
        if (memcmp(h + F_MAGIC, "ustar\0", 6) == 0 && prefix[0] != '\0')
            snprintf(e->path, sizeof(e->path), "%.155s/%.100s", prefix, (const char *)h);
        else
            snprintf(e->path, sizeof(e->path), "%.100s", (const char *)h);
    }
    if (!have_link)
        snprintf(e->link, sizeof(e->link), "%.100s", (const char *)h + 157);
    return true;
}

int untar(int fd, const char *what, int dirfd, unsigned id_base, struct uk_error *err)
{
    unsigned char h[BLOCK];
    struct entry e;
    bool have_path = false, have_link = false;

    if (lseek(fd, 0, SEEK_SET) < 0)
        return uk_error_set(err, errno, "container: %s: seek", what);
    for (;;) {
        char *data;
        if (read_full(fd, h, BLOCK) < 0)
            return uk_error_set(err, errno, "container: %s: truncated tar archive", what);
        if (h[0] == '\0')
            return 0; /* the end-of-archive zero block */
        if (!checksum_ok(h) || !parse_header(h, &e, have_path, have_link))
            return uk_error_set(err, 0, "container: %s: a tar header with a bad checksum or "
                                "number", what);
        switch (e.type) {
        case 'L': /* GNU: the next entry's long name */
        case 'K': /* GNU: its long link name */
        case 'x': /* pax: the next entry's attributes */
            data = read_data(fd, e.size);
            if (data == NULL)
                return uk_error_set(err, errno, "container: %s: read a long name", what);
            if (e.type == 'x') {
                static char path[PATH_MAX], link[PATH_MAX];
                path[0] = link[0] = '\0';
                pax_apply(data, (size_t)e.size, path, link);
                have_path = path[0] != '\0';
                have_link = link[0] != '\0';
                memcpy(e.path, path, sizeof(path));
                memcpy(e.link, link, sizeof(link));
            } else {
                snprintf(e.type == 'L' ? e.path : e.link, PATH_MAX, "%s", data);
                *(e.type == 'L' ? &have_path : &have_link) = true;
            }
            free(data);
            continue;
        case 'g': /* pax global header: nothing we use */
            if (skip_data(fd, e.size) < 0)
                return uk_error_set(err, errno, "container: %s: seek", what);
            continue;
        }
        have_path = have_link = false;
        while (strncmp(e.path, "./", 2) == 0 && e.path[2] != '\0')
            memmove(e.path, e.path + 2, strlen(e.path + 2) + 1);
        for (size_t n = strlen(e.path); n > 1 && e.path[n - 1] == '/'; n--)
            e.path[n - 1] = '\0'; /* "dir/" is the folder "dir" */
        if (!name_ok(e.path))
            return uk_error_set(err, 0, "container: %s: the entry `%s` would land outside the "
                                "root (absolute or with ..)", what, e.path);
        if (extract(fd, dirfd, &e, id_base) < 0)
            return uk_error_set(err, errno, "container: %s: unpack `%s`", what, e.path);
        if (e.size > 0 && skip_data(fd, e.size) < 0)
            return uk_error_set(err, errno, "container: %s: seek", what);
    }
}
