/* pci.c: the virtio-pci transport — modern capabilities (virtio 1.1, 4.1.4), legacy I/O BAR (4.1.4.8) where that is all. */
#include "../io.h"
#include "../kernel.h"
#include "../pci.h"
#include "virtio.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_TRANSITIONAL_FIRST 0x1000 /* 4.1.2.1: type in the subsystem ID */
#define VIRTIO_PCI_TRANSITIONAL_LAST 0x103f
#define VIRTIO_PCI_MODERN_FIRST 0x1040 /* 4.1.2.1: 0x1040 + type */
#define VIRTIO_PCI_MODERN_LAST 0x107f

/* struct virtio_pci_cap (4.1.4): cfg_type and where in which BAR. */
#define CAP_CFG_TYPE 3
#define CAP_BAR 4
#define CAP_OFFSET 8
#define CAP_LENGTH 12
#define CAP_NOTIFY_MULTIPLIER 16 /* struct virtio_pci_notify_cap (4.1.4.4) */
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define COMMON_DFSELECT 0
#define COMMON_DF 4
#define COMMON_GFSELECT 8
#define COMMON_GF 12
#define COMMON_STATUS 20
#define COMMON_CFGGENERATION 21
#define COMMON_Q_SELECT 22
#define COMMON_Q_SIZE 24
#define COMMON_Q_ENABLE 28
#define COMMON_Q_NOFF 30
#define COMMON_Q_DESC 32
#define COMMON_Q_DRIVER 40
#define COMMON_Q_DEVICE 48

/* The legacy header in I/O BAR 0 (4.1.4.8); device configuration follows at 20 without MSI-X. */
#define LEGACY_HOST_FEATURES 0
#define LEGACY_GUEST_FEATURES 4
#define LEGACY_QUEUE_PFN 8
#define LEGACY_QUEUE_NUM 12
#define LEGACY_QUEUE_SEL 14
#define LEGACY_QUEUE_NOTIFY 16
#define LEGACY_STATUS 18
#define LEGACY_ISR 19
#define LEGACY_CONFIG 20

#define STATUS_HANDSHAKE (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER)

static const struct virtio_transport modern_transport, legacy_transport;

/* ---- modern: registers in memory BARs, found through vendor capabilities ---- */

static uint8_t rd8(struct virtio_dev *dev, size_t off) { return *(volatile uint8_t *)(dev->base + off); }
static uint16_t rd16(struct virtio_dev *dev, size_t off) { return *(volatile uint16_t *)(dev->base + off); }
static uint32_t rd32(struct virtio_dev *dev, size_t off) { return *(volatile uint32_t *)(dev->base + off); }
static void wr8(struct virtio_dev *dev, size_t off, uint8_t v) { *(volatile uint8_t *)(dev->base + off) = v; }
static void wr16(struct virtio_dev *dev, size_t off, uint16_t v) { *(volatile uint16_t *)(dev->base + off) = v; }
static void wr32(struct virtio_dev *dev, size_t off, uint32_t v) { *(volatile uint32_t *)(dev->base + off) = v; }

/* 4.1.3.1: 64-bit fields may be written as two 32-bit halves, low first. */
static void wr64(struct virtio_dev *dev, size_t off, uint64_t v)
{
    wr32(dev, off, (uint32_t)v);
    wr32(dev, off + 4, (uint32_t)(v >> 32));
}

/*
 * 4.1.4.1: walks the vendor-specific capabilities and keeps the first
 * common, notify, ISR and device configuration structure whose BAR is a
 * placed memory BAR holding it. Returns 0 when all four are there.
 */
