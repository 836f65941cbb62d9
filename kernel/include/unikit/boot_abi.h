/* boot_abi.h: the boot ABI shared by the kernel, the launcher's VMM and the tools. */
#ifndef UNIKIT_BOOT_ABI_H
#define UNIKIT_BOOT_ABI_H

/*
 * This header depends on C99 <stdint.h> only, so the guest kernel (built
 * freestanding) and the host launcher include the very same file.
 *
 * An image is an ELF64 x86_64 executable, linked at 1 MiB, carrying a PVH
 * note (XEN_ELFNOTE_PHYS32_ENTRY, type 18, name "Xen") with the 32-bit entry
 * point, and a unikit note (type UK_ELFNOTE_ABI, name "unikit") with the ABI
 * version below. A loader checks both before it boots the image.
 *
 * Entry state (PVH, as Xen's arch-x86/hvm/start_info.h defines it): 32-bit
 * protected mode, paging off, flat 4 GiB CS (execute/read) and DS/ES/SS
 * (read/write), CR0.PE=1, EFLAGS.IF=0, %ebx = guest-physical address of a
 * struct hvm_start_info, %eax unspecified.
 *
 * The second entry path, uk_entry64_efi (kernel/ring0/ring0.S), is the EFI
 * stub's (kernel/efi/, a GNU-EFI PE32+ application carrying the image; its
 * build reads the symbol's address from the .elf). After ExitBootServices
 * the stub jumps there in 64-bit long mode with %rdi = guest-physical
 * address of the same struct hvm_start_info, below 4 GiB (version 1: memory
 * map converted from the UEFI one, the stub's own allocations reserved;
 * rsdp_paddr from the firmware's configuration table; the command line
 * below), the image's segments copied to their physical addresses (so the
 * image sits at UK_IMAGE_BASE as on the PVH path), interrupts off
 * (EFLAGS.IF=0, both 8259s masked), still on the firmware's identity map,
 * GDT, IDT and stack: the kernel loads its own before using anything else.
 *
 * The stub's command line: the image's load options when they are printable
 * UCS-2 text (a boot entry or the UEFI shell; a leading program path ending
 * ".efi" or holding '\' is dropped), else QEMU's fw_cfg file
 * "opt/org.unikit/cmdline" (raw bytes, at most UK_CMDLINE_MAX - 1, read
 * through ports 0x510/0x511; `unikit run --firmware uefi` passes it with
 * -fw_cfg name=...,file=...), else none (argv[0] "app").
 */

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define UK_ABI_VERSION 1

/* ELF notes. */
#define UK_ELFNOTE_PVH_ENTRY 18 /* XEN_ELFNOTE_PHYS32_ENTRY, name "Xen" */
#define UK_ELFNOTE_ABI 0x756b0001 /* name "unikit", desc: uint32 version */

/*
 * The ring-3 entry note (type UK_ELFNOTE_RING3, name "unikit"): the state the
 * kernel's own boot path reaches just before it drops to ring 3. A VMM that
 * can set the whole CPU state (unikit's, through KVM_SET_SREGS) enters the
 * image right there, at CPL 3 in long mode, and runs no ring-0 instruction
 * at all — on hosts that emulate ring 0 (kvm_pvm) the 30 instructions of the
 * 32-bit boot path cost about 3 ms. The VMM also unmaps the guard page (its
 * PTE is at pt_base + (guard_page >> 12) * 8) and sets %rdi = start info.
 * Segment descriptors are those of the image's own GDT at gdt_base.
 */
#define UK_ELFNOTE_RING3 0x756b0002

#ifndef __ASSEMBLER__
struct uk_ring3_entry {
    uint64_t rip, rsp, rflags;
    uint64_t cr0, cr3, cr4, efer;
    uint64_t gdt_base, idt_base, tss_base;
    uint32_t gdt_limit, idt_limit, tss_limit;
    uint16_t sel_code, sel_data, sel_tss, reserved;
    uint32_t reserved2;  /* keeps pt_base 8-aligned: 120 bytes in all */
    uint64_t pt_base;    /* the page table mapping 0..4 MiB in 4 KiB pages */
    uint64_t guard_page; /* below the main stack: to be left unmapped */
};
#endif

