/* dirent.c: directory streams over the tree — opendir, fdopendir, readdir, rewinddir, telldir, seekdir, closedir, dirfd. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libos.h"
#include "tarfs.h"

/* Position 0 is ".", 1 is "..", 2 + i the directory's i-th child in archive order. */
struct libos_dir {
    int fd;
    const struct tar_node *dir;
    const struct tar_node *next; /* the child at pos, when pos >= 2 */
    long pos;
    struct dirent ent;
};

DIR *fdopendir(int fd)
{
    const struct tar_node *node = file_fd_node(fd);
    if (!node)
        return NULL;
    if (node->kind != TAR_DIR) {
        errno = ENOTDIR;
        return NULL;
    }
    DIR *d = calloc(1, sizeof *d);
    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    d->fd = fd;
    d->dir = node;
    return d;
}

DIR *opendir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return d;
}

static unsigned char dirent_type(const struct tar_node *n)
{
    return n->kind == TAR_DIR ? DT_DIR : n->kind == TAR_SYMLINK ? DT_LNK : DT_REG;
}

struct dirent *readdir(DIR *d)
{
    const struct tar_node *n;
    const char *name;
    if (d->pos == 0) {
        n = d->dir, name = ".";
    } else if (d->pos == 1) {
        n = d->dir->parent, name = "..";
        d->next = d->dir->first_child;
    } else if ((n = d->next)) {
        name = n->name;
        d->next = n->next_sibling;
    } else {
        return NULL; /* the end; errno is left alone */
    }
    d->pos++;
    d->ent.d_ino = n->ino;
    d->ent.d_off = d->pos;
    d->ent.d_type = dirent_type(n);
    d->ent.d_reclen = sizeof d->ent;
    strncpy(d->ent.d_name, name, sizeof d->ent.d_name - 1);
    d->ent.d_name[sizeof d->ent.d_name - 1] = '\0';
    return &d->ent;
}

void seekdir(DIR *d, long pos)
{
    d->pos = 0;
    d->next = NULL;
    while (d->pos < pos && readdir(d))
        ;
}

void rewinddir(DIR *d)
{
    seekdir(d, 0);
}

long telldir(DIR *d)
{
    return d->pos;
}

int dirfd(DIR *d)
{
    return d->fd;
}

int closedir(DIR *d)
{
    int r = close(d->fd);
    free(d);
    return r;
}
