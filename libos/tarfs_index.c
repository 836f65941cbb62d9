/* tarfs_index.c: the in-memory tree of the archive's names — adding entries, path lookup with symlinks, stat. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "libos.h"
#include "tarfs.h"

#define TARFS_DEV 0xfe00 /* what st_dev says for every node */
#define MAX_SYMLINKS 40  /* Linux's limit before ELOOP */
#ifndef NAME_MAX
#define NAME_MAX 255
#endif
#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static struct tar_node root = {.name = "", .kind = TAR_DIR, .mode = 0755, .ino = 2};
static ino_t next_ino = 3;

struct tar_node *tarfs_root(void)
{
    if (!root.parent)
        root.parent = &root; /* ".." of the root is the root */
    return &root;
}

static struct tar_node *find_child(const struct tar_node *dir, const char *name, size_t len)
{
    for (struct tar_node *c = dir->first_child; c; c = c->next_sibling)
        if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
            return c;
    return NULL;
}

static struct tar_node *new_child(struct tar_node *dir, const char *name, size_t len)
{
    struct tar_node *n = calloc(1, sizeof *n);
    char *copy = malloc(len + 1);
    if (!n || !copy) {
        free(n);
        free(copy);
        return NULL;
    }
    memcpy(copy, name, len);
    copy[len] = '\0';
    *n = (struct tar_node){.name = copy, .kind = TAR_DIR, .mode = 0755, .ino = next_ino++,
                           .parent = dir};
    if (dir->last_child)
        dir->last_child->next_sibling = n;
    else
        dir->first_child = n;
    dir->last_child = n;
    return n;
}

/* Moves (*p) to the next name in a path, past slashes and "." names; returns 0 at the end, else 1 with its (*len). */
static int next_name(const char **p, size_t *len)
{
    for (;;) {
        *p += strspn(*p, "/");
        *len = strcspn(*p, "/");
        if (*len != 1 || **p != '.')
            return *len != 0;
        *p += 1;
    }
}

struct tar_node *tarfs_add(const char *path, enum tar_kind kind)
{
    struct tar_node *cur = tarfs_root();
    const char *p = path;
    size_t len;
    while (next_name(&p, &len)) {
        if ((len == 2 && p[0] == '.' && p[1] == '.') || cur->kind != TAR_DIR)
            return NULL;
        struct tar_node *next = find_child(cur, p, len);
        if (!next && !(next = new_child(cur, p, len)))
            return NULL;
        if (next->mtime == 0 && cur != &root)
            next->mtime = cur->mtime; /* a made-up directory: its parent's time until its own entry */
        cur = next;
        p += len;
    }
    if (cur->kind == TAR_DIR && kind != TAR_DIR)
        cur->first_child = cur->last_child = NULL; /* a later entry replaces the directory */
    cur->kind = kind;
    return cur;
}

/*
 * Walks (path) from the root one component at a time. A symlink met on the
 * way (or last, with follow_last) is replaced by its target followed by the
 * rest of the path, and the walk goes on from the symlink's directory, or
 * from the root when the target is absolute.
 */
int tarfs_lookup(const char *path, int follow_last, const struct tar_node **out)
{
    static char work[2][PATH_MAX + 1];
    int which = 0, links = 0;
    size_t plen = strlen(path);
    if (plen == 0)
        return -ENOENT;
    if (plen > PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(work[0], path, plen + 1);
    const char *p = work[0];
    const struct tar_node *cur = tarfs_root();
    int want_dir = path[plen - 1] == '/';
    size_t len;
    while (next_name(&p, &len)) {
        const char *rest = p + len;
        if (len > NAME_MAX)
            return -ENAMETOOLONG;
        if (cur->kind != TAR_DIR)
            return -ENOTDIR;
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            cur = cur->parent;
            p = rest;
            continue;
        }
        const struct tar_node *next = find_child(cur, p, len);
        if (!next)
            return -ENOENT;
        int more = rest[strspn(rest, "/")] != '\0' || *rest == '/';
        if (next->kind == TAR_SYMLINK && (more || follow_last)) {
            if (++links > MAX_SYMLINKS)
                return -ELOOP;
            size_t tlen = strlen(next->link), rlen = strlen(rest);
            if (tlen + rlen > PATH_MAX)
                return -ENAMETOOLONG;
            char *w = work[which ^= 1]; /* rest lives in the other buffer */
            memcpy(w, next->link, tlen);
            memcpy(w + tlen, rest, rlen + 1);
            if (next->link[0] == '/')
                cur = tarfs_root();
            p = w;
            continue;
        }
        cur = next;
        p = rest;
    }
    if (want_dir && cur->kind != TAR_DIR)
        return -ENOTDIR;
    *out = cur;
    return 0;
}

void tarfs_stat(const struct tar_node *node, struct stat *st)
{
    static const mode_t type[] = {[TAR_FILE] = S_IFREG, [TAR_DIR] = S_IFDIR, [TAR_SYMLINK] = S_IFLNK};
    *st = (struct stat){
        .st_dev = TARFS_DEV,
        .st_ino = node->ino,
        .st_mode = type[node->kind] | (node->mode & 07777),
        .st_nlink = node->kind == TAR_DIR ? 2 : 1,
        .st_uid = node->uid,
        .st_gid = node->gid,
        .st_size = (off_t)node->size,
        .st_blksize = 512,
        .st_blocks = node->kind == TAR_FILE ? (blkcnt_t)((node->size + 511) / 512) : 0,
    };
    st->st_atime = st->st_mtime = st->st_ctime = node->mtime;
}
