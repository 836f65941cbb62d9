/* blockdev_fd.c: /dev/vda, /dev/vdb, … — the disks as raw block devices, any offset and length (bounce buffer). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "libos.h"
#include "tarfs.h"

#define SECTOR 512
#define CHUNK (256 * 1024) /* the most bytes one request moves straight from or to the caller */
#define VIRTBLK_MAJOR 254  /* Linux's virtblk major; minors 16 apart */

struct blockdev {
    int disk;
    uint64_t capacity;
    off_t pos;
    unsigned char bounce[SECTOR];
};

int blockdev_disk(const char *path)
{
    if (strncmp(path, "/dev/vd", 7) != 0 || path[7] < 'a' || path[7] > 'z' || path[8])
        return -1;
    int disk = path[7] - 'a';
    return disk < uk_block_count() ? disk : -1;
}

/*
 * Moves (len) bytes between (buf) and the disk at (offset), all inside the
 * disk: the partial sectors at either end go through the bounce buffer (a
 * write reads the sector, changes its part and writes it back), the whole
 * sectors between them straight to or from (buf).
 */
static int transfer(struct blockdev *b, uint64_t offset, unsigned char *buf, size_t len, int write)
{
    while (len) {
        uint64_t in = offset % SECTOR;
        size_t run;
        uk_result_t r;
        if (in == 0 && len >= SECTOR) {
            run = len / SECTOR * SECTOR;
            run = run > CHUNK ? CHUNK : run;
            r = write ? uk_block_write(b->disk, offset, buf, run) : uk_block_read(b->disk, offset, buf, run);
        } else {
            run = SECTOR - in < len ? SECTOR - in : len;
            r = uk_block_read(b->disk, offset - in, b->bounce, SECTOR);
            if (r == UK_OK && write) {
                memcpy(b->bounce + in, buf, run);
                r = uk_block_write(b->disk, offset - in, b->bounce, SECTOR);
            } else if (r == UK_OK) {
                memcpy(buf, b->bounce + in, run);
            }
        }
        if (r != UK_OK)
            return libos_fail(EIO);
        offset += run;
        buf += run;
        len -= run;
    }
    return 0;
}

/* Clips (len) at the end of the disk; a write that starts at or past the end gets ENOSPC. */
static ssize_t blockdev_io(struct blockdev *b, void *buf, size_t len, off_t offset, int write)
{
    if (offset < 0)
        return libos_fail(EINVAL);
    if ((uint64_t)offset >= b->capacity) {
        if (write && len)
            return libos_fail(ENOSPC);
        return 0;
    }
    if (len > b->capacity - (uint64_t)offset)
        len = (size_t)(b->capacity - (uint64_t)offset);
    if (transfer(b, (uint64_t)offset, buf, len, write) < 0)
        return -1;
    return (ssize_t)len;
}

static ssize_t blockdev_pread(void *obj, void *buf, size_t len, off_t offset)
{
    return blockdev_io(obj, buf, len, offset, 0);
}

static ssize_t blockdev_pwrite(void *obj, const void *buf, size_t len, off_t offset)
{
    return blockdev_io(obj, (void *)buf, len, offset, 1);
}

static ssize_t blockdev_read(void *obj, void *buf, size_t len)
{
    struct blockdev *b = obj;
    ssize_t n = blockdev_io(b, buf, len, b->pos, 0);
    if (n > 0)
        b->pos += n;
    return n;
}

static ssize_t blockdev_write(void *obj, const void *buf, size_t len)
{
    struct blockdev *b = obj;
    ssize_t n = blockdev_io(b, (void *)buf, len, b->pos, 1);
    if (n > 0)
        b->pos += n;
    return n;
}

static off_t blockdev_lseek(void *obj, off_t offset, int whence)
{
    struct blockdev *b = obj;
    return file_seek(&b->pos, (off_t)b->capacity, offset, whence);
}

int blockdev_stat(int disk, struct stat *st)
{
    struct uk_block_info info;
    if (uk_block_info(disk, &info) != UK_OK)
        return libos_fail(ENXIO);
    *st = (struct stat){
        .st_mode = S_IFBLK | (disk == 0 || info.read_only ? 0440 : 0660),
        .st_rdev = (dev_t)(VIRTBLK_MAJOR << 8 | disk * 16),
        .st_ino = (ino_t)(100 + disk),
        .st_nlink = 1,
        .st_size = (off_t)info.capacity,
        .st_blksize = SECTOR,
    };
    return 0;
}

static int blockdev_fstat(void *obj, struct stat *st)
{
    return blockdev_stat(((struct blockdev *)obj)->disk, st);
}

static int blockdev_fsync(void *obj)
{
    struct blockdev *b = obj;
    return uk_block_flush(b->disk) == UK_OK ? 0 : libos_fail(EIO);
}

static int blockdev_poll(void *obj)
{
    (void)obj;
    return FD_READABLE | FD_WRITABLE; /* reads and writes finish before they return */
}

static int blockdev_close(void *obj)
{
    free(obj);
    return 0;
}

static const struct fd_ops blockdev_ops = {
    .kind = "block",
    .read = blockdev_read,
    .write = blockdev_write,
    .pread = blockdev_pread,
    .pwrite = blockdev_pwrite,
    .lseek = blockdev_lseek,
    .fstat = blockdev_fstat,
    .fsync = blockdev_fsync,
    .close = blockdev_close,
    .poll = blockdev_poll,
};

/* Disk 0 holds the file system at /: its raw view is read-only, like a disk marked :ro. */
int blockdev_open(int disk, int flags)
{
    struct uk_block_info info;
    if (uk_block_info(disk, &info) != UK_OK)
        return libos_fail(ENXIO);
    if ((flags & O_ACCMODE) != O_RDONLY && (disk == 0 || info.read_only))
        return libos_fail(EROFS);
    if (flags & O_DIRECTORY)
        return libos_fail(ENOTDIR);
    struct blockdev *b = malloc(sizeof *b);
    if (!b)
        return libos_fail(ENOMEM);
    *b = (struct blockdev){.disk = disk, .capacity = info.capacity};
    int fd = fd_alloc(&blockdev_ops, b, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
    if (fd < 0)
        free(b);
    return fd;
}