static int find_modern_regions(struct virtio_dev *dev, const struct pci_func *f)
{
    volatile uint8_t *found[5] = {0};
    for (int cap = pci_find_cap(f, PCI_CAP_ID_VENDOR, 0); cap; cap = pci_find_cap(f, PCI_CAP_ID_VENDOR, cap)) {
        int type = (int)pci_read(f->dev, f->fn, cap + CAP_CFG_TYPE, 1);
        int bar = (int)pci_read(f->dev, f->fn, cap + CAP_BAR, 1);
        uint32_t offset = pci_read(f->dev, f->fn, cap + CAP_OFFSET, 4);
        uint32_t length = pci_read(f->dev, f->fn, cap + CAP_LENGTH, 4);
        if (type < CFG_COMMON || type > CFG_DEVICE || found[type])
            continue; /* 4.1.4.1: ignore types we do not know; the first of a type wins */
        if (bar >= PCI_BARS || f->bar_is_io[bar] || !f->bar[bar] ||
            (uint64_t)offset + length > f->bar_size[bar])
            continue;
        found[type] = (volatile uint8_t *)(uintptr_t)(f->bar[bar] + offset);
        if (type == CFG_NOTIFY)
            dev->notify_multiplier = pci_read(f->dev, f->fn, cap + CAP_NOTIFY_MULTIPLIER, 4);
    }
    dev->base = found[CFG_COMMON];
    dev->notify_base = found[CFG_NOTIFY];
    dev->isr = found[CFG_ISR];
    dev->device_cfg = found[CFG_DEVICE];
    return dev->base && dev->notify_base && dev->isr && dev->device_cfg ? 0 : -1;
}

/* 3.1.1 step 1, and 4.1.4.3.2: after writing 0 wait until the reset has finished. */
static void modern_reset(struct virtio_dev *dev)
{
    wr8(dev, COMMON_STATUS, 0);
    while (rd8(dev, COMMON_STATUS) != 0)
        cpu_relax();
}