/* Where an image is linked. */
#define UK_IMAGE_BASE 0x100000

/* ---- PVH start info (the layout Xen and QEMU use) ---- */

#define UK_PVH_MAGIC 0x336ec578

#ifndef __ASSEMBLER__
struct hvm_start_info {
    uint32_t magic;          /* UK_PVH_MAGIC */
    uint32_t version;        /* 0 or 1 */
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;  /* NUL-terminated command line, 0 if none */
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr;   /* version >= 1: array of hvm_memmap_entry */
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct hvm_memmap_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type; /* UK_MEMMAP_* (the E820 types) */
    uint32_t reserved;
};

#endif /* !__ASSEMBLER__ */

#define UK_MEMMAP_RAM 1
#define UK_MEMMAP_RESERVED 2

/*
 * ---- Command line ----
 *
 * One string, tokens separated by single spaces, in three sections:
 *
 *     KOPT... -- ENV... -- ARG...
 *
 *   KOPT  kernel options, "key=value" (see below);
 *   ENV   the application's environment, "NAME=value", in order;
 *   ARG   argv[0], argv[1], ... (argv[0] is the application's name).
 *
 * Every token is percent-encoded: a byte outside 0x21..0x7e, and '%', is
 * written "%XX" (two hex digits); a token that is exactly "--" is written
 * "%2D%2D"; an empty token is written "%00". So a raw "--" token is always a
 * section separator and any argument (spaces, quotes, newlines) survives.
 * Missing trailing sections are empty; with no ARG section argv[0] is "app".
 *
 * Kernel options (unknown keys are reported on the console and ignored):
 *   tsc_khz=N      TSC frequency in kHz (the launcher measures it on the host)
 *   wallclock=NS   wall-clock time at boot, nanoseconds since the Unix epoch
 *   platform=P     "qemu" (the default) or "ukvm" (unikit's own VMM)
 *   virtio_mmio.device=SIZE@ADDR:IRQ   a virtio-mmio window (repeatable, in
 *                  device order; SIZE like 4K or 0x1000, ADDR in hex)
 *   ip=A.B.C.D/PREFIX   the first network interface's address, or ip=dhcp
 *   gw=A.B.C.D          its default gateway
 *                  (the MAC address is the virtio-net device's, from its
 *                  config space: the launcher sets it on the device)
 *
 * The kernel decodes at most UK_CMDLINE_MAX bytes.
 */
#define UK_CMDLINE_MAX 65536
#define UK_CMDLINE_SEP "--"

/*
 * ---- Exit status ----
 *
 * The guest's exit status is 0..255: exit(n) gives n & 0xff; a panic (CPU
 * exception, abort(), assert(), stack overflow) gives UK_EXIT_PANIC.
 *
 * Under QEMU the kernel first writes the status byte to UK_PORT_EXIT_STATUS
 * (an isa-debugcon the launcher reads back), then writes it to
 * UK_PORT_QEMU_EXIT (isa-debug-exit), which makes QEMU exit with
 * (status << 1) | 1. The launcher reports the byte from the debugcon, so the
 * whole range 0..255 passes through; an image without the status write still
 * gets (qemu_status >> 1), i.e. 0..127. (0x510..0x51b is QEMU's fw_cfg on
 * microvm, hence 0x4f0.) QEMU exits 1 both for its own failures and for a
 * guest's debug-exit(0): with the status byte captured, exit 1 and no byte
 * means QEMU failed (the launcher reports 125), so an image that skips the
 * status write and exits 0 is reported as a launcher failure.
 */
#define UK_EXIT_PANIC 255
#define UK_PORT_QEMU_EXIT 0xf4
#define UK_PORT_EXIT_STATUS 0x4f0

/* The launcher's own failures (bad flag, bad image, no QEMU) exit with this. */
#define UK_EXIT_LAUNCHER 125

