/* main.c: the EFI stub's flow — load the kernel, gather boot info, exit boot services, enter. */
#include "stub.h"

#define PAGE 4096

/* Extra map descriptors to leave room for: our own allocations split ranges. */
#define MAP_SLACK 32

typedef void (*kernel_entry64)(struct hvm_start_info *si) __attribute__((noreturn));

static void *find_rsdp(void)
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
    void *v1 = NULL;

    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
        if (CompareGuid(&t->VendorGuid, &acpi20) == 0)
            return t->VendorTable;
        if (CompareGuid(&t->VendorGuid, &acpi10) == 0)
            v1 = t->VendorTable;
    }
    return v1;
}

/*
 * One allocation below 4 GiB (entry64 passes the start info on in 32 bits)
 * holds the start info, room for the memory map, then the command line.
 */
static EFI_STATUS alloc_boot_info(UINTN map_entries, UINTN cmdline_len,
                                  struct hvm_start_info **si)
{
    UINTN bytes = sizeof(**si) + map_entries * sizeof(struct hvm_memmap_entry) + cmdline_len + 1;
    EFI_PHYSICAL_ADDRESS addr = 0xffffffff;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, STUB_MEM_KEEP,
                                      (bytes + PAGE - 1) / PAGE, &addr);
    if (EFI_ERROR(st))
        return st;
    ZeroMem((void *)addr, bytes);
    *si = (struct hvm_start_info *)addr;
    return EFI_SUCCESS;
}

static EFI_STATUS fail(const CHAR16 *what, EFI_STATUS st)
{
    Print(L"unikit efi: %s: %r\n", what, st);
    return st;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    struct stub_efi_map map = {0};
    struct hvm_start_info *si;
    struct hvm_memmap_entry *entries;
    CHAR8 *cmdline = NULL;
    UINTN cmdline_len = 0, max_entries;
    EFI_STATUS st;

    InitializeLib(image, systab);
    stub_uart_puts(STUB_CONSOLE_MARK);

    st = stub_load_kernel(uk_kernel_image, (UINTN)(uk_kernel_image_end - uk_kernel_image));
    if (EFI_ERROR(st))
        return fail(L"cannot load the kernel image at its physical addresses", st);
    st = stub_fix_large_pages();
    if (EFI_ERROR(st))
        return fail(L"cannot allocate the fallback page directories", st);
    st = stub_cmdline(image, &cmdline, &cmdline_len);
    if (EFI_ERROR(st))
        return fail(L"cannot read the command line", st);

    st = stub_get_map(&map, MAP_SLACK);
    if (EFI_ERROR(st))
        return fail(L"GetMemoryMap", st);
    max_entries = map.size / map.desc_size + MAP_SLACK;
    st = alloc_boot_info(max_entries, cmdline_len, &si);
    if (EFI_ERROR(st))
        return fail(L"cannot allocate the start info below 4 GiB", st);
    entries = (struct hvm_memmap_entry *)(si + 1);
    CHAR8 *cmd = (CHAR8 *)(entries + max_entries);
    CopyMem(cmd, cmdline, cmdline_len);
    si->magic = UK_PVH_MAGIC;
    si->version = 1;
    si->cmdline_paddr = (UINT64)(UINTN)cmd;
    si->rsdp_paddr = (UINT64)(UINTN)find_rsdp();
    si->memmap_paddr = (UINT64)(UINTN)entries;

    /* From here on no allocation: the map must stay valid for ExitBootServices. */
    st = stub_exit_boot_services(image, &map);
    if (EFI_ERROR(st))
        return fail(L"ExitBootServices", st);
    __asm__ volatile("cli");
    /* The firmware's 8259s may still deliver its timer at vectors the kernel has no gates for:
     * mask both (OCW1) before the kernel turns interrupts on. */
    __asm__ volatile("outb %%al, $0x21; outb %%al, $0xa1" : : "a"(0xff));
    si->memmap_entries = stub_convert_map(&map, entries, (UINT32)max_entries);
    ((kernel_entry64)(UINTN)uk_kernel_entry64)(si);
}
