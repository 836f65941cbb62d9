/* ring0.S: everything that runs at CPL 0 — boot to long mode, tables, trap and syscall stubs. */

/*
 * Kept to a few dozen instructions on purpose: on shadow-paging hosts
 * (kvm_pvm) every ring-0 instruction is emulated. The page tables, GDT, TSS
 * with its I/O permission bitmap, and the IDT are initialised data at fixed
 * addresses (layout.h); the boot path only loads them and drops to ring 3
 * with iretq. Service calls from ring 3 come in through #GP (gp_entry).
 * No SSE/x87 here: general registers only.
 */

#include "layout.h"

#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_U 0x004
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS 0x080
#define PTE_USER (PTE_P | PTE_W | PTE_U)
#define PTE_KERN (PTE_P | PTE_W)

#define CR0_BOOT 0x80010033 /* PG | WP | NE | ET | MP | PE; EM and TS clear for SSE */
#define CR4_BOOT 0x00000620 /* OSXMMEXCPT | OSFXSR | PAE */
#define EFER_BOOT 0x00000100 /* LME */
#define MSR_EFER 0xc0000080
#define LAPIC_EOI 0xfee000b0

#define BOOT_MEMMAP_MAX 64 /* memory map entries moved out of page 0 */
#define TSS_IOMAP_OFF 104
#define TSS_LIMIT (TSS_IOMAP_OFF + 8192) /* bitmap plus its 0xff terminator, minus 1 */

    .section .ring0, "awx"

/* ---- 0x0000: page tables, identity map of the first 4 GiB ---- */
pml4:
    .quad R0_PDPT + PTE_USER
    .fill 511, 8, 0

    .org R0_PDPT - R0_BASE
pdpt:
    /*
     * 1 GiB pages for RAM at 1..3 GiB: on a CPU without them (kvm_pvm
     * guests here; QEMU's default CPU) these entries are never used — the
     * kernel then keeps to the first GiB of RAM (mem.c), so the boot needs no
     * loop. 3..4 GiB (device memory) has its own page directory either way.
     */
    .quad R0_PD0 + PTE_USER
    .quad 0x40000000 + PTE_USER + PTE_PS
    .quad 0x80000000 + PTE_USER + PTE_PS
    .quad R0_PD3 + PTE_USER
    .fill 508, 8, 0

    .org R0_PD0 - R0_BASE
pd0:
    .quad R0_PT + PTE_USER
    .quad R0_PT + 0x1000 + PTE_USER
    .set i, 2
    .rept 510
    .quad (i << 21) + PTE_USER + PTE_PS
    .set i, i + 1
    .endr

    /* 4 KiB pages for 0..4 MiB: page 0 absent (null pointers fault), the
     * ring-0 block supervisor-only, the rest user. */
    .org R0_PT - R0_BASE
pt:
    .set i, 0
    .rept 1024
    .if i == 0
    .quad 0
    .elseif (i >= (R0_BASE >> 12)) && (i < (R0_BASE >> 12) + R0_PAGES)
    .quad (i << 12) + PTE_KERN
    .else
    .quad (i << 12) + PTE_USER
    .endif
    .set i, i + 1
    .endr

/* ---- 0x5000: GDT ---- */
    .org R0_GDT - R0_BASE
gdt:
    .quad 0
    .quad 0x00af9a000000ffff /* 0x08 kernel code, 64-bit */
    .quad 0x00cf92000000ffff /* 0x10 kernel data */
    .quad 0x00cff2000000ffff /* 0x18 user data, DPL 3 */
    .quad 0x00affa000000ffff /* 0x20 user code, 64-bit, DPL 3 */
    /* 0x28 64-bit TSS descriptor (16 bytes), type 9 = available */
    .quad (TSS_LIMIT & 0xffff) | ((R0_TSS & 0xffffff) << 16) | (0x89 << 40) | \
          (((TSS_LIMIT >> 16) & 0xf) << 48) | (((R0_TSS >> 24) & 0xff) << 56)
    .quad 0
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .quad gdt

