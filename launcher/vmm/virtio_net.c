/* virtio_net.c: a virtio network device on a Linux tap (virtio 1.1 section 5.1), serviced from the wait hypercall. */
#include "virtio_net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iov.h"
#include "tap.h"

#define VIRTIO_ID_NET 1

/* Feature bits, section 5.1.3. No offloads: every frame is whole and
 * checksummed both ways. No EVENT_IDX: under this VMM nobody notifies
 * (the wait hypercall is the kick, and there are no interrupts). */
#define NET_F_MAC (1ull << 5)
#define NET_F_STATUS (1ull << 16)
#define NET_S_LINK_UP 1

/* Section 5.1.2: the queues of one pair. */
#define RXQ 0
#define TXQ 1

#define ETH_HEADER 14
#define TX_FRAME_MAX (1514 + 4) /* 1500-byte MTU (no VIRTIO_NET_F_MTU), one VLAN tag */
#define RX_FRAME_MAX (65535 + ETH_HEADER + 4) /* whatever MTU the host gives the tap */

/* Section 5.1.4: the fields before max_virtqueue_pairs (no VIRTIO_NET_F_MQ). */
struct virtio_net_config {
    uint8_t mac[6];
    uint16_t status;
} __attribute__((packed));

/* Section 5.1.6: struct virtio_net_hdr, 12 bytes with VIRTIO_F_VERSION_1. */
struct net_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len, gso_size, csum_start, csum_offset;
    uint16_t num_buffers;
} __attribute__((packed));
_Static_assert(sizeof(struct net_hdr) == 12, "virtio_net_hdr layout");

/* Messages about the guest's misuse, each said once per run. */
enum { WARN_RX_BUFFER = 1, WARN_TX_HEADER = 2, WARN_TX_LENGTH = 4, WARN_TX_WRITE = 8 };

struct net {
    struct vdev dev;
    struct tap tap;
    struct virtio_net_config config;
    int epoll_fd; /* -1 until net_watch */
    unsigned index;
    bool tap_broken;
    bool rx_held;             /* rx_chain was popped and waits for a frame */
    struct vq_chain rx_chain; /* chains: too large for a handler's stack */
    struct vq_chain tx_chain;
    unsigned warned;
    struct net_stats stats;
    uint8_t frame[RX_FRAME_MAX]; /* one frame read from the tap */
};

static void warn_once(struct net *n, unsigned what, const char *fmt, const char *detail)
{
    if (n->warned & what)
        return;
    n->warned |= what;
    fprintf(stderr, "unikit: vmm: virtio-net: ");
    fprintf(stderr, fmt, detail);
    fputs(" (said once; see the --stats counters)\n", stderr);
}

static void net_get_config(struct vdev *dev, uint64_t offset, uint8_t *data,
                           unsigned size)
{
    struct net *n = dev->priv;
    if (offset < sizeof n->config && size <= sizeof n->config - offset)
        memcpy(data, (uint8_t *)&n->config + offset, size);
}

/* The tap's readiness matters only while the guest has an RX buffer for
 * it. EPOLLONESHOT: one report per arming, so a queue that stops (reset,
 * device failure) while armed costs at most one early return of a wait. */
static void arm(struct net *n, bool on)
{
    if (n->epoll_fd < 0)
        return;
    struct epoll_event ev = {
        .events = EPOLLONESHOT | (on && !n->tap_broken ? EPOLLIN : 0u),
        .data.u32 = n->index,
    };
    if (epoll_ctl(n->epoll_fd, EPOLL_CTL_MOD, n->tap.fd, &ev) < 0)
        vmm_fail(errno, "virtio-net: epoll_ctl on tap `%s`", n->tap.name);
}

/* Section 5.1.6.3: receive buffers are device-writable only, and without
 * VIRTIO_NET_F_MRG_RXBUF one chain holds the header and a whole frame.
 * Returns false when the ring has no usable chain; refused chains go back
 * empty (used length 0), counted in *done. */