static int modern_negotiate(struct virtio_dev *dev, uint64_t wanted)
{
    /* 3.1.1 steps 2-3: we have noticed the device and know how to drive it. */
    wr8(dev, COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    wr8(dev, COMMON_STATUS, STATUS_HANDSHAKE);
    /* Step 4: both 32-bit halves of the device's features, then ours. */
    wr32(dev, COMMON_DFSELECT, 0);
    uint64_t offered = rd32(dev, COMMON_DF);
    wr32(dev, COMMON_DFSELECT, 1);
    offered |= (uint64_t)rd32(dev, COMMON_DF) << 32;
    dev->features = offered & (wanted | 1ULL << VIRTIO_F_VERSION_1);
    if (!(dev->features & (1ULL << VIRTIO_F_VERSION_1))) {
        wr8(dev, COMMON_STATUS, VIRTIO_STATUS_FAILED);
        return -1;
    }
    wr32(dev, COMMON_GFSELECT, 0);
    wr32(dev, COMMON_GF, (uint32_t)dev->features);
    wr32(dev, COMMON_GFSELECT, 1);
    wr32(dev, COMMON_GF, (uint32_t)(dev->features >> 32));
    /* Steps 5-6: FEATURES_OK, and the device must keep it set. */
    wr8(dev, COMMON_STATUS, STATUS_HANDSHAKE | VIRTIO_STATUS_FEATURES_OK);
    if (!(rd8(dev, COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
        wr8(dev, COMMON_STATUS, VIRTIO_STATUS_FAILED);
        return -1;
    }
    return 0;
}

/* A power-of-two queue of at most (device_max), (max_size) and VIRTQ_MAX_SIZE entries, with its rings. */
static int alloc_queue(struct virtio_dev *dev, struct virtq *vq, uint32_t size)
{
    while (size & (size - 1))
        size &= size - 1; /* split rings of a power-of-two size */
    void *mem = uk_pages_alloc(virtq_bytes((uint16_t)size) / 4096);
    if (!mem)
        return -1;
    virtq_init(vq, (uint16_t)size, mem, dev->features & (1ULL << VIRTIO_F_RING_EVENT_IDX));
    return 0;
}

static int modern_queue_setup(struct virtio_dev *dev, int index, struct virtq *vq, uint16_t max_size)
{
    int nslots = (int)(sizeof dev->queue_notify_off / sizeof dev->queue_notify_off[0]);
    if (index >= nslots)
        return -1;
    /* 4.1.5.1.3: select the queue, check it exists and is unused, size it, give its rings. */
    wr16(dev, COMMON_Q_SELECT, (uint16_t)index);
    uint32_t size = rd16(dev, COMMON_Q_SIZE);
    if (size == 0 || rd16(dev, COMMON_Q_ENABLE))
        return -1;
    if (size > max_size)
        size = max_size;
    if (size > VIRTQ_MAX_SIZE)
        size = VIRTQ_MAX_SIZE;
    if (alloc_queue(dev, vq, size) < 0)
        return -1;
    wr16(dev, COMMON_Q_SIZE, vq->size);
    wr64(dev, COMMON_Q_DESC, (uintptr_t)vq->desc);
    wr64(dev, COMMON_Q_DRIVER, (uintptr_t)vq->avail);
    wr64(dev, COMMON_Q_DEVICE, (uintptr_t)vq->used);
    dev->queue_notify_off[index] = rd16(dev, COMMON_Q_NOFF);
    wr16(dev, COMMON_Q_ENABLE, 1);
    return 0;
}

static void modern_ready(struct virtio_dev *dev)
{
    wr8(dev, COMMON_STATUS, (uint8_t)(rd8(dev, COMMON_STATUS) | VIRTIO_STATUS_DRIVER_OK));
}

/* 4.1.4.4: queue (index) is notified at notify_base + queue_notify_off * multiplier. */
static void modern_notify(struct virtio_dev *dev, int index)
{
    size_t off = (size_t)dev->queue_notify_off[index] * dev->notify_multiplier;
    *(volatile uint16_t *)(dev->notify_base + off) = (uint16_t)index;
}

/* 4.1.4.5: reading the ISR status acknowledges the interrupt. */
static uint32_t modern_ack_interrupt(struct virtio_dev *dev)
{
    return *dev->isr;
}

static void modern_read_config(struct virtio_dev *dev, size_t offset, void *buf, size_t len)
{
    uint8_t gen;
    do { /* 4.1.4.3.1: re-read when config_generation changed under us */
        gen = rd8(dev, COMMON_CFGGENERATION);
        virtio_config_copy(dev->device_cfg, offset, buf, len);
    } while (gen != rd8(dev, COMMON_CFGGENERATION));
}

static const struct virtio_transport modern_transport = {
    .name = "virtio-pci",
    .negotiate = modern_negotiate,
    .queue_setup = modern_queue_setup,
    .ready = modern_ready,
    .notify = modern_notify,
    .ack_interrupt = modern_ack_interrupt,
    .read_config = modern_read_config,
};

/* ---- legacy: the header in I/O BAR 0, little-endian as x86 is (4.1.4.8) ---- */

static int legacy_negotiate(struct virtio_dev *dev, uint64_t wanted)
{
    uint16_t io = dev->legacy_io;
    /* 3.1.2 (legacy): steps 2-4 as for modern devices, 32 feature bits only ... */
    outb(io + LEGACY_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    outb(io + LEGACY_STATUS, STATUS_HANDSHAKE);
    dev->features = inl(io + LEGACY_HOST_FEATURES) & wanted & 0xffffffffu;
    outl(io + LEGACY_GUEST_FEATURES, (uint32_t)dev->features);
    /* ... and no FEATURES_OK: a legacy device takes the features as written. */
    return 0;
}

static int legacy_queue_setup(struct virtio_dev *dev, int index, struct virtq *vq, uint16_t max_size)
{
    uint16_t io = dev->legacy_io;
    (void)max_size; /* 4.1.4.8: the queue size is the device's, read-only */
    /* 4.1.5.1.3.1: select the queue, check it exists and is unused, give its rings' page. */
    outw(io + LEGACY_QUEUE_SEL, (uint16_t)index);
    uint32_t size = inw(io + LEGACY_QUEUE_NUM);
    if (size == 0 || inl(io + LEGACY_QUEUE_PFN) != 0)
        return -1;
    if (size > VIRTQ_MAX_SIZE || (size & (size - 1))) {
        kprintf("virtio-pci: legacy queue of %u entries (at most %d supported)\n", size, VIRTQ_MAX_SIZE);
        return -1;
    }
    /* 2.6.2 (legacy): one block, the used ring on the next 4 KiB boundary — as virtq_init lays it out. */
    if (alloc_queue(dev, vq, size) < 0)
        return -1;
    outl(io + LEGACY_QUEUE_PFN, (uint32_t)((uintptr_t)vq->desc >> 12));
    return 0;
}

static void legacy_ready(struct virtio_dev *dev)
{
    uint16_t io = dev->legacy_io;
    outb(io + LEGACY_STATUS, (uint8_t)(inb(io + LEGACY_STATUS) | VIRTIO_STATUS_DRIVER_OK));
}

static void legacy_notify(struct virtio_dev *dev, int index)
{
    outw(dev->legacy_io + LEGACY_QUEUE_NOTIFY, (uint16_t)index);
}

static uint32_t legacy_ack_interrupt(struct virtio_dev *dev)
{
    return inb(dev->legacy_io + LEGACY_ISR); /* reading clears it */
}

/* Legacy devices have no generation counter: fields are read as they are. */
static void legacy_read_config(struct virtio_dev *dev, size_t offset, void *buf, size_t len)
{
    uint8_t *out = buf;
    for (size_t i = 0; i < len; i++)
        out[i] = inb((uint16_t)(dev->legacy_io + LEGACY_CONFIG + offset + i));
}

static const struct virtio_transport legacy_transport = {
    .name = "virtio-pci (legacy)",
    .negotiate = legacy_negotiate,
    .queue_setup = legacy_queue_setup,
    .ready = legacy_ready,
    .notify = legacy_notify,
    .ack_interrupt = legacy_ack_interrupt,
    .read_config = legacy_read_config,
};

/* ---- discovery ---- */

static int attached;

/* The virtio device type of (f) (4.1.2.1), or 0 when it is not a virtio device. */
static uint32_t virtio_type(const struct pci_func *f)
{
    if (f->vendor != VIRTIO_PCI_VENDOR)
        return 0;
    if (f->device >= VIRTIO_PCI_MODERN_FIRST && f->device <= VIRTIO_PCI_MODERN_LAST)
        return f->device - VIRTIO_PCI_MODERN_FIRST;
    if (f->device >= VIRTIO_PCI_TRANSITIONAL_FIRST && f->device <= VIRTIO_PCI_TRANSITIONAL_LAST)
        return pci_read(f->dev, f->fn, PCI_SUBSYSTEM_ID, 2);
    return 0;
}

/*
 * The INTx line firmware routed (PCI 3.0, 6.2.4: the interrupt line
 * register; 0 or 0xff for none). On QEMU's pc and q35 that ISA IRQ reaches
 * the IOAPIC input of the same number too, which apic.c routes edge-
 * triggered: reading the ISR (ack_interrupt) lowers the line, so the next
 * completion raises a new edge. MSI-X stays off (pci_msix_route is where
 * per-queue vectors would be programmed).
 */
static int intx_line(const struct pci_func *f)
{
    uint32_t line = pci_read(f->dev, f->fn, PCI_INTERRUPT_LINE, 1);
    return line >= 1 && line < 16 ? (int)line : -1;
}

static void found(struct pci_func *f)
{
    uint32_t type = virtio_type(f);
    if (type == 0)
        return;
    pci_enable(f); /* places its BARs if need be, then decoding and DMA on */
    struct virtio_dev dev = {.device_id = type, .irq = intx_line(f)};
    if (find_modern_regions(&dev, f) == 0) { /* 4.1.2.2: prefer modern where both are offered */
        dev.ops = &modern_transport;
        modern_reset(&dev);
    } else if (f->bar_is_io[0] && f->bar[0]) { /* 4.1.4.8: legacy registers in I/O BAR 0 */
        if (type == VIRTIO_ID_NET) {
            /* TODO: net.c assumes VERSION_1's 12-byte header; a legacy one is 10 bytes. */
            kprintf("virtio-pci 00:%02x.%u: legacy-only virtio-net is not supported\n", f->dev, f->fn);
            return;
        }
        dev = (struct virtio_dev){.ops = &legacy_transport, .device_id = type, .irq = dev.irq};
        dev.legacy_io = (uint16_t)f->bar[0];
        outb(dev.legacy_io + LEGACY_STATUS, 0); /* 3.1.1 step 1: reset */
    } else {
        kprintf("virtio-pci 00:%02x.%u: neither modern capabilities nor a legacy I/O BAR\n", f->dev, f->fn);
        return;
    }
    virtio_attach(&dev);
    attached++;
}

int virtio_pci_scan(void)
{
    if (platform == PLATFORM_UKVM)
        return 0; /* unikit's VMM has no PCI bus: its devices are virtio-mmio */
    attached = 0;
    pci_scan(found);
    return attached;
}
