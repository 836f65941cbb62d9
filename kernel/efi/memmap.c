/* memmap.c: the UEFI memory map, ExitBootServices, and the map converted to the PVH (E820) form. */
#include "stub.h"

EFI_STATUS stub_get_map(struct stub_efi_map *m, UINTN extra)
{
    EFI_STATUS st;

    m->size = 0;
    st = uefi_call_wrapper(BS->GetMemoryMap, 5, &m->size, NULL, &m->key, &m->desc_size,
                           &m->desc_version);
    if (st != EFI_BUFFER_TOO_SMALL)
        return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
    /* The pool allocation itself may add descriptors: leave room. */
    m->cap = m->size + extra * m->desc_size;
    st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, m->cap, (void **)&m->buf);
    if (EFI_ERROR(st))
        return st;
    m->size = m->cap;
    return uefi_call_wrapper(BS->GetMemoryMap, 5, &m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf,
                             &m->key, &m->desc_size, &m->desc_version);
}

EFI_STATUS stub_exit_boot_services(EFI_HANDLE image, struct stub_efi_map *m)
{
    EFI_STATUS st = EFI_INVALID_PARAMETER;

    /*
     * The map changes whenever the firmware allocates (timer events may);
     * a stale key gives EFI_INVALID_PARAMETER: fetch it again, with no
     * allocation in between (UEFI 2.x, 7.4 ExitBootServices).
     */
    for (int tries = 0; tries < 8; tries++) {
        m->size = m->cap;
        st = uefi_call_wrapper(BS->GetMemoryMap, 5, &m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf,
                               &m->key, &m->desc_size, &m->desc_version);
        if (EFI_ERROR(st))
            return st;
        st = uefi_call_wrapper(BS->ExitBootServices, 2, image, m->key);
        if (st != EFI_INVALID_PARAMETER)
            return st;
    }
    return st;
}

/* What the kernel may use once boot services are gone, and what it must leave alone. */
static UINT32 e820_type(UINT32 efi_type)
{
    switch (efi_type) {
    case EfiConventionalMemory:
    case EfiBootServicesCode:
    case EfiBootServicesData:
    case EfiLoaderCode: /* the kernel image itself, and this stub */
    case EfiLoaderData:
        return UK_MEMMAP_RAM;
    default:
        return UK_MEMMAP_RESERVED; /* runtime services, ACPI, MMIO, STUB_MEM_KEEP ... */
    }
}

UINT32 stub_convert_map(const struct stub_efi_map *m, struct hvm_memmap_entry *out, UINT32 max)
{
    UINT32 n = 0;

    for (UINTN off = 0; off + m->desc_size <= m->size; off += m->desc_size) {
        const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(m->buf + off);
        UINT64 size = d->NumberOfPages * EFI_PAGE_SIZE;
        UINT32 type = e820_type(d->Type);

        /* EDK2 sorts the map by address; merge neighbours of one type (the kernel takes
         * the largest RAM range, so fragments would cost it memory). */
        if (n > 0 && out[n - 1].type == type && out[n - 1].addr + out[n - 1].size == d->PhysicalStart) {
            out[n - 1].size += size;
            continue;
        }
        if (n == max)
            break;
        out[n].addr = d->PhysicalStart;
        out[n].size = size;
        out[n].type = type;
        out[n].reserved = 0;
        n++;
    }
    return n;
}