/* ---- 0x5100: IDT, gates built at assembly time ---- */
    .org R0_IDT - R0_BASE
#define GATE(n, ist) \
    .quad ((R0_ISR + 16 * (n)) & 0xffff) | (SEL_KCODE << 16) | ((ist) << 32) | \
          (0x8e << 40) | ((((R0_ISR + 16 * (n)) >> 16) & 0xffff) << 48); \
    .quad 0
idt:
    .set v, 0
    .rept R0_VECTORS
    .if v == 8
    GATE(v, 1) /* double fault on its own stack (IST1) */
    .else
    GATE(v, 0)
    .endif
    .set v, v + 1
    .endr
idt_end:
idt_ptr:
    .word idt_end - idt - 1
    .quad idt

/* ---- 0x6000: TSS and the I/O permission bitmap ---- */
    .org R0_TSS - R0_BASE
tss:
    .long 0
    .quad r0_stack_top  /* rsp0: traps from ring 3 */
    .quad 0, 0, 0       /* rsp1, rsp2, reserved */
    .quad df_stack_top  /* ist1: double fault */
    .fill 6, 8, 0       /* ist2..ist7 */
    .quad 0
    .word 0
    .word TSS_IOMAP_OFF
    /*
     * A clear bit lets ring 3 use the port: 0x64 (i8042 reset), 0xf4..0xf7
     * (QEMU isa-debug-exit), 0x3f8..0x3ff (16550), 0x4f0..0x4f7 (exit status
     * under QEMU), 0x500..0x50f (unikit hypercalls), 0xcf8..0xcff (PCI
     * configuration) and
     * 0xc000..0xffff (PCI I/O BARs, where virtio legacy devices live).
     */
iomap:
    .set b, 0
    .rept 8192
    .if b == (0x64 >> 3)
    .byte 0xef
    .elseif b == (0xf0 >> 3)
    .byte 0x0f
    .elseif (b == (0x3f8 >> 3)) || (b == (0x4f0 >> 3)) || (b == (0x500 >> 3)) || (b == (0x508 >> 3)) || \
            (b == (0xcf8 >> 3)) || (b >= (0xc000 >> 3))
    .byte 0x00
    .else
    .byte 0xff
    .endif
    .set b, b + 1
    .endr
    .byte 0xff

/* ---- 0x9000: code ---- */
    .org R0_CODE - R0_BASE
    .code32
    .globl uk_entry32
uk_entry32:                 /* PVH entry: %ebx = start info */
    cmpl $0x1000, 40(%ebx)  /* memmap_paddr in page 0 (QEMU pc/q35's PVH ROM)? */
    jae 1f
    call memmap_out_of_page0
1:  cmpl $0, 32(%ebx)       /* rsdp_paddr: firmware ran, its 8259s may be live */
    je 1f
    call mask_8259s
1:  mov %ebx, %esi
    mov $R0_PML4, %eax
    mov %eax, %cr3
    mov $CR4_BOOT, %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx
    mov $EFER_BOOT, %eax
    xor %edx, %edx
    wrmsr
    mov $CR0_BOOT, %eax
    mov %eax, %cr0
    lgdt gdt_ptr
    ljmp $SEL_KCODE, $entry64

    .code64
entry64:
    mov $SEL_TSS, %ax
    ltr %ax
    lidt idt_ptr
    mov $main_stack_guard, %eax   /* unmap the page below the main stack */
    shr $12, %eax
    movq $0, R0_PT(, %rax, 8)
    pushq $SEL_UDATA
    pushq $(main_stack_top - 8)
    pushq $0x202            /* IF on: interrupts reach the ring-0 stubs */
    pushq $SEL_UCODE
    pushq $kernel_main
    mov %esi, %edi          /* kernel_main(start_info) */
    iretq

