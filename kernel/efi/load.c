/* load.c: the embedded kernel ELF copied to its physical addresses, and the page-table fallback. */
#include "stub.h"

#include <elf.h>

#include "../ring0/layout.h"

#define PAGE 4096ULL
#define PTE_USER 0x7ULL  /* present, writable, user */
#define PTE_PS 0x80ULL   /* large page */
#define PTE_NOCACHE 0x18ULL /* PCD | PWT, as ring0.S maps 3..4 GiB */

/* The blob is ours (built with the stub), but a bad one must not make us write anywhere. */
static BOOLEAN elf_ok(const Elf64_Ehdr *eh, UINTN len)
{
    return len >= sizeof(*eh) && eh->e_ident[EI_MAG0] == ELFMAG0 &&
           eh->e_ident[EI_MAG1] == ELFMAG1 && eh->e_ident[EI_MAG2] == ELFMAG2 &&
           eh->e_ident[EI_MAG3] == ELFMAG3 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
           eh->e_machine == EM_X86_64 && eh->e_phentsize == sizeof(Elf64_Phdr) &&
           eh->e_phoff <= len && (UINTN)eh->e_phnum * sizeof(Elf64_Phdr) <= len - eh->e_phoff;
}

EFI_STATUS stub_load_kernel(const UINT8 *elf, UINTN len)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
    UINT64 lo = ~0ULL, hi = 0;

    if (!elf_ok(eh, len))
        return EFI_LOAD_ERROR;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(elf + eh->e_phoff);
    for (UINTN i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > len ||
            ph[i].p_filesz > len - ph[i].p_offset || ph[i].p_paddr < UK_IMAGE_BASE ||
            ph[i].p_paddr + ph[i].p_memsz > PT_MAPPED_LIMIT)
            return EFI_LOAD_ERROR;
        if (ph[i].p_paddr < lo)
            lo = ph[i].p_paddr;
        if (ph[i].p_paddr + ph[i].p_memsz > hi)
            hi = ph[i].p_paddr + ph[i].p_memsz;
    }
    if (hi == 0)
        return EFI_LOAD_ERROR;
    /* One range for the whole image: its segments sit close together from 1 MiB. */
    lo &= ~(PAGE - 1);
    hi = (hi + PAGE - 1) & ~(PAGE - 1);
    EFI_PHYSICAL_ADDRESS addr = lo;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderCode,
                                      (hi - lo) / PAGE, &addr);
    if (EFI_ERROR(st))
        return st;
    ZeroMem((void *)(UINTN)lo, hi - lo); /* bss and the gaps between segments */
    for (UINTN i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_filesz)
            CopyMem((void *)(UINTN)ph[i].p_paddr, (void *)(elf + ph[i].p_offset),
                    ph[i].p_filesz);
    return EFI_SUCCESS;
}

/*
 * ring0.S maps 1..4 GiB with three 1 GiB pages; the PVH entry replaces them
 * with 2 MiB pages when CPUID says the CPU has none (QEMU's default CPU
 * model lacks them). The EFI entry runs in long mode already, so the stub
 * does the same here, into pages of its own.
 */
EFI_STATUS stub_fix_large_pages(void)
{
    UINT32 eax = 0x80000001, ebx, ecx = 0, edx;
    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    if (edx & (1u << 26))
        return EFI_SUCCESS;

    EFI_PHYSICAL_ADDRESS addr = 0xffffffff;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, STUB_MEM_KEEP,
                                      3, &addr);
    if (EFI_ERROR(st))
        return st;
    UINT64 *pd = (UINT64 *)(UINTN)addr;
    for (UINT64 i = 0; i < 3 * 512; i++) {
        UINT64 base = (1ULL << 30) + (i << 21);
        pd[i] = base | PTE_USER | PTE_PS | (base >= (3ULL << 30) ? PTE_NOCACHE : 0);
    }
    UINT64 *pdpt = (UINT64 *)(UINTN)R0_PDPT;
    for (int g = 1; g <= 3; g++)
        pdpt[g] = (addr + (UINT64)(g - 1) * PAGE) | PTE_USER;
    return EFI_SUCCESS;
}