/*
 * ---- Hypercalls (unikit's own VMM) ----
 *
 * A hypercall is a 32-bit `out` from ring 3 to UK_HC_PORT(nr) whose value is
 * the guest-physical address of the call's argument struct (below 4 GiB,
 * 8-byte aligned). The VMM fills in the result fields before the guest
 * continues.
 *
 * How unikit's VMM sets the guest up (what a kernel may rely on there):
 *   - the start info at guest-physical 0x6000, its memory map at 0x6100 and
 *     the command line at 0x6200, that page marked reserved in the map;
 *   - %esp = 0x6000 at entry (the PVH state leaves it undefined);
 *   - CPUID leaf 0x40000100 answers "ukvmukvmukvm";
 *   - virtio-mmio windows at 0xd0000000 + i * 0x1000, listed in order as
 *     virtio_mmio.device= options; no interrupt controller: completions are
 *     seen after UK_HC_WAIT returns, and the wait is the queue notification;
 *   - SIGINT to the VMM ends the guest with 128 + 2; SIGTERM too (128 + 15),
 *     unless the guest accepts stop notices (below);
 *   - `hlt` with no exit status written ends the guest with 255.
 */
#define UK_HC_PORT_BASE 0x500
#define UK_HC_PORT(nr) (UK_HC_PORT_BASE + (nr))

#define UK_HC_CONSOLE_WRITE 0 /* write a buffer to the console */
#define UK_HC_EXIT 1          /* end the guest with a status */
#define UK_HC_WAIT 2          /* service queues, then block until work or deadline */
#define UK_HC_COUNT 3

#ifndef __ASSEMBLER__
struct uk_hc_console_write {
    uint64_t data; /* guest-physical address of the bytes */
    uint64_t len;  /* number of bytes */
    int64_t ret;   /* out: bytes written, or -errno */
};

struct uk_hc_exit {
    uint64_t status; /* 0..255 */
};

struct uk_hc_wait {
    uint64_t deadline_ns; /* monotonic time (guest clock) to wake at; 0 = poll */
    uint64_t now_ns;      /* the guest's monotonic time when it calls */
    uint64_t ready;       /* in: UK_WAIT_ACCEPTS_STOP or 0;
                             out: bitmask of devices with work (bit = device index),
                             and UK_WAIT_STOP_REQUESTED */
};
#endif /* !__ASSEMBLER__ */

/*
 * Stop notices (`unikit stop`, a graceful stop) under unikit's VMM.
 *
 * A guest that can shut down cleanly says so by setting UK_WAIT_ACCEPTS_STOP
 * in uk_hc_wait.ready when it calls UK_HC_WAIT (the VMM remembers it from the
 * first such call on). From then on SIGTERM to the VMM no longer ends the
 * guest: it wakes a blocked wait at once, and that wait — or the next one, if
 * the guest was running — returns with UK_WAIT_STOP_REQUESTED set in
 * ready (once; the bit is cleared after it is delivered). The guest then ends
 * in its own time with UK_HC_EXIT. A second SIGTERM ends it with 128 + 15 as
 * before, and so does SIGKILL after `unikit stop -t`'s timeout.
 *
 * What the kernel and libos are to do with it: the kernel sets the accept
 * bit in every wait and turns the returned bit into a pending "terminate"
 * event; the libos delivers it as SIGTERM from its idle loop — the handler
 * the app installed with signal()/sigaction() runs there, in normal context;
 * with SIG_DFL the guest exits with 128 + 15 (143), like a process.
 * A guest that never sets the accept bit keeps the old behaviour: SIGTERM
 * ends it at once with 143. Under QEMU there is no notice: SIGTERM to QEMU
 * ends the guest at once (`unikit stop` there is always forced).
 */
#define UK_WAIT_ACCEPTS_STOP (UINT64_C(1) << 63)
#define UK_WAIT_STOP_REQUESTED (UINT64_C(1) << 63)

#endif /* UNIKIT_BOOT_ABI_H */
