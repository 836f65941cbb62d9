/* pci.h: PCI configuration space through ports 0xcf8/0xcfc, bus 0, and BARs placed below 4 GiB. */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* Configuration header offsets (PCI Local Bus 3.0, 6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAPABILITIES 0x34
#define PCI_INTERRUPT_LINE 0x3c

#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_STATUS_CAP_LIST 0x10

#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VENDOR 0x09

#define PCI_BARS 6

/* One function on bus 0: where it is and what its BARs decode. */
struct pci_func {
    uint8_t dev, fn;
    uint16_t vendor, device;
    uint64_t bar[PCI_BARS]; /* memory BARs: the address; I/O BARs: the port; 0: none */
    uint64_t bar_size[PCI_BARS]; /* bytes it decodes; 0: not implemented (or a 64-bit BAR's upper half) */
    bool bar_is_io[PCI_BARS];
};

/* Reads or writes (width) = 1, 2 or 4 bytes of function (dev, fn)'s configuration at (off). */
uint32_t pci_read(int dev, int fn, int off, int width);
void pci_write(int dev, int fn, int off, int width, uint32_t v);

/*
 * Calls (found) for every function on bus 0 with its BARs decoded (and
 * placed, where no firmware did or where they lie outside the uncached
 * 3..4 GiB mapping); returns how many functions it saw.
 */
int pci_scan(void (*found)(struct pci_func *f));

/* Turns on memory and I/O decoding and bus mastering (DMA) for (f). */
void pci_enable(const struct pci_func *f);

/*
 * Capability list walk (PCI 3.0, 6.7): the offset of the first capability
 * with (id) at or after (start) (0: from the list head), or 0 for none.
 */
int pci_find_cap(const struct pci_func *f, int id, int start);

/*
 * MSI-X table entry (vector) of (f) (PCI 3.0, 6.8.2) aimed at the local
 * APIC (address 0xfee00000, data = (idt_vector), edge, fixed), unmasked.
 * Not called yet: interrupts under QEMU are the lead's apic.c; this is
 * where it would hook virtio-pci queues. Returns 0, or -1 without MSI-X.
 */
int pci_msix_route(const struct pci_func *f, int vector, int idt_vector);

#endif
