/* virtio_net.h: a virtio network device on a tap (virtio_net.c). */
#ifndef UNIKIT_VMM_VIRTIO_NET_H
#define UNIKIT_VMM_VIRTIO_NET_H

#include <stdint.h>

#include "virtio.h"

/* Frames and bytes (Ethernet frames, without the virtio-net header). */
struct net_stats {
    uint64_t rx_frames, rx_bytes; /* tap -> guest */
    uint64_t rx_too_big;          /* a frame larger than the guest's buffer: dropped */
    uint64_t rx_bad_buffers;      /* RX chains refused (readable, or no room for the header) */
    uint64_t tx_frames, tx_bytes; /* guest -> tap */
    uint64_t tx_dropped;          /* bad header or length, or the tap refused the write */
};

/*
 * A virtio-net device (section 5.1) with mac, on tap (name), opened or
 * created with tap_open. Returns NULL after a message.
 */
struct vdev *net_create(const struct guest_mem *mem, const char *name,
                        const uint8_t mac[6]);
/*
 * Puts the tap in the wait hypercall's epoll set (epoll_fd) with data.u32 =
 * index, the device's number: it is armed only while the guest has posted
 * RX buffers, so a frame the guest has no room for never wakes a wait.
 * Returns 0, or -1 after a message.
 */
int net_watch(struct vdev *dev, int epoll_fd, unsigned index);
const struct net_stats *net_stats(const struct vdev *dev);
/* Prints the counters as "unikit: stats: net ..." lines on stderr. */
void net_stats_print(const struct vdev *dev);
/* Closes the tap (a tap net_create created goes away) and frees the device. */
void net_destroy(struct vdev *dev);

#endif /* UNIKIT_VMM_VIRTIO_NET_H */
