/* fw_cfg.c: reading a named file from QEMU's fw_cfg through its I/O ports (x86: 0x510, 0x511). */
#include "stub.h"

/* QEMU's docs/specs/fw_cfg.rst: a 16-bit selector write, then byte reads of the item. */
#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019

/* One directory entry, big-endian fields. */
struct fw_cfg_file {
    UINT32 size;
    UINT16 select;
    UINT16 reserved;
    char name[56];
};

static void fw_cfg_select(UINT16 key)
{
    __asm__ volatile("outw %0, %1" : : "a"(key), "Nd"((UINT16)FW_CFG_PORT_SEL));
}

static void fw_cfg_read(void *buf, UINTN len)
{
    UINT8 *p = buf;
    for (UINTN i = 0; i < len; i++)
        __asm__ volatile("inb %1, %0" : "=a"(p[i]) : "Nd"((UINT16)FW_CFG_PORT_DATA));
}

static UINT32 be32(UINT32 v)
{
    return __builtin_bswap32(v);
}

static BOOLEAN name_is(const char *a, const char *b)
{
    UINTN i = 0;
    for (; i < 56 && a[i] && a[i] == b[i]; i++)
        ;
    return i < 56 && a[i] == b[i];
}

EFI_STATUS stub_fw_cfg_file(const char *name, CHAR8 **out, UINTN *len, UINTN max)
{
    char sig[4];
    UINT32 count;

    /* Not QEMU (or no fw_cfg): the signature reads as something other than "QEMU". */
    fw_cfg_select(FW_CFG_SIGNATURE);
    fw_cfg_read(sig, sizeof(sig));
    if (sig[0] != 'Q' || sig[1] != 'E' || sig[2] != 'M' || sig[3] != 'U')
        return EFI_NOT_FOUND;
    fw_cfg_select(FW_CFG_FILE_DIR);
    fw_cfg_read(&count, sizeof(count));
    count = be32(count);
    for (UINT32 i = 0; i < count; i++) {
        struct fw_cfg_file f;
        fw_cfg_read(&f, sizeof(f));
        if (!name_is(f.name, name))
            continue;
        UINTN size = be32(f.size);
        if (size > max)
            return EFI_BAD_BUFFER_SIZE;
        EFI_STATUS st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, size + 1,
                                          (void **)out);
        if (EFI_ERROR(st))
            return st;
        fw_cfg_select((UINT16)((f.select >> 8) | (f.select << 8)));
        fw_cfg_read(*out, size);
        (*out)[size] = 0;
        /* A trailing newline (from a file) is not part of the command line. */
        while (size > 0 && ((*out)[size - 1] == '\n' || (*out)[size - 1] == 0))
            (*out)[--size] = 0;
        *len = size;
        return EFI_SUCCESS;
    }
    return EFI_NOT_FOUND;
}
