/* stub.h: what the EFI stub's files offer each other (the stub boots the kernel from UEFI). */
#ifndef KERNEL_EFI_STUB_H
#define KERNEL_EFI_STUB_H

/*
 * The stub is a UEFI application (GNU-EFI, PE32+) that carries one kernel
 * image (the app's .elf) as a blob. It loads that ELF at its physical
 * addresses, builds the same hvm_start_info the PVH path gets (command line,
 * memory map, RSDP), exits boot services and enters the kernel at
 * uk_entry64_efi (kernel/ring0/ring0.S) with %rdi = start info.
 */

#include <efi.h>
#include <efilib.h>

#include <unikit/boot_abi.h>

/*
 * Memory the stub allocates for the kernel's own use after boot (start info,
 * memory map, command line, fallback page directories): an OS-loader memory
 * type (UEFI 2.x: 0x80000000.. is for OS loaders), reported reserved in the
 * kernel's memory map so that its heap never takes those pages.
 */
#define STUB_MEM_KEEP ((EFI_MEMORY_TYPE)0x80756b00)

/* Written straight to the 16550 at 0x3f8 as the stub starts: the launcher
 * drops the firmware's console output before it (an ANSI APC string, which
 * terminals ignore when it is not filtered). */
#define STUB_CONSOLE_MARK "\033_unikit\033\\"

/* The embedded kernel image and its 64-bit entry (blob.S, made per app). */
extern const UINT8 uk_kernel_image[], uk_kernel_image_end[];
extern const UINT64 uk_kernel_entry64;

/* ---- load.c ---- */
/* Allocates the image's physical range, copies its segments, zeroes the rest. */
EFI_STATUS stub_load_kernel(const UINT8 *elf, UINTN len);
/* Rewrites the kernel's PDPT with 2 MiB pages for 1..4 GiB when the CPU lacks 1 GiB pages. */
EFI_STATUS stub_fix_large_pages(void);

/* ---- cmdline.c ---- */
/* The kernel's command line from the load options or QEMU's fw_cfg; (*out) pool-allocated. */
EFI_STATUS stub_cmdline(EFI_HANDLE image, CHAR8 **out, UINTN *len);

/* ---- fw_cfg.c ---- */
/* Reads QEMU fw_cfg file (name) into a new pool buffer, NUL-terminated; EFI_NOT_FOUND if none. */
EFI_STATUS stub_fw_cfg_file(const char *name, CHAR8 **out, UINTN *len, UINTN max);

/* ---- memmap.c ---- */
/* The firmware's memory map and the key ExitBootServices wants. */
struct stub_efi_map {
    UINT8 *buf;
    UINTN cap;       /* bytes allocated at buf */
    UINTN size;      /* bytes filled in */
    UINTN key;
    UINTN desc_size;
    UINT32 desc_version;
};
/* Fills (*m), allocating buf with room for (extra) more descriptors. */
EFI_STATUS stub_get_map(struct stub_efi_map *m, UINTN extra);
/* Exits boot services, refetching the map when its key went stale. */
EFI_STATUS stub_exit_boot_services(EFI_HANDLE image, struct stub_efi_map *m);
/* Converts (*m) into at most (max) coalesced E820-style entries; returns the count. */
UINT32 stub_convert_map(const struct stub_efi_map *m, struct hvm_memmap_entry *out, UINT32 max);

/* ---- uart.c ---- */
/* Writes (s) to the 16550 at 0x3f8 by port I/O (no firmware involved). */
void stub_uart_puts(const char *s);

#endif