/* ---- 0x9100: one 16-byte stub per vector ---- */
    .org R0_ISR - R0_BASE
    .set v, 0
    .rept R0_VECTORS
    .balign 16
    .if (v == 8) || ((v >= 10) && (v <= 14)) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
    /* the CPU pushed an error code */
    .else
    pushq $0
    .endif
    .if v == 13
    jmp gp_entry            /* #GP: maybe a service call (hlt from ring 3) */
    .else
    pushq $v
    .if v < R0_IRQ_BASE
    jmp trap_common
    .else
    jmp irq_common
    .endif
    .endif
    .set v, v + 1
    .endr

    /*
     * A CPU exception is fatal: save the registers and CR2 next to the
     * CPU's frame and continue in ring 3 at trap_report(frame) on its own
     * stack, where the report is written (with newlib out of the way).
     */
trap_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %cr2, %rax
    push %rax
    mov %rsp, %rdi
    pushq $SEL_UDATA
    pushq $(trap_stack_top - 8)
    pushq $0x2
    pushq $SEL_UCODE
    pushq $trap_report
    iretq

    /* A device interrupt only marks its vector pending; ring 3 consumes it. */
irq_common:
    push %rax
    mov 8(%rsp), %rax
    sub $R0_IRQ_BASE, %eax
    lock btsq %rax, uk_irq_pending
    mov $LAPIC_EOI, %eax
    movl $0, (%rax)
    pop %rax
    add $16, %rsp
    iretq

    /*
     * Privileged services. Ring 3 asks for one by executing `hlt` (one byte,
     * 0xf4) with the service number in %eax and arguments in %rdi, %rsi:
     * hlt is privileged, so the CPU raises #GP here, on any hypervisor.
     * (`syscall` is no good: under kvm_pvm it lands at LSTAR still at CPL 3;
     * int n from ring 3 gives #UD there.) Any other #GP is fatal.
     * Stack on entry: error code, rip, cs, rflags, rsp, ss.
     */
gp_entry:
    testb $3, 16(%rsp)
    jz gp_fatal             /* from ring 0: a real fault */
    push %rax
    mov 16(%rsp), %rax
    cmpb $0xf4, (%rax)
    pop %rax
    jne gp_fatal
    add $8, %rsp            /* drop the error code */
    incq (%rsp)             /* resume after the hlt */
    cmp $SYS_HALT, %eax
    jne 3f
    cmpq $0, uk_irq_pending
    jne 5f
    sti                     /* wait for an interrupt; its stub marks it pending */
    hlt
    cli
    jmp 5f
3:  cmp $SYS_PAGE_SET, %eax
    jne 6f
    cmp $PT_MAPPED_LIMIT, %rdi     /* only the 4 KiB-mapped range, */
    jae 6f
    cmp $(R0_BASE + R0_SIZE), %rdi /* and never the ring-0 block or below */
    jb 6f
    shr $12, %rdi
    mov %rdi, %rax
    shl $12, %rax
    or $PTE_USER, %rax
    test %rsi, %rsi
    cmovz %rsi, %rax
    mov %rax, R0_PT(, %rdi, 8)
    shl $12, %rdi
    invlpg (%rdi)
5:  xor %eax, %eax
    iretq
6:  mov $-22, %rax              /* -EINVAL */
    iretq
gp_fatal:
    pushq $13
    jmp trap_common

    /*
     * The EFI stub's entry (kernel/efi/): long mode already, %rdi = start
     * info below 4 GiB, the image copied to its physical addresses (so this
     * block is at 1 MiB), interrupts off, the firmware's identity map, GDT
     * and IDT. Switch to our tables and continue where entry32 does. The
     * stub has rewritten the PDPT already if the CPU lacks 1 GiB pages.
     */
    .globl uk_entry64_efi
