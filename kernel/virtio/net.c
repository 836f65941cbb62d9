/* net.c: the virtio-net driver — RX ring kept full, TX completion, batching, event index (virtio 1.1, 5.1). */
#include "../kernel.h"
#include "virtio.h"

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

#define NET_MAX_DEVICES 4
#define NET_QUEUE_SIZE 256
#define RXQ 0
#define TXQ 1

/* 5.1.6: with VERSION_1 every buffer starts with this 12-byte header. */
struct virtio_net_hdr {
    uint8_t flags, gso_type;
    uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
} __attribute__((packed));

#define NET_BUF_BYTES 2048 /* header + the largest frame, rounded to fit two a page */

struct net_device {
    struct virtio_dev dev;
    struct virtq rx, tx;
    uint8_t mac[6];
    uint8_t *rx_bufs, *tx_bufs; /* NET_QUEUE_SIZE buffers each */
    uint16_t tx_free[NET_QUEUE_SIZE]; /* indices of TX buffers not in flight */
    uint16_t tx_nfree;
    uint64_t tx_frames, rx_frames, rx_dropped;
};

static struct net_device net_devices[NET_MAX_DEVICES];
static int net_count;

static void rx_post(struct net_device *n, uint16_t i)
{
    struct virtq_buf b = {n->rx_bufs + (size_t)i * NET_BUF_BYTES, NET_BUF_BYTES, true};
    virtq_add(&n->rx, &b, 1, (void *)(uintptr_t)(i + 1)); /* token = buffer index + 1 */
}

static void notify_if_wanted(struct net_device *n, struct virtq *vq, int index)
{
    if (platform != PLATFORM_UKVM && virtq_should_notify(vq))
        n->dev.ops->notify(&n->dev, index);
}

int virtio_net_attach(struct virtio_dev *dev)
{
    if (net_count == NET_MAX_DEVICES)
        return -1;
    struct net_device *n = &net_devices[net_count];
    n->dev = *dev;
    uint64_t wanted = (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS) |
                      (1ULL << VIRTIO_F_RING_EVENT_IDX);
    if (n->dev.ops->negotiate(&n->dev, wanted) < 0) {
        kprintf("virtio-net: feature negotiation failed\n");
        return -1;
    }
    if (n->dev.ops->queue_setup(&n->dev, RXQ, &n->rx, NET_QUEUE_SIZE) < 0 ||
        n->dev.ops->queue_setup(&n->dev, TXQ, &n->tx, NET_QUEUE_SIZE) < 0) {
        kprintf("virtio-net: cannot set up the queues\n");
        return -1;
    }
    size_t pages = (size_t)NET_QUEUE_SIZE * NET_BUF_BYTES / 4096;
    n->rx_bufs = uk_pages_alloc(pages);
    n->tx_bufs = uk_pages_alloc(pages);
    if (!n->rx_bufs || !n->tx_bufs) {
        kprintf("virtio-net: no memory for buffers\n");
        return -1;
    }
    if (n->dev.features & (1ULL << VIRTIO_NET_F_MAC))
        n->dev.ops->read_config(&n->dev, 0, n->mac, 6);
    else
        kmemcpy(n->mac, "\x52\x54\x00\x12\x34\x56", 6);
    for (uint16_t i = 0; i < n->tx.size; i++)
        n->tx_free[n->tx_nfree++] = i;
    /* 5.1.6.3: fill the receive queue before DRIVER_OK. */
    for (uint16_t i = 0; i < n->rx.size; i++)
        rx_post(n, i);
    n->dev.ops->ready(&n->dev);
    notify_if_wanted(n, &n->rx, RXQ);
    /* TX completions need no interrupt: they are reaped when buffers run out. */
    virtq_enable_interrupts(&n->tx, false);
    devices_register_irq(&n->dev);
    net_count++;
    return 0;
}

static struct net_device *net_get(int index)
{
    return index >= 0 && index < net_count ? &net_devices[index] : NULL;
}

int uk_net_count(void)
{
    return net_count;
}

uk_result_t uk_net_info(int index, struct uk_net_info *info)
{
    struct net_device *n = net_get(index);
    if (!n)
        return UK_EINVAL;
    kmemcpy(info->mac, n->mac, 6);
    info->link_up = 1;
    if (n->dev.features & (1ULL << VIRTIO_NET_F_STATUS)) {
        uint16_t status = 0;
        n->dev.ops->read_config(&n->dev, 6, &status, 2);
        info->link_up = status & VIRTIO_NET_S_LINK_UP;
    }
    return UK_OK;
}

uk_result_t uk_net_write(int index, const void *frame, size_t len)
{
    struct net_device *n = net_get(index);
    if (!n || len > UK_NET_FRAME_MAX)
        return UK_EINVAL;
    void *sent;
    while ((sent = virtq_get_used(&n->tx, NULL))) /* reclaim sent buffers */
        n->tx_free[n->tx_nfree++] = (uint16_t)(((uint8_t *)sent - n->tx_bufs) / NET_BUF_BYTES);
    if (n->tx_nfree == 0 || n->tx.num_free == 0)
        return UK_EAGAIN;
    uint16_t idx = n->tx_free[--n->tx_nfree];
    uint8_t *buf = n->tx_bufs + (size_t)idx * NET_BUF_BYTES;
    kmemset(buf, 0, sizeof(struct virtio_net_hdr));
    kmemcpy(buf + sizeof(struct virtio_net_hdr), frame, len);
    struct virtq_buf b = {buf, (uint32_t)(sizeof(struct virtio_net_hdr) + len), false};
    if (virtq_add(&n->tx, &b, 1, buf) < 0) {
        n->tx_free[n->tx_nfree++] = idx;
        return UK_EAGAIN;
    }
    n->tx_frames++;
    notify_if_wanted(n, &n->tx, TXQ);
    return UK_OK;
}

uk_result_t uk_net_read(int index, void *out, size_t size, size_t *len)
{
    struct net_device *n = net_get(index);
    uint32_t used_len;
    void *token;
    if (!n)
        return UK_EINVAL;
    while ((token = virtq_get_used(&n->rx, &used_len))) {
        uint16_t i = (uint16_t)((uintptr_t)token - 1);
        uint8_t *buf = n->rx_bufs + (size_t)i * NET_BUF_BYTES;
        size_t hdr = sizeof(struct virtio_net_hdr);
        size_t frame = used_len > hdr ? used_len - hdr : 0;
        bool ok = frame && frame <= size && used_len <= NET_BUF_BYTES;
        if (ok) {
            kmemcpy(out, buf + hdr, frame);
            *len = frame;
            n->rx_frames++;
        } else {
            n->rx_dropped++; /* too big for the caller, or a device bug: skip it */
        }
        rx_post(n, i); /* give the buffer straight back: the ring stays full */
        notify_if_wanted(n, &n->rx, RXQ);
        if (ok)
            return UK_OK;
    }
    return UK_EAGAIN;
}

/* True when a frame has arrived that nobody has read (memory reads only). */
bool virtio_net_has_work(void)
{
    for (int i = 0; i < net_count; i++) {
        struct virtq *vq = &net_devices[i].rx;
        if (vq->last_used != ((volatile struct virtq_used *)vq->used)->idx)
            return true;
    }
    return false;
}