static bool take_rx_chain(struct net *n, unsigned *done)
{
    struct virtq *q = &n->dev.queues[RXQ];
    const char *why = NULL;
    for (;;) {
        enum vq_pop r = virtq_pop(q, n->dev.mem, &n->rx_chain, &why);
        if (r == VQ_EMPTY)
            return false;
        if (r == VQ_BROKEN) {
            vdev_fail(&n->dev, "receive queue: %s", why);
            return false;
        }
        if (r == VQ_CHAIN && n->rx_chain.nreadable > 0)
            why = "a device-readable buffer in a receive chain";
        else if (r == VQ_CHAIN &&
                 iov_total(n->rx_chain.iov, n->rx_chain.nwritable) < sizeof(struct net_hdr))
            why = "a receive chain shorter than the 12-byte header";
        else if (r == VQ_CHAIN) {
            n->rx_held = true;
            return true;
        }
        warn_once(n, WARN_RX_BUFFER, "receive buffer refused: %s", why);
        n->stats.rx_bad_buffers++;
        virtq_push(q, n->dev.mem, n->rx_chain.head, 0);
        (*done)++;
    }
}

/* Section 5.1.6.4.1: no offloads negotiated, so flags and gso_type are 0
 * and the frame is fully checksummed; num_buffers is 1 without MRG_RXBUF. */
static void deliver(struct net *n, size_t len)
{
    static const struct net_hdr hdr = {.num_buffers = 1};
    struct vq_chain *c = &n->rx_chain;
    struct iovec data[VQ_MAX_SIZE];

    iov_copy(c->iov, c->nwritable, (void *)&hdr, sizeof hdr, true);
    unsigned nd = iov_slice(c->iov, c->nwritable, sizeof hdr, len, data);
    iov_copy(data, nd, n->frame, len, true);
    virtq_push(&n->dev.queues[RXQ], n->dev.mem, c->head, (uint32_t)(sizeof hdr + len));
    n->rx_held = false;
    n->stats.rx_frames++;
    n->stats.rx_bytes += len;
}

/* Moves frames from the tap into posted buffers until either runs out. */
static unsigned net_rx(struct net *n)
{
    unsigned done = 0;
    while (!n->tap_broken && (n->rx_held || take_rx_chain(n, &done))) {
        ssize_t len = read(n->tap.fd, n->frame, sizeof n->frame);
        if (len < 0 && errno == EINTR)
            continue;
        if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (len < 0) {
            vmm_fail(errno, "virtio-net: read tap `%s`; no more frames in", n->tap.name);
            n->tap_broken = true;
            break;
        }
        size_t room = iov_total(n->rx_chain.iov, n->rx_chain.nwritable) - sizeof(struct net_hdr);
        if ((size_t)len > room) {
            n->stats.rx_too_big++; /* the chain stays held for the next frame */
            continue;
        }
        deliver(n, (size_t)len);
        done++;
    }
    arm(n, n->rx_held);
    return done;
}

/* Section 5.1.6.2: a header, then one whole frame, in device-readable
 * buffers laid out as the driver likes (section 2.6.4). One write each. */
static void transmit(struct net *n, const struct vq_chain *c)
{
    struct net_hdr hdr;
    struct iovec frame[VQ_MAX_SIZE];
    size_t total = iov_total(c->iov, c->nreadable);

    n->stats.tx_dropped++; /* until the write succeeds */
    if (total < sizeof hdr + ETH_HEADER || total - sizeof hdr > TX_FRAME_MAX) {
        warn_once(n, WARN_TX_LENGTH, "transmit refused: %s",
                  "a frame shorter than an Ethernet header or longer than 1518 bytes");
        return;
    }
    iov_copy(c->iov, c->nreadable, &hdr, sizeof hdr, false);
    if (hdr.gso_type != 0 || (hdr.flags & 1) != 0) {
        warn_once(n, WARN_TX_HEADER, "transmit refused: %s",
                  "segmentation or checksum offload asked for, but not offered");
        return;
    }
    size_t len = total - sizeof hdr;
    unsigned nf = iov_slice(c->iov, c->nreadable, sizeof hdr, len, frame);
    ssize_t w;
    do
        w = writev(n->tap.fd, frame, (int)nf);
    while (w < 0 && errno == EINTR);
    if (w != (ssize_t)len) {
        warn_once(n, WARN_TX_WRITE, "the tap refused a frame: %s",
                  w < 0 ? strerror(errno) : "short write");
        return;
    }
    n->stats.tx_dropped--;
    n->stats.tx_frames++;
    n->stats.tx_bytes += len;
}

