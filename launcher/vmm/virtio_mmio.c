/* virtio_mmio.c: the virtio-mmio transport, host side (virtio 1.x section 4.2.2, version 2 register layout). */
#include <stdio.h>
#include <string.h>

#include "virtio.h"

/* Register offsets, section 4.2.2. */
enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

#define MMIO_MAGIC 0x74726976u /* "virt" */
#define MMIO_VERSION 2         /* the modern (virtio 1.x) layout */
#define VENDOR_ID 0x554b564du  /* "UKVM" */

/* Device status bits, section 2.1. */
#define STATUS_FEATURES_OK 8
#define STATUS_DEVICE_NEEDS_RESET 64
#define INTERRUPT_USED_BUFFER 1

void vdev_fail(struct vdev *dev, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "unikit: vmm: %s: ", dev->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("; device needs reset\n", stderr);
    dev->status |= STATUS_DEVICE_NEEDS_RESET;
    for (unsigned i = 0; i < dev->nqueues; i++)
        dev->queues[i].ready = false;
}

static void reset(struct vdev *dev)
{
    dev->driver_features = 0;
    dev->device_features_sel = dev->driver_features_sel = 0;
    dev->queue_sel = 0;
    dev->status = 0;
    dev->interrupt_status = 0;
    memset(dev->queues, 0, sizeof dev->queues);
    dev->ops->reset(dev);
}

static struct virtq *selected_queue(struct vdev *dev)
{
    return dev->queue_sel < dev->nqueues ? &dev->queues[dev->queue_sel] : NULL;
}

static uint32_t read_reg(struct vdev *dev, uint64_t offset)
{
    struct virtq *q = selected_queue(dev);
    switch (offset) {
    case REG_MAGIC:
        return MMIO_MAGIC;
    case REG_VERSION:
        return MMIO_VERSION;
    case REG_DEVICE_ID:
        return dev->device_id;
    case REG_VENDOR_ID:
        return VENDOR_ID;
    case REG_DEVICE_FEATURES:
        return dev->device_features_sel < 2
                   ? (uint32_t)(dev->features >> (32 * dev->device_features_sel))
                   : 0;
    case REG_QUEUE_NUM_MAX:
        return q != NULL ? VQ_MAX_SIZE : 0; /* 0: no such queue */
    case REG_QUEUE_READY:
        return q != NULL && q->ready;
    case REG_INTERRUPT_STATUS:
        return dev->interrupt_status;
    case REG_STATUS:
        return dev->status;
    case REG_SHM_LEN_LOW:
    case REG_SHM_LEN_HIGH:
        return 0xffffffffu; /* no shared memory regions */
    case REG_CONFIG_GENERATION:
        return dev->config_generation;
    default:
        return 0; /* write-only or reserved */
    }
}

static void set_low(uint64_t *field, uint32_t v)
{
    *field = (*field & ~0xffffffffull) | v;
}

static void set_high(uint64_t *field, uint32_t v)
{
    *field = (*field & 0xffffffffull) | (uint64_t)v << 32;
}

/* Section 3.1.1: the device accepts FEATURES_OK only for a subset of what
 * it offered that includes VIRTIO_F_VERSION_1 (we offer no legacy). */
static void write_status(struct vdev *dev, uint32_t v)
{
    if (v == 0) {
        reset(dev);
        return;
    }
    if ((v & STATUS_FEATURES_OK) && !(dev->status & STATUS_FEATURES_OK) &&
        ((dev->driver_features & ~dev->features) != 0 ||
         !(dev->driver_features & VIRTIO_F_VERSION_1)))
        v &= ~(uint32_t)STATUS_FEATURES_OK;
    dev->status = v | (dev->status & STATUS_DEVICE_NEEDS_RESET);
}

