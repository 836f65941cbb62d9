/* blob.S: the kernel image the EFI stub carries, and its 64-bit entry (assembled per app by apps/efi.mk). */

/* UK_KERNEL_ELF: the app's .elf as a string; UK_KERNEL_ENTRY64: uk_entry64_efi's address in it. */
    .section .rodata.ukimage, "a"
    .balign 16
    .globl uk_kernel_image, uk_kernel_image_end, uk_kernel_entry64
uk_kernel_image:
    .incbin UK_KERNEL_ELF
uk_kernel_image_end:
    .balign 8
uk_kernel_entry64:
    .quad UK_KERNEL_ENTRY64
    .section .note.GNU-stack, "", @progbits