static uint16_t tx_pending(const struct net *n)
{
    const struct virtq *q = &n->dev.queues[TXQ];
    /* The ring lies in RAM: virtq_enable proved it. */
    const uint16_t *idx = gpa_ptr(n->dev.mem, q->avail + 2, 2);
    return (uint16_t)(__atomic_load_n(idx, __ATOMIC_ACQUIRE) - q->last_avail);
}

/* Drains the transmit queue. Sent buffers are back in the used ring
 * before the guest runs again, but they count as work (they end a wait)
 * only when the ring was full: a driver with free descriptors has no
 * reason to wake, and waking it would cost an exit per batch. */
static unsigned net_tx(struct net *n)
{
    struct virtq *q = &n->dev.queues[TXQ];
    bool was_full = tx_pending(n) == q->num;
    unsigned done = 0;
    const char *why = NULL;
    for (;;) {
        enum vq_pop r = virtq_pop(q, n->dev.mem, &n->tx_chain, &why);
        if (r == VQ_EMPTY)
            break;
        if (r == VQ_BROKEN) {
            vdev_fail(&n->dev, "transmit queue: %s", why);
            break;
        }
        if (r == VQ_CHAIN) {
            transmit(n, &n->tx_chain);
        } else {
            n->stats.tx_dropped++;
            warn_once(n, WARN_TX_LENGTH, "transmit refused: %s", why);
        }
        virtq_push(q, n->dev.mem, n->tx_chain.head, 0); /* the device wrote nothing */
        done++;
    }
    return was_full ? done : 0;
}

static unsigned net_notify(struct vdev *dev, unsigned queue)
{
    struct net *n = dev->priv;
    return queue == RXQ ? net_rx(n) : net_tx(n);
}

static void net_reset(struct vdev *dev)
{
    struct net *n = dev->priv;
    n->rx_held = false;
    arm(n, false);
}

static const struct vdev_ops net_ops = {
    .get_config = net_get_config,
    .notify = net_notify,
    .reset = net_reset,
};

struct vdev *net_create(const struct guest_mem *mem, const char *name, const uint8_t mac[6])
{
    struct net *n = calloc(1, sizeof *n);
    if (n == NULL) {
        vmm_fail(errno, "virtio-net: tap `%s`", name);
        return NULL;
    }
    if (tap_open(&n->tap, name) < 0) {
        free(n);
        return NULL;
    }
    memcpy(n->config.mac, mac, sizeof n->config.mac);
    n->config.status = NET_S_LINK_UP;
    n->epoll_fd = -1;
    n->dev = (struct vdev){
        .ops = &net_ops,
        .name = "virtio-net",
        .priv = n,
        .mem = mem,
        .device_id = VIRTIO_ID_NET,
        .features = VIRTIO_F_VERSION_1 | NET_F_MAC | NET_F_STATUS,
        .nqueues = 2,
    };
    return &n->dev;
}

int net_watch(struct vdev *dev, int epoll_fd, unsigned index)
{
    struct net *n = dev->priv;
    struct epoll_event ev = {.events = EPOLLONESHOT, .data.u32 = index}; /* disarmed */
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, n->tap.fd, &ev) < 0)
        return vmm_fail(errno, "virtio-net: epoll_ctl on tap `%s`", n->tap.name);
    n->epoll_fd = epoll_fd;
    n->index = index;
    return 0;
}

const struct net_stats *net_stats(const struct vdev *dev)
{
    const struct net *n = dev->priv;
    return &n->stats;
}

void net_stats_print(const struct vdev *dev)
{
    const struct net *n = dev->priv;
    const struct net_stats *s = &n->stats;
    fprintf(stderr,
            "unikit: stats: net %s rx %llu frames %llu bytes, dropped %llu too big, "
            "%llu bad buffers\n"
            "unikit: stats: net %s tx %llu frames %llu bytes, dropped %llu\n",
            n->tap.name, (unsigned long long)s->rx_frames, (unsigned long long)s->rx_bytes,
            (unsigned long long)s->rx_too_big, (unsigned long long)s->rx_bad_buffers,
            n->tap.name, (unsigned long long)s->tx_frames, (unsigned long long)s->tx_bytes,
            (unsigned long long)s->tx_dropped);
}

void net_destroy(struct vdev *dev)
{
    struct net *n = dev->priv;
    tap_close(&n->tap); /* the epoll set forgets a closed descriptor by itself */
    free(n);
}
