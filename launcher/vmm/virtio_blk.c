/* virtio_blk.c: a virtio block device behind a host file (virtio 1.x section 5.2). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iov.h"
#include "virtio.h"

#define VIRTIO_ID_BLOCK 2
#define SECTOR_SIZE 512

/* Feature bits, section 5.2.3. */
#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_FLUSH (1ull << 9)

/* Request types and status values, section 5.2.6. */
#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2
#define BLK_ID_BYTES 20

/* Section 5.2.4: the fields we offer (capacity always, seg_max by
 * BLK_F_SEG_MAX); the rest of the config space reads 0. */
struct blk_config {
    uint64_t capacity; /* in 512-byte sectors */
    uint32_t size_max;
    uint32_t seg_max;
};

struct blk_req_header {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

struct blk {
    struct vdev dev;
    int fd;
    bool ro;
    uint64_t bytes; /* capacity * SECTOR_SIZE */
    struct blk_config config;
    char id[BLK_ID_BYTES];
    struct vq_chain chain; /* scratch, too large for the stack of a handler */
};

static void blk_get_config(struct vdev *dev, uint64_t offset, uint8_t *data,
                           unsigned size)
{
    struct blk *blk = dev->priv;
    if (offset < sizeof blk->config && size <= sizeof blk->config - offset)
        memcpy(data, (uint8_t *)&blk->config + offset, size);
}

/* Reads or writes the whole scatter list at byte offset pos. */
static int file_io(struct blk *blk, const struct iovec *iov, unsigned n,
                   uint64_t pos, size_t len, bool write)
{
    struct iovec rest[VQ_MAX_SIZE];
    while (len > 0) {
        ssize_t done = write ? pwritev(blk->fd, iov, (int)n, (off_t)pos)
                             : preadv(blk->fd, iov, (int)n, (off_t)pos);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return -1;
        /* A short transfer goes on with what is left (iov_slice may work
         * in place: it writes no slot before reading it). */
        len -= (size_t)done;
        pos += (uint64_t)done;
        n = iov_slice(iov, n, (size_t)done, len, rest);
        iov = rest;
    }
    return 0;
}

/* Data transfer: the bytes lie in bounds and are whole sectors. */
static bool transfer_ok(const struct blk *blk, uint64_t sector, size_t len)
{
    if (len % SECTOR_SIZE != 0 || sector > blk->bytes / SECTOR_SIZE)
        return false;
    return len <= blk->bytes - sector * SECTOR_SIZE;
}

/* Section 5.2.6: a header (device-readable), data, and one status byte at
 * the end of the device-writable part. The layout across descriptors is
 * not assumed (section 2.6.4, message framing). Returns the used length. */
static void refuse(struct vdev *dev, const struct vq_chain *c,
                   const char *why)
{
    fprintf(stderr, "unikit: vmm: %s: request %u refused: %s\n", dev->name,
            c->head, why);
}

static uint32_t blk_request(struct blk *blk, const struct vq_chain *c)
{
    const struct iovec *rd = c->iov, *wr = c->iov + c->nreadable;
    size_t rd_len = iov_total(rd, c->nreadable);
    size_t wr_len = iov_total(wr, c->nwritable);
    uint8_t *status = iov_last_byte(wr, c->nwritable);
    struct blk_req_header h;
    struct iovec data[VQ_MAX_SIZE];

    if (status == NULL || rd_len < sizeof h) {
        refuse(&blk->dev, c, "no request header or no status byte");
        return 0;
    }
    iov_copy(rd, c->nreadable, &h, sizeof h, false);
    uint32_t used = 1;
    switch (h.type) {
    case BLK_T_IN: {
        size_t len = wr_len - 1;
        unsigned n = iov_slice(wr, c->nwritable, 0, len, data);
        *status = transfer_ok(blk, h.sector, len) &&
                          file_io(blk, data, n, h.sector * SECTOR_SIZE, len,
                                  false) == 0
                      ? BLK_S_OK
                      : BLK_S_IOERR;
        used += (uint32_t)len;
        break;
    }
    case BLK_T_OUT: {
        size_t len = rd_len - sizeof h;
        unsigned n = iov_slice(rd, c->nreadable, sizeof h, len, data);
        *status = !blk->ro && transfer_ok(blk, h.sector, len) &&
                          file_io(blk, data, n, h.sector * SECTOR_SIZE, len,
                                  true) == 0
                      ? BLK_S_OK
                      : BLK_S_IOERR;
        break;
    }
    case BLK_T_FLUSH:
        *status = blk->ro || fdatasync(blk->fd) == 0 ? BLK_S_OK : BLK_S_IOERR;
        break;
    case BLK_T_GET_ID: {
        unsigned n = iov_slice(wr, c->nwritable, 0, wr_len - 1, data);
        used += (uint32_t)iov_copy(data, n, blk->id, sizeof blk->id, true);
        *status = BLK_S_OK;
        break;
    }
    default:
        *status = BLK_S_UNSUPP;
        break;
    }
    return used;
}

static unsigned blk_notify(struct vdev *dev, unsigned queue)
{
    struct blk *blk = dev->priv;
    struct virtq *q = &dev->queues[queue];
    unsigned done = 0;
    const char *why = NULL;
    for (;;) {
        enum vq_pop r = virtq_pop(q, dev->mem, &blk->chain, &why);
        if (r == VQ_EMPTY)
            break;
        if (r == VQ_BROKEN) {
            vdev_fail(dev, "queue %u: %s", queue, why);
            break;
        }
        uint32_t used = 0;
        if (r == VQ_BAD_CHAIN)
            refuse(dev, &blk->chain, why); /* used length 0: it failed */
        else
            used = blk_request(blk, &blk->chain);
        virtq_push(q, dev->mem, blk->chain.head, used);
        done++;
    }
    return done;
}

static void blk_reset(struct vdev *dev)
{
    (void)dev; /* no state beyond the transport's: requests are synchronous */
}

static const struct vdev_ops blk_ops = {
    .get_config = blk_get_config,
    .notify = blk_notify,
    .reset = blk_reset,
};

struct vdev *blk_create(const struct guest_mem *mem, const char *path, bool ro)
{
    struct blk *blk = calloc(1, sizeof *blk);
    if (blk == NULL) {
        vmm_fail(errno, "disk `%s`", path);
        return NULL;
    }
    blk->fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    struct stat st;
    if (blk->fd < 0 || fstat(blk->fd, &st) < 0) {
        vmm_fail(errno, "open disk `%s`", path);
        goto fail;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < SECTOR_SIZE) {
        vmm_fail(0, "disk `%s` must be a regular file of at least one "
                    "%d-byte sector", path, SECTOR_SIZE);
        goto fail;
    }
    blk->ro = ro;
    blk->config.capacity = (uint64_t)st.st_size / SECTOR_SIZE;
    blk->config.seg_max = VQ_MAX_SIZE - 2; /* header and status take two */
    blk->bytes = blk->config.capacity * SECTOR_SIZE;
    /* The ID string (GET_ID): the file's name, NUL-padded to 20 bytes. */
    const char *name = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    memcpy(blk->id, name, strnlen(name, sizeof blk->id));
    blk->dev = (struct vdev){
        .ops = &blk_ops,
        .name = "virtio-blk",
        .priv = blk,
        .mem = mem,
        .device_id = VIRTIO_ID_BLOCK,
        .features = VIRTIO_F_VERSION_1 | BLK_F_SEG_MAX | BLK_F_FLUSH |
                    (ro ? BLK_F_RO : 0),
        .nqueues = 1,
    };
    return &blk->dev;
fail:
    if (blk->fd >= 0)
        close(blk->fd);
    free(blk);
    return NULL;
}

void blk_destroy(struct vdev *dev)
{
    struct blk *blk = dev->priv;
    close(blk->fd);
    free(blk);
}
