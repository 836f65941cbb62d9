/* firmware_options.c: --firmware and --machine for `unikit run`, and what UEFI implies for the other flags. */
#include "firmware_options.h"

#include <string.h>

#include "size.h"

int firmware_option(const char *value, struct run_config *cfg, struct uk_error *err)
{
    if (strcmp(value, "none") == 0)
        cfg->firmware = FIRMWARE_NONE;
    else if (strcmp(value, "uefi") == 0)
        cfg->firmware = FIRMWARE_UEFI;
    else
        return uk_error_set(err, 0, "run: --firmware `%s`: expected none or uefi", value);
    return 0;
}

int machine_option(const char *value, struct run_config *cfg, struct uk_error *err)
{
    if (strcmp(value, "microvm") == 0)
        cfg->machine = MACHINE_MICROVM;
    else if (strcmp(value, "q35") == 0)
        cfg->machine = MACHINE_Q35;
    else if (strcmp(value, "pc") == 0)
        cfg->machine = MACHINE_PC;
    else
        return uk_error_set(err, 0, "run: --machine `%s`: expected microvm, q35 or pc", value);
    return 0;
}

static int finish_uefi(struct run_config *cfg, bool vmm_given, bool mem_given,
                       struct uk_error *err)
{
    char size[24];

    if (vmm_given && cfg->vmm != VMM_QEMU)
        return uk_error_set(err, 0, "run: --firmware uefi boots under QEMU with OVMF; "
                            "use --vmm qemu");
    cfg->vmm = VMM_QEMU;
    if (cfg->machine == MACHINE_MICROVM)
        return uk_error_set(err, 0, "run: --machine microvm has no UEFI firmware; use q35 or pc");
    if (cfg->machine == MACHINE_DEFAULT)
        cfg->machine = MACHINE_Q35;
    /* --disk and --net are virtio-pci devices the kernel finds itself (qemu_uefi.c). */
    if (!mem_given)
        cfg->mem_bytes = RUN_UEFI_DEFAULT_MEM;
    else if (cfg->mem_bytes < RUN_UEFI_MIN_MEM)
        return uk_error_set(err, 0, "run: -m %s: OVMF needs at least %s of guest memory",
                            size_format(cfg->mem_bytes, size, sizeof(size)), "64M");
    cfg->image_info.kind = IMAGE_KIND_UEFI;
    return 0;
}

int firmware_options_finish(struct run_config *cfg, bool vmm_given, bool mem_given,
                            struct uk_error *err)
{
    if (cfg->firmware == FIRMWARE_UEFI)
        return finish_uefi(cfg, vmm_given, mem_given, err);
    if (cfg->machine == MACHINE_DEFAULT) {
        cfg->machine = MACHINE_MICROVM;
        return 0;
    }
    /* A PVH image boots on all three (pc and q35 through SeaBIOS's PVH option ROM). */
    if (vmm_given && cfg->vmm != VMM_QEMU)
        return uk_error_set(err, 0, "run: --machine picks QEMU's machine; use --vmm qemu");
    cfg->vmm = VMM_QEMU;
    return 0;
}
