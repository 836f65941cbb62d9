/* guests.S: tiny PVH guests for the VMM's tests, one per -DCASE_<name>; they run at ring 0 in 32-bit protected mode. */
#include <unikit/boot_abi.h>

#define HC_OUT(nr, arg) movl $(arg), %eax; movw $UK_HC_PORT(nr), %dx; outl %eax, %dx

/* Writes the NUL-terminated string at %esi to the UART; leaves %dx = 0x3f8. */
    .macro uart_puts
    movw $0x3f8, %dx
1:  lodsb
    testb %al, %al
    jz 2f
    outb %al, %dx
    jmp 1b
2:
    .endm

    .code32
    .text
    .globl entry
entry:
#if defined(CASE_exit_port)
    /* The QEMU exit path: status byte, then isa-debug-exit. */
    movb $7, %al
    movw $UK_PORT_EXIT_STATUS, %dx
    outb %al, %dx
    movl $7, %eax
    outl %eax, $UK_PORT_QEMU_EXIT
#elif defined(CASE_uart)
    movl $message, %esi
    uart_puts
    movl $0, %eax
    outl %eax, $UK_PORT_QEMU_EXIT
#elif defined(CASE_cmdline)
    /* Prints the command line on the UART, then exits 0. */
    movl 24(%ebx), %esi                    /* hvm_start_info.cmdline_paddr */
    uart_puts
    movb $10, %al
    outb %al, %dx
    HC_OUT(UK_HC_EXIT, zero_arg)
#elif defined(CASE_hypercalls)
    /* %ebx: the start info; check its magic first. */
    cmpl $UK_PVH_MAGIC, (%ebx)
    jne fault
    HC_OUT(UK_HC_CONSOLE_WRITE, console_arg)
    cmpl $message_len, console_arg + 16    /* ret: all bytes written */
    jne fault
    HC_OUT(UK_HC_WAIT, wait_arg)           /* deadline 0: a poll */
    HC_OUT(UK_HC_EXIT, exit_arg)
#elif defined(CASE_bad_console)
    HC_OUT(UK_HC_CONSOLE_WRITE, bad_console_arg)
    cmpl $-14, bad_console_arg + 16        /* ret: -EFAULT */
    jne fault
    HC_OUT(UK_HC_EXIT, exit_arg)
#elif defined(CASE_bad_hypercall)
    HC_OUT(UK_HC_EXIT, 0xfffffff8)         /* argument outside RAM */
#elif defined(CASE_triple_fault)
    ud2                                    /* no IDT: #UD -> #DF -> shutdown */
#elif defined(CASE_unhandled_port)
    movl $1, %eax
    outl %eax, $0x80
#elif defined(CASE_unbacked_mmio)
    movl 0xe0000000, %eax
#elif defined(CASE_spin)
1:  jmp 1b
#elif defined(CASE_virtio_magic)
    /* Exits with 0 if a virtio-mmio block device answers at the first window. */
    cmpl $0x74726976, 0xd0000000
    jne fault
    cmpl $2, 0xd0000008                    /* DeviceID: block */
    jne fault
    HC_OUT(UK_HC_EXIT, zero_arg)
#else
#error "no CASE_ given"
#endif
fault:
    ud2

    .data
    .balign 8
message:
    .ascii "hello from a tiny guest\n"
    .set message_len, . - message
    .byte 0
    .balign 8
console_arg:
    .quad message, message_len, 0
bad_console_arg:
    .quad 0xfffffffffffff000, 64, 0
wait_arg:
    .quad 0, 0, 0                          /* deadline_ns, now_ns, ready */
exit_arg:
    .quad 42
zero_arg:
    .quad 0

    .section .note.Xen, "a"
    .balign 4
    .long 4, 4, UK_ELFNOTE_PVH_ENTRY
    .asciz "Xen"
    .long entry
    .section .note.unikit, "a"
    .balign 4
    .long 7, 4, UK_ELFNOTE_ABI
    .asciz "unikit"
    .balign 4
    .long UK_ABI_VERSION
