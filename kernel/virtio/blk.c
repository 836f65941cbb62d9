/* blk.c: the virtio-blk driver — read, write, flush, get-id, several requests in flight (virtio 1.1, 5.2). */
#include "../kernel.h"
#include "virtio.h"

#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define SECTOR 512
#define BLK_MAX_DEVICES 8
#define BLK_QUEUE_SIZE 128
#define STATUS_PENDING 0xff

struct blk_device {
    struct virtio_dev dev;
    struct virtq vq;
    uint64_t sectors;
    bool has_flush;
    int read_only;
};

static struct blk_device blk_devices[BLK_MAX_DEVICES];
static int blk_count;

int virtio_blk_attach(struct virtio_dev *dev)
{
    if (blk_count == BLK_MAX_DEVICES) {
        kprintf("virtio-blk: more than %d disks, ignoring one\n", BLK_MAX_DEVICES);
        return -1;
    }
    struct blk_device *b = &blk_devices[blk_count];
    b->dev = *dev;
    uint64_t wanted = (1ULL << VIRTIO_BLK_F_RO) | (1ULL << VIRTIO_BLK_F_FLUSH) |
                      (1ULL << VIRTIO_F_RING_EVENT_IDX);
    if (b->dev.ops->negotiate(&b->dev, wanted) < 0) {
        kprintf("virtio-blk: feature negotiation failed (FEATURES_OK not kept)\n");
        return -1;
    }
    if (b->dev.ops->queue_setup(&b->dev, 0, &b->vq, BLK_QUEUE_SIZE) < 0) {
        kprintf("virtio-blk: cannot set up the request queue\n");
        return -1;
    }
    b->dev.ops->read_config(&b->dev, 0, &b->sectors, sizeof b->sectors);
    b->read_only = b->dev.features & (1ULL << VIRTIO_BLK_F_RO);
    b->has_flush = b->dev.features & (1ULL << VIRTIO_BLK_F_FLUSH);
    b->dev.ops->ready(&b->dev);
    devices_register_irq(&b->dev);
    blk_count++;
    return 0;
}

/* ---- the request path ---- */

static struct blk_device *blk_get(int index)
{
    return index >= 0 && index < blk_count ? &blk_devices[index] : NULL;
}

int uk_block_count(void)
{
    return blk_count;
}

uk_result_t uk_block_info(int index, struct uk_block_info *info)
{
    struct blk_device *b = blk_get(index);
    if (!b)
        return UK_EINVAL;
    info->capacity = b->sectors * SECTOR;
    info->block_size = SECTOR;
    info->read_only = b->read_only;
    return UK_OK;
}

/* 5.2.6: a header the device reads, the data, then one status byte it writes. */
uk_result_t uk_block_submit(int index, struct uk_block_req *req)
{
    struct blk_device *b = blk_get(index);
    if (!b)
        return UK_EINVAL;
    uint32_t type;
    bool with_data = true, device_writes = false;
    switch (req->op) {
    case UK_BLOCK_READ:
        type = VIRTIO_BLK_T_IN;
        device_writes = true;
        break;
    case UK_BLOCK_WRITE:
        type = VIRTIO_BLK_T_OUT;
        break;
    case UK_BLOCK_FLUSH:
        type = VIRTIO_BLK_T_FLUSH;
        with_data = false;
        break;
    case UK_BLOCK_GET_ID:
        type = VIRTIO_BLK_T_GET_ID;
        device_writes = true;
        break;
    default:
        return UK_EINVAL;
    }
    if (req->op == UK_BLOCK_READ || req->op == UK_BLOCK_WRITE) {
        if (req->offset % SECTOR || req->len % SECTOR || req->len == 0 ||
            req->offset / SECTOR > b->sectors || req->len / SECTOR > b->sectors - req->offset / SECTOR)
            return UK_EINVAL;
    }
    if (req->op == UK_BLOCK_GET_ID && req->len < 20)
        return UK_EINVAL;
    if (req->op == UK_BLOCK_FLUSH && !b->has_flush) {
        req->result = UK_OK; /* no write cache to flush */
        req->done = true;
        return UK_OK;
    }
    req->hdr.type = type;
    req->hdr.reserved = 0;
    req->hdr.sector = req->offset / SECTOR;
    req->status = STATUS_PENDING;
    req->done = false;
    struct virtq_buf bufs[3] = {
        {&req->hdr, sizeof req->hdr, false},
        {req->buf, (uint32_t)(req->op == UK_BLOCK_GET_ID ? 20 : req->len), device_writes},
        {(void *)(uintptr_t)&req->status, 1, true},
    };
    if (!with_data)
        bufs[1] = bufs[2];
    if (virtq_add(&b->vq, bufs, with_data ? 3 : 2, req) < 0)
        return UK_EAGAIN;
    if (platform != PLATFORM_UKVM && virtq_should_notify(&b->vq))
        b->dev.ops->notify(&b->dev, 0); /* under unikit's VMM the wait hypercall is the kick */
    return UK_OK;
}