static void write_reg(struct vdev *dev, uint64_t offset, uint32_t v)
{
    struct virtq *q = selected_queue(dev);
    /* Queue registers may change only while the queue is off (4.2.2.2). */
    bool q_writable = q != NULL && !q->ready;
    switch (offset) {
    case REG_DEVICE_FEATURES_SEL: dev->device_features_sel = v; break;
    case REG_DRIVER_FEATURES_SEL: dev->driver_features_sel = v; break;
    case REG_DRIVER_FEATURES:
        if (dev->driver_features_sel == 0)
            set_low(&dev->driver_features, v);
        else if (dev->driver_features_sel == 1)
            set_high(&dev->driver_features, v);
        break;
    case REG_QUEUE_SEL: dev->queue_sel = v; break;
    case REG_QUEUE_NUM: if (q_writable) q->num = (uint16_t)(v <= VQ_MAX_SIZE ? v : 0); break;
    case REG_QUEUE_DESC_LOW: if (q_writable) set_low(&q->desc, v); break;
    case REG_QUEUE_DESC_HIGH: if (q_writable) set_high(&q->desc, v); break;
    case REG_QUEUE_DRIVER_LOW: if (q_writable) set_low(&q->avail, v); break;
    case REG_QUEUE_DRIVER_HIGH: if (q_writable) set_high(&q->avail, v); break;
    case REG_QUEUE_DEVICE_LOW: if (q_writable) set_low(&q->used, v); break;
    case REG_QUEUE_DEVICE_HIGH: if (q_writable) set_high(&q->used, v); break;
    case REG_QUEUE_READY:
        if (q == NULL)
            break;
        if (v == 0) {
            q->ready = false;
        } else if (!q->ready) {
            const char *why = virtq_enable(q, dev->mem);
            if (why != NULL)
                vdev_fail(dev, "queue %u: %s", dev->queue_sel, why);
        }
        break;
    case REG_QUEUE_NOTIFY:
        /* Serviced at the next wait hypercall, or right now: the driver
         * asked, and it saves the guest a wait. */
        if (v < dev->nqueues && dev->queues[v].ready &&
            dev->ops->notify(dev, v) > 0)
            dev->interrupt_status |= INTERRUPT_USED_BUFFER;
        break;
    case REG_INTERRUPT_ACK: dev->interrupt_status &= ~v; break;
    case REG_STATUS: write_status(dev, v); break;
    default: break; /* read-only or reserved: ignored */
    }
}

void vdev_mmio_access(struct vdev *dev, uint64_t offset, bool is_write,
                      uint8_t *data, unsigned size)
{
    if (offset >= REG_CONFIG) {
        /* Device configuration: any width; writes ignored (blk has no
         * writable field we offer). */
        if (!is_write)
            dev->ops->get_config(dev, offset - REG_CONFIG, data, size);
        return;
    }
    /* Section 4.2.2.2: the driver MUST use 32-bit aligned accesses to the
     * control registers; anything else reads 0 and writes nothing. */
    if (size != 4 || (offset & 3) != 0)
        return;
    uint32_t v;
    if (is_write) {
        memcpy(&v, data, 4);
        write_reg(dev, offset, v);
    } else {
        v = read_reg(dev, offset);
        memcpy(data, &v, 4);
    }
}

unsigned vdev_service(struct vdev *dev)
{
    unsigned done = 0;
    for (unsigned i = 0; i < dev->nqueues; i++)
        if (dev->queues[i].ready)
            done += dev->ops->notify(dev, i);
    if (done > 0)
        dev->interrupt_status |= INTERRUPT_USED_BUFFER;
    return done;
}

static int mmio_io(struct vmm *vmm, void *ctx, uint64_t offset, bool is_write,
                   uint8_t *data, unsigned size)
{
    (void)vmm;
    vdev_mmio_access(ctx, offset, is_write, data, size);
    return 0;
}

int vdev_attach(struct vmm *vmm, struct vdev *dev)
{
    if (vmm->nvdevs == VMM_MAX_DISKS)
        return vmm_fail(0, "too many virtio devices (at most %d)",
                        VMM_MAX_DISKS);
    if (io_register(&vmm->mmio,
                    VMM_VIRTIO_BASE + vmm->nvdevs * VMM_VIRTIO_SIZE,
                    VMM_VIRTIO_SIZE, mmio_io, dev, dev->name) < 0)
        return -1;
    vmm->vdevs[vmm->nvdevs++] = dev;
    return 0;
}
