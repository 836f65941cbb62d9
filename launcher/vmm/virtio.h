/* virtio.h: the host side of virtio — split virtqueues, the virtio-mmio transport, and device models. */
#ifndef UNIKIT_VMM_VIRTIO_H
#define UNIKIT_VMM_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm_internal.h"

/* ---- virtq.c: split virtqueues (virtio 1.x section 2.7) ---- */

#define VQ_MAX_SIZE 256 /* QueueNumMax we offer: also bounds every chain */

struct virtq {
    uint16_t num; /* queue size the driver chose (a power of 2) */
    bool ready;
    uint64_t desc, avail, used; /* guest-physical ring addresses */
    uint16_t last_avail;        /* next avail slot we will read */
    uint16_t used_idx;          /* our copy of used->idx */
};

/* One descriptor chain, as host pointers already proven to lie in guest RAM:
 * iov[0 .. nreadable) are device-readable, then nwritable device-writable
 * buffers (section 2.7.4.2 requires that order). */
struct vq_chain {
    uint16_t head;
    unsigned nreadable, nwritable;
    struct iovec iov[VQ_MAX_SIZE];
};

enum vq_pop {
    VQ_EMPTY,     /* no chain available */
    VQ_CHAIN,     /* *chain is valid */
    VQ_BAD_CHAIN, /* chain->head was consumed but is malformed: fail it */
    VQ_BROKEN,    /* the ring itself is corrupt: stop using the queue */
};

/* Checks the ring layout the driver gave (size, alignment, inside RAM);
 * returns NULL when the queue may go live, else why not. Sets the used
 * ring's NO_NOTIFY flag: under unikit's VMM, the wait hypercall replaces
 * notifications (section 2.7.10). */
const char *virtq_enable(struct virtq *q, const struct guest_mem *mem);
/* Takes the next available chain, validating every descriptor. *why says
 * what was wrong for VQ_BAD_CHAIN and VQ_BROKEN. */
enum vq_pop virtq_pop(struct virtq *q, const struct guest_mem *mem,
                      struct vq_chain *chain, const char **why);
/* Returns chain head to the driver with len bytes written into it. */
void virtq_push(struct virtq *q, const struct guest_mem *mem, uint16_t head,
                uint32_t len);

/* ---- virtio_mmio.c: the transport (section 4.2.2, version 2 layout) ---- */

#define VDEV_MAX_QUEUES 2
#define VIRTIO_F_VERSION_1 (1ull << 32) /* section 6: every device offers it */

struct vdev;

struct vdev_ops {
    /* Copies size bytes of device configuration at offset into data. */
    void (*get_config)(struct vdev *dev, uint64_t offset, uint8_t *data,
                       unsigned size);
    /* Processes every available chain of queue; returns how many it
     * completed. Failures go to the guest (a request's status, or
     * vdev_fail for a broken ring), never stop the VMM. */
    unsigned (*notify)(struct vdev *dev, unsigned queue);
    /* Forgets all device state (status 0 written, section 4.2.2.1). */
    void (*reset)(struct vdev *dev);
};

struct vdev {
    const struct vdev_ops *ops;
    const char *name;
    void *priv;
    const struct guest_mem *mem;
    uint32_t device_id;
    uint64_t features; /* offered; VIRTIO_F_VERSION_1 included */
    uint64_t driver_features;
    uint32_t device_features_sel, driver_features_sel;
    uint32_t queue_sel;
    uint32_t status;
    uint32_t interrupt_status;
    uint32_t config_generation;
    unsigned nqueues;
    struct virtq queues[VDEV_MAX_QUEUES];
};

/* One register access at offset in the device's window (little-endian,
 * 4-byte registers; config space any width). */
void vdev_mmio_access(struct vdev *dev, uint64_t offset, bool is_write,
                      uint8_t *data, unsigned size);
/* Runs notify on every live queue; returns how many chains completed. */
unsigned vdev_service(struct vdev *dev);
/* Marks the device DEVICE_NEEDS_RESET after a message (section 2.1.2). */
void vdev_fail(struct vdev *dev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Registers dev's MMIO window as device number vmm->nvdevs. */
int vdev_attach(struct vmm *vmm, struct vdev *dev);

/* ---- virtio_blk.c: a block device behind a file (section 5.2) ---- */

struct vdev *blk_create(const struct guest_mem *mem, const char *path,
                        bool ro);
void blk_destroy(struct vdev *dev);

#endif /* UNIKIT_VMM_VIRTIO_H */
