/* uefi_image.c: strict checks of a PE32+ EFI application or a GPT disk image held in memory (no I/O, unit-tested). */
#include "uefi_image.h"
#include "image.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SECTOR 512u

/* PE/COFF (Microsoft's PE format specification). */
#define PE_LFANEW_OFF 0x3c
#define PE_MACHINE_X86_64 0x8664
#define PE_OPT_MAGIC_PE32PLUS 0x20b
#define PE_SUBSYSTEM_EFI_APP 10
#define PE_OPT_SUBSYSTEM_OFF 68 /* in the optional header */

/* GPT (UEFI 2.x, chapter 5). */
#define GPT_HDR_MIN 92
#define GPT_ENTRY_MIN 128
#define GPT_MAX_ENTRIES 1024
static const uint8_t esp_type_guid[16] = {/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B, mixed-endian */
                                          0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                          0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};


static uint64_t le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;

    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

uint32_t uefi_crc32(const uint8_t *buf, size_t len)
{
    uint32_t crc = 0xffffffffu;

    for (size_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static int check_pe(const uint8_t *buf, size_t len, char *why, size_t whylen)
{
    if (len < 0x40)
        return image_refuse(why, whylen, "truncated PE file (%zu bytes)", len);
    uint64_t pe = le(buf + PE_LFANEW_OFF, 4);
    /* signature, COFF header (20 bytes), then the optional header up to the subsystem */
    if (pe > len || len - pe < 4 + 20 + PE_OPT_SUBSYSTEM_OFF + 2)
        return image_refuse(why, whylen, "truncated PE file (its headers run past the end)");
    if (memcmp(buf + pe, "PE\0\0", 4) != 0)
        return image_refuse(why, whylen, "an MZ file without a PE header; expected an EFI application");
    const uint8_t *coff = buf + pe + 4, *opt = coff + 20;
    if (le(coff, 2) != PE_MACHINE_X86_64)
        return image_refuse(why, whylen, "a PE file for machine 0x%x; expected x86_64 (0x8664)",
                      (unsigned)le(coff, 2));
    if (le(opt, 2) != PE_OPT_MAGIC_PE32PLUS)
        return image_refuse(why, whylen, "a PE file that is not PE32+ (optional header magic 0x%x)",
                      (unsigned)le(opt, 2));
    if (le(opt + PE_OPT_SUBSYSTEM_OFF, 2) != PE_SUBSYSTEM_EFI_APP)
        return image_refuse(why, whylen, "a PE file with subsystem %u; expected an EFI application (10)",
                      (unsigned)le(opt + PE_OPT_SUBSYSTEM_OFF, 2));
    return 0;
}

/* The ESP's first sector must be a FAT boot sector: 0x55aa, and "FAT" where FAT12/16 or FAT32 say so. */
static bool fat_boot_sector(const uint8_t *s)
{
    return s[510] == 0x55 && s[511] == 0xaa &&
           (memcmp(s + 0x36, "FAT", 3) == 0 || memcmp(s + 0x52, "FAT", 3) == 0);
}

static int check_gpt(const uint8_t *buf, size_t len, char *why, size_t whylen)
{
    uint8_t hdr[SECTOR];
    uint64_t sectors = len / SECTOR;

    if (sectors < 3)
        return image_refuse(why, whylen, "truncated disk image (%zu bytes)", len);
    memcpy(hdr, buf + SECTOR, SECTOR);
    if (memcmp(hdr, "EFI PART", 8) != 0)
        return image_refuse(why, whylen, "a disk image without a GPT header at sector 1");
    uint32_t hsize = (uint32_t)le(hdr + 12, 4);
    if (hsize < GPT_HDR_MIN || hsize > SECTOR)
        return image_refuse(why, whylen, "a corrupt GPT header (size %u)", hsize);
    uint32_t want = (uint32_t)le(hdr + 16, 4);
    memset(hdr + 16, 0, 4);
    if (uefi_crc32(hdr, hsize) != want)
        return image_refuse(why, whylen, "a corrupt GPT header (CRC32 mismatch)");
    uint64_t entries_lba = le(hdr + 72, 8);
    uint32_t count = (uint32_t)le(hdr + 80, 4), esize = (uint32_t)le(hdr + 84, 4);
    if (esize < GPT_ENTRY_MIN || esize % 8 || count > GPT_MAX_ENTRIES)
        return image_refuse(why, whylen, "a corrupt GPT header (%u entries of %u bytes)", count, esize);
    if (entries_lba >= sectors || (uint64_t)count * esize > len - entries_lba * SECTOR)
        return image_refuse(why, whylen, "a GPT whose partition entries lie past the end of the file "
                      "(truncated?)");
    const uint8_t *entries = buf + entries_lba * SECTOR;
    if (uefi_crc32(entries, (size_t)count * esize) != (uint32_t)le(hdr + 88, 4))
        return image_refuse(why, whylen, "a corrupt GPT partition array (CRC32 mismatch)");
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = entries + (size_t)i * esize;
        if (memcmp(e, esp_type_guid, 16) != 0)
            continue;
        uint64_t first = le(e + 32, 8), last = le(e + 40, 8);
        if (first > last || last >= sectors)
            return image_refuse(why, whylen, "a GPT disk whose EFI system partition (sectors %llu..%llu) "
                          "runs past the end of the file (truncated?)",
                          (unsigned long long)first, (unsigned long long)last);
        if (!fat_boot_sector(buf + first * SECTOR))
            return image_refuse(why, whylen, "a GPT disk whose EFI system partition holds no FAT file "
                          "system");
        return 0;
    }
    return image_refuse(why, whylen, "a GPT disk without an EFI system partition");
}

int uefi_image_parse(const uint8_t *buf, size_t len, struct image_info *out,
                     char *why, size_t whylen)
{
    memset(out, 0, sizeof(*out));
    if (len >= 2 && buf[0] == 'M' && buf[1] == 'Z') {
        out->kind = IMAGE_KIND_EFI_APP;
        return check_pe(buf, len, why, whylen);
    }
    if (len >= 2 * SECTOR && (memcmp(buf + SECTOR, "EFI PART", 8) == 0 ||
                              (buf[510] == 0x55 && buf[511] == 0xaa && buf[450] == 0xee))) {
        out->kind = IMAGE_KIND_DISK;
        return check_gpt(buf, len, why, whylen);
    }
    if (len >= 4 && memcmp(buf, "\177ELF", 4) == 0)
        return image_refuse(why, whylen, "an ELF file; --firmware uefi boots an EFI application (.efi) "
                      "or a GPT disk image (.img): build one with make IMAGE=efi or IMAGE=disk");
    return image_refuse(why, whylen, "neither an EFI application (PE32+) nor a GPT disk image");
}
