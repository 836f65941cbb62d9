/* file_fd.c: descriptors of the tree's files and directories — read, pread, lseek, fstat. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fd.h"
#include "libos.h"
#include "tarfs.h"

struct file {
    const struct tar_node *node;
    off_t pos;
};

static ssize_t file_pread(void *obj, void *buf, size_t len, off_t offset)
{
    struct file *f = obj;
    if (f->node->kind == TAR_DIR)
        return libos_fail(EISDIR);
    if (offset < 0)
        return libos_fail(EINVAL);
    return tarfs_read(f->node, buf, len, (uint64_t)offset);
}

static ssize_t file_read(void *obj, void *buf, size_t len)
{
    struct file *f = obj;
    ssize_t n = file_pread(obj, buf, len, f->pos);
    if (n > 0)
        f->pos += n;
    return n;
}

off_t file_seek(off_t *pos, off_t end, off_t offset, int whence)
{
    off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? *pos : whence == SEEK_END ? end : -1;
    if (base < 0)
        return libos_fail(EINVAL);
    if ((offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
        return libos_fail(offset > 0 ? EOVERFLOW : EINVAL);
    return *pos = base + offset;
}

static off_t file_lseek(void *obj, off_t offset, int whence)
{
    struct file *f = obj;
    return file_seek(&f->pos, (off_t)f->node->size, offset, whence);
}

static int file_fstat(void *obj, struct stat *st)
{
    struct file *f = obj;
    tarfs_stat(f->node, st);
    return 0;
}

static int file_fsync(void *obj)
{
    (void)obj;
    return 0; /* nothing is ever dirty */
}

static int file_poll(void *obj)
{
    (void)obj;
    return FD_READABLE | FD_WRITABLE; /* regular files never block, as on Linux */
}

static int file_close(void *obj)
{
    free(obj);
    return 0;
}

static const struct fd_ops file_ops = {
    .kind = "file",
    .read = file_read,
    .pread = file_pread,
    .lseek = file_lseek,
    .fstat = file_fstat,
    .fsync = file_fsync,
    .close = file_close,
    .poll = file_poll,
};

int file_fd_open(const struct tar_node *node, int flags)
{
    struct file *f = malloc(sizeof *f);
    if (!f)
        return libos_fail(ENOMEM);
    *f = (struct file){.node = node};
    int fd = fd_alloc(&file_ops, f, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    if (fd < 0)
        free(f);
    return fd;
}

const struct tar_node *file_fd_node(int fd)
{
    struct fd_entry *e = fd_get(fd);
    if (!e)
        return NULL;
    if (e->ops != &file_ops) {
        errno = ENOTDIR;
        return NULL;
    }
    return ((struct file *)e->obj)->node;
}
