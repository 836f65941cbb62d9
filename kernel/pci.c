/* pci.c: PCI configuration mechanism #1 (ports 0xcf8/0xcfc), bus 0 scan, BAR decoding and placement. */
#include "io.h"
#include "kernel.h"
#include "pci.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_MAX_FUNCS 64

/*
 * Where BARs go that no firmware placed, or placed where ring 3 cannot use
 * them (OVMF puts 64-bit BARs above 4 GiB, and I/O BARs from 0x6000 on
 * q35): memory into the uncached 3.5..4 GiB identity mapping below the
 * IOAPIC, ports into 0xc000..0xffff, which the TSS I/O bitmap opens.
 */
#define MEM_WINDOW_LO 0xe0000000ULL
#define MEM_WINDOW_HI 0xfec00000ULL
#define MEM_UNCACHED_LO 0xc0000000ULL
#define IO_WINDOW_LO 0xc000ULL
#define IO_WINDOW_HI 0x10000ULL

/* Q35's MCH (8086:29c0) decodes its ECAM window (PCIEXBAR) out of the PCI hole. */
#define Q35_MCH_DEVICE 0x29c0
#define Q35_PCIEXBAR 0x60

struct range {
    uint64_t lo, hi; /* [lo, hi) */
};

static struct pci_func funcs[PCI_MAX_FUNCS];
static bool bar_unplaced[PCI_MAX_FUNCS][PCI_BARS];
static struct range busy[PCI_MAX_FUNCS * PCI_BARS + 1]; /* decoded BARs, and the ECAM window */
static int nfuncs, nbusy;

/* 3.2.2.3.2 of PCI 3.0: bus 0, (dev), (fn), dword-aligned register. */
static void select_reg(int dev, int fn, int off)
{
    outl(PCI_CONFIG_ADDRESS, 0x80000000u | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (uint32_t)(off & 0xfc));
}

uint32_t pci_read(int dev, int fn, int off, int width)
{
    select_reg(dev, fn, off);
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));
    return width == 1 ? inb(port) : width == 2 ? inw(port) : inl(port);
}

void pci_write(int dev, int fn, int off, int width, uint32_t v)
{
    select_reg(dev, fn, off);
    uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));
    if (width == 1)
        outb(port, (uint8_t)v);
    else if (width == 2)
        outw(port, (uint16_t)v);
    else
        outl(port, v);
}

/*
 * 6.2.5.1: a BAR's size is what stays writable after writing all ones;
 * decoding is off meanwhile so the probe value decodes nothing. Fills
 * f->bar[i] (and the upper half of a 64-bit BAR); returns the BARs used.
 */
static int decode_bar(struct pci_func *f, int i)
{
    int off = PCI_BAR0 + 4 * i;
    uint32_t lo = pci_read(f->dev, f->fn, off, 4);
    pci_write(f->dev, f->fn, off, 4, 0xffffffff);
    uint32_t lo_mask = pci_read(f->dev, f->fn, off, 4);
    pci_write(f->dev, f->fn, off, 4, lo);
    if (lo & 1) { /* I/O space */
        uint32_t mask = lo_mask & ~3u & 0xffff;
        f->bar_is_io[i] = true;
        f->bar[i] = lo & ~3u;
        f->bar_size[i] = mask ? (~mask & 0xffff) + 1 : 0;
        return 1;
    }
    bool is64 = ((lo >> 1) & 3) == 2;
    uint64_t addr = lo & ~0xfull, mask = lo_mask & ~0xfull;
    if (is64 && i + 1 < PCI_BARS) {
        uint32_t hi = pci_read(f->dev, f->fn, off + 4, 4);
        pci_write(f->dev, f->fn, off + 4, 4, 0xffffffff);
        mask |= (uint64_t)pci_read(f->dev, f->fn, off + 4, 4) << 32;
        pci_write(f->dev, f->fn, off + 4, 4, hi);
        addr |= (uint64_t)hi << 32;
    } else {
        mask |= 0xffffffff00000000ull; /* a 32-bit BAR */
    }
    f->bar_size[i] = mask & 0xfffffff0ull ? ~mask + 1 : 0;
    f->bar[i] = addr;
    return is64 ? 2 : 1;
}

