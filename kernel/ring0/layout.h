/* layout.h: fixed addresses of the ring-0 block at 1 MiB, shared by ring0.S and the C side. */
#ifndef KERNEL_RING0_LAYOUT_H
#define KERNEL_RING0_LAYOUT_H

/*
 * The ring-0 block is one section placed at exactly 1 MiB, so every address
 * in it is an assembly-time constant: the page tables, the GDT and IDT gates
 * are initialised data in the image and cost no ring-0 instructions at boot
 * (each ring-0 instruction is emulated, about 1 us, on shadow-paging hosts).
 * Its pages are mapped supervisor-only.
 */
#define R0_BASE 0x100000
#define R0_PML4 (R0_BASE + 0x0000)
#define R0_PDPT (R0_BASE + 0x1000)
#define R0_PD0 (R0_BASE + 0x2000)
#define R0_PT (R0_BASE + 0x3000) /* 1024 entries: 4 KiB pages for 0..4 MiB */
#define R0_GDT (R0_BASE + 0x5000)
#define R0_IDT (R0_BASE + 0x5100)
#define R0_TSS (R0_BASE + 0x6000)
#define R0_CODE (R0_BASE + 0x9000)
#define R0_ISR (R0_BASE + 0x9100) /* 16 bytes a vector */
#define R0_PD3 (R0_BASE + 0xa000) /* 2 MiB pages for 3..4 GiB (device memory) */
#define R0_SIZE 0xb000
#define R0_PAGES (R0_SIZE / 0x1000)

#define R0_VECTORS 48 /* 0..31 exceptions, 32..47 device interrupts */
#define R0_IRQ_BASE 32

#define PT_MAPPED_LIMIT 0x400000 /* the 4 KiB-mapped range */

/* Segment selectors. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS 0x28

/* Privileged services, entered with `hlt` from ring 3 (number in %eax; see gp_entry). */
#define SYS_HALT 0 /* sti; hlt unless an interrupt is already pending */
#define SYS_PAGE_SET 1 /* %rdi = page in 0..4 MiB, %rsi = 1 map / 0 unmap */

#endif