uk_entry64_efi:
    mov $R0_PML4, %eax
    mov %rax, %cr3
    mov $CR4_BOOT, %eax
    mov %rax, %cr4
    mov $CR0_BOOT, %eax
    mov %rax, %cr0
    lgdt gdt_ptr
    mov $SEL_KDATA, %eax
    mov %eax, %ss
    mov %edi, %esi          /* entry64 hands %esi to kernel_main */
    pushq $SEL_KCODE
    pushq $entry64
    lretq

    /*
     * Page 0 stays unmapped (null pointers fault there), so a memory map
     * the loader left in it is moved to boot_memmap before paging is on.
     */
    .code32
memmap_out_of_page0:
    cmpl $0, 44(%ebx)       /* above 4 GiB: not in page 0 after all */
    jne 2f
    mov 48(%ebx), %ecx      /* memmap_entries, at most BOOT_MEMMAP_MAX */
    cmp $BOOT_MEMMAP_MAX, %ecx
    jbe 1f
    mov $BOOT_MEMMAP_MAX, %ecx
    mov %ecx, 48(%ebx)
1:  imul $6, %ecx, %ecx     /* 24-byte entries, in dwords */
    mov 40(%ebx), %esi
    mov $boot_memmap, %edi
    mov %edi, 40(%ebx)
    cld
    rep movsl
2:  ret

    /*
     * After a BIOS (QEMU pc/q35) the 8259s may still deliver the PIT at
     * vectors 8..15, which are exceptions here: mask both (OCW1) before
     * interrupts go on. Only where firmware left ACPI tables: unikit's VMM
     * has no 8259 and stops at an unhandled port.
     */
mask_8259s:
    mov $0xff, %al
    out %al, $0xa1
    out %al, $0x21
    ret
    .code64

/* ---- 0xa000: 3..4 GiB in 2 MiB pages, uncached: LAPIC, IOAPIC, virtio-mmio, PCI BARs ---- */
    .org R0_PD3 - R0_BASE
pd3:
    .set i, 0
    .rept 512
    .quad 0xc0000000 + (i << 21) + PTE_USER + PTE_PS + PTE_PCD + PTE_PWT
    .set i, i + 1
    .endr

    .section .data
    .balign 8
boot_memmap:
    .fill BOOT_MEMMAP_MAX * 24, 1, 0

/* ---- stacks and the fallback page directories (ordinary memory) ---- */
    .section .bss
    .balign 4096
    .globl main_stack_guard, main_stack_bottom, main_stack_top
main_stack_guard:
    .skip 4096
main_stack_bottom:
    .skip 0x80000           /* 512 KiB main stack */
main_stack_top:
    .skip 16384
r0_stack_top:
    .skip 8192
df_stack_top:
    .globl trap_stack_bottom, trap_stack_top
trap_stack_bottom:
    .skip 32768
trap_stack_top:
    .balign 8
    .globl uk_irq_pending
uk_irq_pending:
    .quad 0

/* ---- ELF notes: the PVH entry (Xen ABI) and unikit's boot ABI version ---- */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4, 4, 18          /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long uk_entry32
    .balign 4
    .section .note.unikit, "a", @note
    .balign 4
    .long 7, 4, 0x756b0001  /* namesz, descsz, UK_ELFNOTE_ABI */
    .asciz "unikit"
    .balign 4
    .long 1                 /* UK_ABI_VERSION */
    .balign 4
    /* The ring-3 entry (struct uk_ring3_entry): where iretq in entry64 lands. */
    .long 7, ring3_entry_end - ring3_entry, 0x756b0002 /* UK_ELFNOTE_RING3 */
    .asciz "unikit"
    .balign 4
ring3_entry:
    .quad kernel_main, main_stack_top - 8, 0x202
    .quad CR0_BOOT, R0_PML4, CR4_BOOT, EFER_BOOT | 0x400 /* LMA: long mode active */
    .quad R0_GDT, R0_IDT, R0_TSS
    .long gdt_end - gdt - 1, idt_end - idt - 1, TSS_LIMIT
    .word SEL_UCODE, SEL_UDATA, SEL_TSS, 0
    .long 0
    .quad R0_PT, main_stack_guard
ring3_entry_end:
