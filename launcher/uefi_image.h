/* uefi_image.h: checking what --firmware uefi boots: an EFI application (PE32+) or a GPT disk with an EFI system partition. */
#ifndef UNIKIT_UEFI_IMAGE_H
#define UNIKIT_UEFI_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

/*
 * Checks the (len) bytes at (buf) as something OVMF can boot and sets
 * out->kind (IMAGE_KIND_EFI_APP or IMAGE_KIND_DISK), the rest of (*out)
 * zero. An EFI application must be a PE32+ x86_64 image with the EFI
 * application subsystem. A disk must have a GPT whose header and entry
 * array pass their CRC32 checks and lie inside the file, and an EFI system
 * partition inside the file that starts with a FAT boot sector. Returns 0,
 * or -1 with one sentence in (why), at most (whylen) bytes.
 */
int uefi_image_parse(const uint8_t *buf, size_t len, struct image_info *out,
                     char *why, size_t whylen);

/* The CRC32 that GPT uses (IEEE 802.3, reflected, as zlib's crc32). */
uint32_t uefi_crc32(const uint8_t *buf, size_t len);

#endif /* UNIKIT_UEFI_IMAGE_H */
