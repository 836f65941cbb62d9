/* cmdline.c: the kernel's command line from the image's load options, else from QEMU's fw_cfg. */
#include "stub.h"

/* Under QEMU the launcher passes the command line as this fw_cfg file (-fw_cfg name=...). */
#define FW_CFG_CMDLINE "opt/org.unikit/cmdline"

/*
 * Load options are UCS-2 text when a boot entry carries our command line
 * (efibootmgr -u, or a shell). Firmware may pass binary data instead (EDK2
 * gives auto-created boot entries a GUID): anything outside printable ASCII
 * means "not a command line". A shell puts the program's path first; it
 * ends with ".efi" or has a backslash, which a percent-encoded option never has.
 */
static UINTN options_to_ascii(const CHAR16 *opt, UINTN nchars, CHAR8 *out)
{
    UINTN n = 0, i = 0;

    while (nchars > 0 && opt[nchars - 1] == 0)
        nchars--;
    for (UINTN k = 0; k < nchars; k++)
        if (opt[k] < 0x20 || opt[k] > 0x7e)
            return 0;
    /* Skip a leading program path. */
    UINTN end = 0;
    while (end < nchars && opt[end] != ' ')
        end++;
    BOOLEAN path = end >= 4 && (opt[end - 1] | 0x20) == 'i' && (opt[end - 2] | 0x20) == 'f' &&
                   (opt[end - 3] | 0x20) == 'e' && opt[end - 4] == '.';
    for (UINTN k = 0; k < end; k++)
        path = path || opt[k] == '\\';
    if (path)
        for (i = end; i < nchars && opt[i] == ' '; i++)
            ;
    for (; i < nchars; i++)
        out[n++] = (CHAR8)opt[i];
    out[n] = 0;
    return n;
}

EFI_STATUS stub_cmdline(EFI_HANDLE image, CHAR8 **out, UINTN *len)
{
    EFI_GUID lip = LOADED_IMAGE_PROTOCOL;
    EFI_LOADED_IMAGE *li = NULL;
    EFI_STATUS st;

    st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &lip, (void **)&li);
    if (!EFI_ERROR(st) && li->LoadOptions && li->LoadOptionsSize >= sizeof(CHAR16)) {
        UINTN nchars = li->LoadOptionsSize / sizeof(CHAR16);
        if (nchars > UK_CMDLINE_MAX - 1)
            nchars = UK_CMDLINE_MAX - 1;
        st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, nchars + 1, (void **)out);
        if (EFI_ERROR(st))
            return st;
        *len = options_to_ascii(li->LoadOptions, nchars, *out);
        if (*len > 0)
            return EFI_SUCCESS;
        FreePool(*out);
    }
    st = stub_fw_cfg_file(FW_CFG_CMDLINE, out, len, UK_CMDLINE_MAX - 1);
    if (st != EFI_NOT_FOUND)
        return st;
    /* No command line at all is fine: the kernel's defaults (argv[0] "app"). */
    *len = 0;
    return uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, 1, (void **)out);
}
