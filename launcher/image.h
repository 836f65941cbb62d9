/* image.h: checking a unikit image (an ELF64 x86_64 PVH executable) before it is booted. */
#ifndef UNIKIT_IMAGE_H
#define UNIKIT_IMAGE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "unikit/boot_abi.h"

/* At most this many PT_LOAD segments; an image with more is refused. */
#define IMAGE_MAX_SEGMENTS 16

/* An image file larger than this is refused before it is read. */
#define IMAGE_MAX_FILE_SIZE (256u << 20)

/* One PT_LOAD segment, proven to lie inside the file and above 1 MiB. */
struct image_segment {
    uint64_t paddr;  /* guest-physical load address */
    uint64_t offset; /* where its bytes start in the file */
    uint64_t filesz; /* bytes copied from the file */
    uint64_t memsz;  /* bytes in memory (filesz..memsz are zero) */
    uint32_t flags;  /* PF_R / PF_W / PF_X */
};

/*
 * What an image file is. On entry to image_read_file, out->kind says what
 * to accept: IMAGE_KIND_ELF (a PVH ELF, the default: zero) or
 * IMAGE_KIND_UEFI (either of the two UEFI kinds, for --firmware uefi;
 * uefi_image.h); on return it says what the file is.
 */
enum image_kind { IMAGE_KIND_ELF, IMAGE_KIND_UEFI, IMAGE_KIND_EFI_APP, IMAGE_KIND_DISK };

struct image_info {
    enum image_kind kind; /* the PVH fields below are zero unless IMAGE_KIND_ELF */
    uint64_t pvh_entry;  /* 32-bit PVH entry point (from the "Xen" note 18) */
    int abi_version;     /* from the "unikit" note, 0 if the image has none */
    bool has_ring3_entry; /* the "unikit" ring-3 entry note (boot_abi.h) is present */
    struct uk_ring3_entry ring3_entry;
    struct image_segment seg[IMAGE_MAX_SEGMENTS]; /* sorted by paddr */
    int nseg;
    uint64_t mem_lowest;  /* lowest paddr of any segment */
    uint64_t mem_highest; /* end (exclusive) of the highest segment */
};

/*
 * Checks the (len) bytes at (buf) as an image and fills (*out). Every header,
 * segment and note is bounds- and overflow-checked, so a truncated or hostile
 * file is refused, never read out of bounds. Returns 0, or -1 with one
 * sentence saying what is wrong in (why), at most (whylen) bytes.
 */
/*
 * Writes the sentence saying why an image is refused into (why), at most
 * (whylen) bytes, and returns -1: the one way image_parse and
 * uefi_image_parse give their reasons.
 */
int image_refuse(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int image_parse(const uint8_t *buf, size_t len, struct image_info *out,
                char *why, size_t whylen);

/*
 * Reads the image file at (path) into a new buffer (*data, *len; the caller
 * frees it) and checks it with image_parse, or with uefi_image_parse when
 * out->kind is IMAGE_KIND_UEFI. Returns 0, or -1 with (*err) set
 * to "PATH: what is wrong".
 */
int image_read_file(const char *path, uint8_t **data, size_t *len,
                    struct image_info *out, struct uk_error *err);

#endif /* UNIKIT_IMAGE_H */
