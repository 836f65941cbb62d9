/* firmware_options.h: `unikit run --firmware none|uefi` and `--machine`, checked as they are read. */
#ifndef UNIKIT_FIRMWARE_OPTIONS_H
#define UNIKIT_FIRMWARE_OPTIONS_H

#include <stdbool.h>

#include "error.h"
#include "run_config.h"

/* --firmware none|uefi. Returns 0, or -1 with (*err) set. */
int firmware_option(const char *value, struct run_config *cfg, struct uk_error *err);

/* --machine microvm|q35|pc. Returns 0, or -1 with (*err) set. */
int machine_option(const char *value, struct run_config *cfg, struct uk_error *err);

/*
 * After every flag: resolves the machine, and for --firmware uefi picks
 * QEMU (refusing an explicit --vmm kvm), its memory default (unless -m was
 * given) and minimum (--disk and --net become virtio-pci devices, as on pc
 * and q35 without firmware), and sets cfg->image_info.kind to
 * IMAGE_KIND_UEFI so the image is checked as a .efi or a disk.
 * Returns 0, or -1 with (*err) set.
 */
int firmware_options_finish(struct run_config *cfg, bool vmm_given, bool mem_given,
                            struct uk_error *err);

#endif /* UNIKIT_FIRMWARE_OPTIONS_H */
