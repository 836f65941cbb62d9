/* devices.c: find the virtio devices (virtio_mmio.device=SIZE@ADDR:IRQ on the command line, then PCI) and attach drivers. */
#include "cmdline.h"
#include "kernel.h"
#include "virtio/virtio.h"

/* Parses "SIZE@ADDR:IRQ", SIZE with an optional K/M suffix; false if malformed. */
static bool parse_mmio_device(const char *spec, uint64_t *size, uint64_t *addr, uint64_t *irq)
{
    char buf[64];
    size_t n = kstrlen(spec);
    if (n >= sizeof buf)
        return false;
    kmemcpy(buf, spec, n + 1);
    char *at = NULL, *colon = NULL;
    for (char *p = buf; *p; p++) {
        if (*p == '@' && !at)
            at = p;
        else if (*p == ':' && at && !colon)
            colon = p;
    }
    if (!at || !colon)
        return false;
    *at = *colon = '\0';
    uint64_t mult = 1;
    char *last = at - 1;
    if (last >= buf && (*last == 'K' || *last == 'k'))
        mult = 1024;
    else if (last >= buf && (*last == 'M' || *last == 'm'))
        mult = 1024 * 1024;
    if (mult != 1)
        *last = '\0';
    if (!kparse_u64(buf, size) || !kparse_u64(at + 1, addr) || !kparse_u64(colon + 1, irq))
        return false;
    *size *= mult;
    return *size >= 0x200 && *addr % 0x200 == 0 && *addr >= 0xc0000000 && *addr + *size <= 0x100000000;
}

void devices_init(const struct cmdline *cl)
{
    const char *spec;
    for (int i = 0; (spec = cmdline_kopt(cl, "virtio_mmio.device", i)); i++) {
        uint64_t size, addr, irq;
        struct virtio_dev dev;
        if (!parse_mmio_device(spec, &size, &addr, &irq)) {
            kprintf("unikit: ignoring malformed virtio_mmio.device=%s\n", spec);
            continue;
        }
        if (virtio_mmio_probe(&dev, addr, (int)irq) < 0) {
            kprintf("unikit: no virtio device at 0x%lx\n", addr);
            continue;
        }
        virtio_attach(&dev);
    }
    virtio_pci_scan(); /* QEMU pc/q35, UEFI boots: devices on PCI bus 0 */
}

#define MAX_IRQ_DEVICES 16
static struct virtio_dev *irq_devices[MAX_IRQ_DEVICES];
static int n_irq_devices;

void virtio_attach(struct virtio_dev *dev)
{
    switch (dev->device_id) {
    case VIRTIO_ID_BLOCK:
        virtio_blk_attach(dev);
        break;
    case VIRTIO_ID_NET:
        virtio_net_attach(dev);
        break;
    default:
        kprintf("unikit: %s device type %u has no driver\n", dev->ops->name, dev->device_id);
    }
}

/* Routes the device's interrupt line (virtio-mmio under QEMU) to a vector. */
void devices_register_irq(struct virtio_dev *dev)
{
    if (dev->irq >= 0 && n_irq_devices < MAX_IRQ_DEVICES && apic_route_irq(dev->irq) >= 0)
        irq_devices[n_irq_devices++] = dev;
}

void devices_ack_interrupts(void)
{
    for (int i = 0; i < n_irq_devices; i++)
        irq_devices[i]->ops->ack_interrupt(irq_devices[i]);
}

bool devices_have_work(void)
{
    return virtio_blk_has_work() || virtio_net_has_work();
}