int uk_block_poll(int index)
{
    struct blk_device *b = blk_get(index);
    int completed = 0;
    struct uk_block_req *req;
    if (!b)
        return 0;
    while ((req = virtq_get_used(&b->vq, NULL))) {
        req->result = req->status == VIRTIO_BLK_S_OK ? UK_OK
                      : req->status == VIRTIO_BLK_S_UNSUPP ? UK_EINVAL
                                                           : UK_EUNSPEC;
        req->done = true;
        completed++;
    }
    return completed;
}

uk_result_t uk_block_wait(int index, struct uk_block_req *req)
{
    while (!req->done) {
        if (!uk_block_poll(index) && !req->done)
            uk_wait(uk_clock_monotonic() + 1000000000ULL);
    }
    return req->result;
}

static uk_result_t blk_sync(int index, int op, uint64_t offset, void *buf, size_t len)
{
    struct uk_block_req req = {.op = op, .offset = offset, .buf = buf, .len = len};
    uk_result_t r;
    while ((r = uk_block_submit(index, &req)) == UK_EAGAIN) {
        uk_block_poll(index); /* the queue is full of others' requests */
        uk_wait(uk_clock_monotonic() + 1000000);
    }
    return r == UK_OK ? uk_block_wait(index, &req) : r;
}

uk_result_t uk_block_read(int index, uint64_t offset, void *buf, size_t len)
{
    return blk_sync(index, UK_BLOCK_READ, offset, buf, len);
}

uk_result_t uk_block_write(int index, uint64_t offset, const void *buf, size_t len)
{
    return blk_sync(index, UK_BLOCK_WRITE, offset, (void *)buf, len);
}

uk_result_t uk_block_flush(int index)
{
    return blk_sync(index, UK_BLOCK_FLUSH, 0, NULL, 0);
}

uk_result_t uk_block_get_id(int index, char *buf, size_t len)
{
    char id[21] = {0};
    if (len == 0)
        return UK_EINVAL;
    uk_result_t r = blk_sync(index, UK_BLOCK_GET_ID, 0, id, 20);
    if (r == UK_OK) {
        size_t n = 0;
        while (n < 20 && id[n] && n + 1 < len) {
            buf[n] = id[n];
            n++;
        }
        buf[n] = '\0';
    }
    return r;
}

/* True when a disk has completions nobody has reaped (no VM exit: memory reads only). */
bool virtio_blk_has_work(void)
{
    for (int i = 0; i < blk_count; i++) {
        struct virtq *vq = &blk_devices[i].vq;
        if (vq->last_used != ((volatile struct virtq_used *)vq->used)->idx)
            return true;
    }
    return false;
}

/* The request queue of disk (index), for the guest test that hands the VMM broken chains. */
struct virtq *virtio_blk_queue(int index)
{
    struct blk_device *b = blk_get(index);
    return b ? &b->vq : NULL;
}
