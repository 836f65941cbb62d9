/* virtio.h: virtio 1.x constants, the split-ring layout, and the kernel's transport and virtqueue API. */
#ifndef KERNEL_VIRTIO_H
#define KERNEL_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Device status bits (virtio 1.1, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

/* Feature bits shared by all devices (6). */
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

/* Split virtqueue (2.6). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[]; /* then uint16_t used_event */
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[]; /* then uint16_t avail_event */
};

/* ---- virtqueue.c: ring mechanics, once for every driver ---- */

#define VIRTQ_MAX_SIZE 256

struct virtq {
    uint16_t size;       /* a power of two */
    uint16_t num_free;
    uint16_t free_head;  /* free descriptors are chained through .next */
    uint16_t last_used;  /* used->idx we have consumed up to */
    uint16_t kicked_avail; /* avail->idx at the last notification decision */
    bool event_idx;
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
    void *token[VIRTQ_MAX_SIZE];
    uint16_t chain_len[VIRTQ_MAX_SIZE];
};

struct virtq_buf {
    void *addr;
    uint32_t len;
    bool device_writes;
};

/* Bytes of guest memory a queue of (size) entries needs (desc, avail, used; 4 KiB aligned). */
size_t virtq_bytes(uint16_t size);

/* Lays the rings of a (size)-entry queue out in (mem), zeroed, virtq_bytes(size) long. */
void virtq_init(struct virtq *vq, uint16_t size, void *mem, bool event_idx);

/*
 * Offers the (n) buffers in (bufs) as one chain, remembered by (token).
 * Returns 0, or -1 when fewer than (n) descriptors are free.
 */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, int n, void *token);

/* True when the device asked to be notified of what was added since the last call. */
bool virtq_should_notify(struct virtq *vq);

/* Returns the token of the next chain the device has used (and its written length), or NULL. */
void *virtq_get_used(struct virtq *vq, uint32_t *len);

/* Sets how far the device may get before it interrupts us (event index). */
void virtq_enable_interrupts(struct virtq *vq, bool on);

/* ---- transports: virtio-mmio (mmio.c) and virtio-pci (pci.c) behind one ops table ---- */

struct virtio_dev;

struct virtio_transport {
    const char *name;
    /* 3.1.1 up to FEATURES_OK, accepting (wanted) | VERSION_1; 0 or -1 (device FAILED) */
    int (*negotiate)(struct virtio_dev *dev, uint64_t wanted);
    /* sets up queue (index) in (vq) with memory from the page allocator; 0 or -1 */
    int (*queue_setup)(struct virtio_dev *dev, int index, struct virtq *vq, uint16_t max_size);
    /* DRIVER_OK: the device is live */
    void (*ready)(struct virtio_dev *dev);
    /* tells the device queue (index) has new buffers (one VM exit) */
    void (*notify)(struct virtio_dev *dev, int index);
    /* acknowledges the device's interrupt; returns the ISR bits that were set */
    uint32_t (*ack_interrupt)(struct virtio_dev *dev);
    /* (len) bytes of device configuration at (offset), generation-consistent */
    void (*read_config)(struct virtio_dev *dev, size_t offset, void *buf, size_t len);
};

struct virtio_dev {
    const struct virtio_transport *ops;
    volatile uint8_t *base; /* mmio: the window; pci: the common configuration */
    uint32_t device_id;
    int irq;                /* mmio: the IOAPIC input; pci: the INTx line, or -1 */
    uint64_t features;      /* negotiated */
    /* virtio-pci only */
    volatile uint8_t *notify_base, *isr, *device_cfg;
    uint32_t notify_multiplier;
    uint16_t queue_notify_off[4];
    uint16_t legacy_io; /* legacy virtio-pci: the I/O BAR, else 0 */
};

/*
 * Copies (len) bytes of device configuration from (cfg) into (buf): 32-bit
 * fields (and halves of 64-bit ones) in 32-bit reads, as 4.2.2.2 and
 * 4.1.3.1 ask, anything else byte by byte. The caller loops on the
 * transport's generation counter.
 */
static inline void virtio_config_copy(volatile const uint8_t *cfg, size_t offset, void *buf, size_t len)
{
    uint8_t *out = buf;
    cfg += offset;
    if (offset % 4 == 0 && len % 4 == 0)
        for (size_t i = 0; i < len; i += 4) {
            uint32_t v = *(volatile const uint32_t *)(cfg + i);
            for (int b = 0; b < 4; b++)
                out[i + (size_t)b] = (uint8_t)(v >> (8 * b));
        }
    else
        for (size_t i = 0; i < len; i++)
            out[i] = cfg[i];
}

/* Checks the virtio-mmio window at (base) and resets the device; 0, or -1 (none or legacy). */
int virtio_mmio_probe(struct virtio_dev *dev, uintptr_t base, int irq);

/* Finds virtio-pci devices on bus 0 and attaches their drivers; returns how many. */
int virtio_pci_scan(void);

/* Attaches the driver for (dev->device_id), if there is one. */
void virtio_attach(struct virtio_dev *dev);

/* ---- blk.c ---- */
int virtio_blk_attach(struct virtio_dev *dev);
bool virtio_blk_has_work(void);
struct virtq *virtio_blk_queue(int index); /* for tests only */

/* ---- net.c ---- */
int virtio_net_attach(struct virtio_dev *dev);
bool virtio_net_has_work(void);

#endif
