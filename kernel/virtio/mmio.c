/* mmio.c: the virtio-mmio transport, modern register layout (virtio 1.1, 4.2.2). */
#include "../kernel.h"
#include "virtio.h"

#define MMIO_MAGIC 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_DEVICE_FEATURES 0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES 0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_READY 0x044
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_INTERRUPT_STATUS 0x060
#define MMIO_INTERRUPT_ACK 0x064
#define MMIO_STATUS 0x070
#define MMIO_QUEUE_DESC_LOW 0x080
#define MMIO_QUEUE_DESC_HIGH 0x084
#define MMIO_QUEUE_DRIVER_LOW 0x090
#define MMIO_QUEUE_DRIVER_HIGH 0x094
#define MMIO_QUEUE_DEVICE_LOW 0x0a0
#define MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define MMIO_CONFIG_GENERATION 0x0fc
#define MMIO_CONFIG 0x100

#define VIRT_MAGIC 0x74726976 /* "virt" */

static uint32_t rd(struct virtio_dev *dev, size_t off)
{
    return *(volatile uint32_t *)(dev->base + off);
}

static void wr(struct virtio_dev *dev, size_t off, uint32_t v)
{
    *(volatile uint32_t *)(dev->base + off) = v;
}

static const struct virtio_transport mmio_transport;

int virtio_mmio_probe(struct virtio_dev *dev, uintptr_t base, int irq)
{
    *dev = (struct virtio_dev){.ops = &mmio_transport};
    dev->base = (volatile uint8_t *)base;
    dev->irq = irq;
    if (rd(dev, MMIO_MAGIC) != VIRT_MAGIC)
        return -1;
    dev->device_id = rd(dev, MMIO_DEVICE_ID);
    if (dev->device_id == 0)
        return -1; /* an empty slot */
    if (rd(dev, MMIO_VERSION) != 2) {
        kprintf("virtio-mmio@0x%lx: legacy (version 1) transport not supported\n", base);
        return -1;
    }
    wr(dev, MMIO_STATUS, 0); /* 3.1.1 step 1: reset */
    return 0;
}

static int mmio_negotiate(struct virtio_dev *dev, uint64_t wanted)
{
    /* 3.1.1 steps 2-3: we have noticed the device and know how to drive it. */
    wr(dev, MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(dev, MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    /* Step 4: read the device's features, write the subset we understand. */
    wr(dev, MMIO_DEVICE_FEATURES_SEL, 0);
    uint64_t offered = rd(dev, MMIO_DEVICE_FEATURES);
    wr(dev, MMIO_DEVICE_FEATURES_SEL, 1);
    offered |= (uint64_t)rd(dev, MMIO_DEVICE_FEATURES) << 32;
    wanted |= 1ULL << VIRTIO_F_VERSION_1;
    dev->features = offered & wanted;
    if (!(dev->features & (1ULL << VIRTIO_F_VERSION_1))) {
        wr(dev, MMIO_STATUS, VIRTIO_STATUS_FAILED);
        return -1;
    }
    wr(dev, MMIO_DRIVER_FEATURES_SEL, 0);
    wr(dev, MMIO_DRIVER_FEATURES, (uint32_t)dev->features);
    wr(dev, MMIO_DRIVER_FEATURES_SEL, 1);
    wr(dev, MMIO_DRIVER_FEATURES, (uint32_t)(dev->features >> 32));
    /* Steps 5-6: FEATURES_OK, and the device must keep it set. */
    uint32_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
    wr(dev, MMIO_STATUS, status);
    if (!(rd(dev, MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        wr(dev, MMIO_STATUS, VIRTIO_STATUS_FAILED);
        return -1;
    }
    return 0;
}

static int mmio_queue_setup(struct virtio_dev *dev, int index, struct virtq *vq, uint16_t max_size)
{
    /* 4.2.3.2: select the queue, check it is unused, size it, give its rings. */
    wr(dev, MMIO_QUEUE_SEL, (uint32_t)index);
    if (rd(dev, MMIO_QUEUE_READY))
        return -1;
    uint32_t size = rd(dev, MMIO_QUEUE_NUM_MAX);
    if (size == 0)
        return -1;
    if (size > max_size)
        size = max_size;
    if (size > VIRTQ_MAX_SIZE)
        size = VIRTQ_MAX_SIZE;
    while (size & (size - 1))
        size &= size - 1; /* split rings of a power-of-two size */
    size_t bytes = virtq_bytes((uint16_t)size);
    void *mem = uk_pages_alloc(bytes / 4096);
    if (!mem)
        return -1;
    virtq_init(vq, (uint16_t)size, mem, dev->features & (1ULL << VIRTIO_F_RING_EVENT_IDX));
    wr(dev, MMIO_QUEUE_NUM, size);
    uint64_t desc = (uintptr_t)vq->desc, avail = (uintptr_t)vq->avail, used = (uintptr_t)vq->used;
    wr(dev, MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
    wr(dev, MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
    wr(dev, MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
    wr(dev, MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
    wr(dev, MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
    wr(dev, MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
    wr(dev, MMIO_QUEUE_READY, 1);
    return 0;
}

static void mmio_ready(struct virtio_dev *dev)
{
    wr(dev, MMIO_STATUS, rd(dev, MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

static void mmio_notify(struct virtio_dev *dev, int index)
{
    wr(dev, MMIO_QUEUE_NOTIFY, (uint32_t)index);
}

static uint32_t mmio_ack_interrupt(struct virtio_dev *dev)
{
    uint32_t isr = rd(dev, MMIO_INTERRUPT_STATUS);
    if (isr)
        wr(dev, MMIO_INTERRUPT_ACK, isr);
    return isr;
}

static void mmio_read_config(struct virtio_dev *dev, size_t offset, void *buf, size_t len)
{
    uint32_t gen;
    do { /* 4.2.2.2: re-read when the configuration changed under us */
        gen = rd(dev, MMIO_CONFIG_GENERATION);
        virtio_config_copy(dev->base + MMIO_CONFIG, offset, buf, len);
    } while (gen != rd(dev, MMIO_CONFIG_GENERATION));
}

static const struct virtio_transport mmio_transport = {
    .name = "virtio-mmio",
    .negotiate = mmio_negotiate,
    .queue_setup = mmio_queue_setup,
    .ready = mmio_ready,
    .notify = mmio_notify,
    .ack_interrupt = mmio_ack_interrupt,
    .read_config = mmio_read_config,
};