static void mark_busy(uint64_t lo, uint64_t size)
{
    if (size && nbusy < (int)(sizeof busy / sizeof busy[0]))
        busy[nbusy++] = (struct range){lo, lo + size};
}

/* Records function (dev, fn); its BARs are decoded with decoding switched off. */
static void add_func(int dev, int fn)
{
    if (nfuncs == PCI_MAX_FUNCS)
        return;
    int k = nfuncs++;
    struct pci_func *f = &funcs[k];
    *f = (struct pci_func){.dev = (uint8_t)dev, .fn = (uint8_t)fn};
    f->vendor = (uint16_t)pci_read(dev, fn, PCI_VENDOR_ID, 2);
    f->device = (uint16_t)pci_read(dev, fn, PCI_DEVICE_ID, 2);
    if ((pci_read(dev, fn, PCI_HEADER_TYPE, 1) & 0x7f) != 0)
        return; /* a bridge: its two BARs are not worth the trouble */
    uint32_t cmd = pci_read(dev, fn, PCI_COMMAND, 2);
    pci_write(dev, fn, PCI_COMMAND, 2, cmd & ~(uint32_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    for (int i = 0; i < PCI_BARS;)
        i += decode_bar(f, i);
    pci_write(dev, fn, PCI_COMMAND, 2, cmd);
    for (int i = 0; i < PCI_BARS; i++) {
        uint64_t a = f->bar[i], size = f->bar_size[i];
        if (!size)
            continue;
        /* Usable as is: placed, and (memory) inside the uncached 3..4 GiB mapping. */
        bool usable = f->bar_is_io[i] ? a >= IO_WINDOW_LO && a + size <= IO_WINDOW_HI
                                      : a >= MEM_UNCACHED_LO && a + size <= MEM_WINDOW_HI;
        bar_unplaced[k][i] = !usable;
        if (a)
            mark_busy(a, size); /* even where we move it: until then it decodes there */
    }
    if (f->vendor == 0x8086 && f->device == Q35_MCH_DEVICE) {
        uint64_t bar = pci_read(dev, fn, Q35_PCIEXBAR, 4) |
                       (uint64_t)pci_read(dev, fn, Q35_PCIEXBAR + 4, 4) << 32;
        static const uint64_t lengths[] = {256 << 20, 128 << 20, 64 << 20, 256 << 20};
        if (bar & 1)
            mark_busy(bar & 0xff0000000ull, lengths[(bar >> 1) & 3]);
    }
}

/* The lowest naturally aligned (size) bytes in [lo, hi) that no decoded range overlaps; 0 if none. */
static uint64_t find_free(uint64_t lo, uint64_t hi, uint64_t size)
{
    uint64_t a = (lo + size - 1) & ~(size - 1);
    while (a + size <= hi) {
        bool clash = false;
        for (int i = 0; i < nbusy && !clash; i++) {
            if (a < busy[i].hi && busy[i].lo < a + size) {
                a = (busy[i].hi + size - 1) & ~(size - 1);
                clash = true;
            }
        }
        if (!clash)
            return a;
    }
    return 0;
}

/* Gives (f)'s unplaced BARs addresses of their own (decoding is still off here). */
static void place_bars(struct pci_func *f, int k)
{
    for (int i = 0; i < PCI_BARS; i++) {
        if (!bar_unplaced[k][i])
            continue;
        uint64_t size = f->bar_size[i];
        if (!f->bar_is_io[i] && size < 4096)
            size = 4096; /* a page of its own: nothing else shares its mapping */
        uint64_t a = f->bar_is_io[i] ? find_free(IO_WINDOW_LO, IO_WINDOW_HI, size)
                                     : find_free(MEM_WINDOW_LO, MEM_WINDOW_HI, size);
        if (!a) {
            kprintf("pci: 00:%02x.%u BAR%d: no room for 0x%lx bytes\n", f->dev, f->fn, i, size);
            f->bar[i] = 0;
            continue;
        }
        int off = PCI_BAR0 + 4 * i;
        uint32_t flags = pci_read(f->dev, f->fn, off, 4) & (f->bar_is_io[i] ? 3u : 0xfu);
        pci_write(f->dev, f->fn, off, 4, (uint32_t)a | flags);
        if (!f->bar_is_io[i] && ((flags >> 1) & 3) == 2)
            pci_write(f->dev, f->fn, off + 4, 4, 0); /* the upper half of a 64-bit BAR */
        f->bar[i] = a;
        bar_unplaced[k][i] = false;
        mark_busy(a, size);
    }
}

int pci_scan(void (*found)(struct pci_func *f))
{
    nfuncs = nbusy = 0;
    if ((pci_read(0, 0, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff)
        return 0; /* no host bridge at 00:00.0: no PCI (microvm); spare 31 more exits */
    for (int dev = 0; dev < 32; dev++) {
        if ((pci_read(dev, 0, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff)
            continue; /* no device in this slot */
        int nfn = pci_read(dev, 0, PCI_HEADER_TYPE, 1) & 0x80 ? 8 : 1; /* multi-function */
        for (int fn = 0; fn < nfn; fn++)
            if ((pci_read(dev, fn, PCI_VENDOR_ID, 2) & 0xffff) != 0xffff)
                add_func(dev, fn);
    }
    for (int k = 0; k < nfuncs; k++)
        found(&funcs[k]);
    return nfuncs;
}

void pci_enable(const struct pci_func *f)
{
    int k = (int)(f - funcs);
    uint32_t cmd = pci_read(f->dev, f->fn, PCI_COMMAND, 2);
    if (k >= 0 && k < nfuncs) {
        pci_write(f->dev, f->fn, PCI_COMMAND, 2, cmd & ~(uint32_t)(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
        place_bars(&funcs[k], k);
    }
    pci_write(f->dev, f->fn, PCI_COMMAND, 2,
              cmd | PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

int pci_find_cap(const struct pci_func *f, int id, int start)
{
    if (!(pci_read(f->dev, f->fn, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
        return 0;
    int off = start ? (int)pci_read(f->dev, f->fn, start + 1, 1) : (int)pci_read(f->dev, f->fn, PCI_CAPABILITIES, 1);
    for (int hops = 0; off >= 0x40 && hops < 48; hops++) { /* 48: a looping list ends too */
        off &= 0xfc;
        if ((int)pci_read(f->dev, f->fn, off, 1) == id)
            return off;
        off = (int)pci_read(f->dev, f->fn, off + 1, 1);
    }
    return 0;
}

/* MSI-X capability fields (PCI 3.0, 6.8.2). */
#define MSIX_CONTROL 2
#define MSIX_TABLE 4
#define MSIX_ENABLE 0x8000
#define MSIX_ENTRY_BYTES 16

int pci_msix_route(const struct pci_func *f, int vector, int idt_vector)
{
    int cap = pci_find_cap(f, PCI_CAP_ID_MSIX, 0);
    if (!cap)
        return -1;
    uint32_t control = pci_read(f->dev, f->fn, cap + MSIX_CONTROL, 2);
    uint32_t table = pci_read(f->dev, f->fn, cap + MSIX_TABLE, 4);
    int bir = (int)(table & 7);
    if (vector > (int)(control & 0x7ff) || bir >= PCI_BARS || f->bar_is_io[bir] || !f->bar[bir])
        return -1;
    volatile uint32_t *e = (volatile uint32_t *)(uintptr_t)(f->bar[bir] + (table & ~7u) +
                                                            (uint64_t)vector * MSIX_ENTRY_BYTES);
    e[0] = 0xfee00000u; /* message address: the local APIC of CPU 0 */
    e[1] = 0;
    e[2] = (uint32_t)idt_vector; /* edge, fixed delivery */
    e[3] = 0;                    /* unmasked */
    pci_write(f->dev, f->fn, cap + MSIX_CONTROL, 2, control | MSIX_ENABLE);
    return 0;
}
