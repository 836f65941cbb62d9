/* test_image.c: unit tests of launcher/image.c: hand-made good and bad ELF images, then a mini-fuzz. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include <unikit/boot_abi.h>

#include "check.h"
#include "image.h"

#define MAX_PHDRS 20
#define LOAD_ADDR UINT64_C(0x100000)
#define LOAD_MEMSZ UINT64_C(0x2000)

/* A whole image as one struct, so tests can poke its fields by name; no padding anywhere. */
struct test_image {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[MAX_PHDRS];
    uint8_t notes[64];
    uint8_t code[16];
};

#define OFFSET(field) ((uint64_t)offsetof(struct test_image, field))

/* Writes one note at (p): namesz, descsz, type, the padded name, the padded desc; returns its size. */
static size_t put_note(uint8_t *p, const char *name, uint32_t type, const void *desc,
                       uint32_t descsz)
{
    uint32_t namesz = (uint32_t)strlen(name) + 1;
    size_t name_span = (namesz + 3u) & ~3u, desc_span = (descsz + 3u) & ~3u;

    memcpy(p, &namesz, 4);
    memcpy(p + 4, &descsz, 4);
    memcpy(p + 8, &type, 4);
    memset(p + 12, 0, name_span + desc_span);
    memcpy(p + 12, name, namesz);
    memcpy(p + 12 + name_span, desc, descsz);
    return 12 + name_span + desc_span;
}

/* Lays out the notes: a PVH entry note with (pvh_descsz) bytes, then the ABI note (version). */
static void put_notes(struct test_image *img, uint32_t pvh_descsz, uint32_t version)
{
    uint64_t entry[2] = {LOAD_ADDR + OFFSET(code), 0}; /* room for a 16-byte desc */
    size_t n = 0;

    memset(img->notes, 0, sizeof(img->notes));
    n += put_note(img->notes + n, "Xen", UK_ELFNOTE_PVH_ENTRY, entry, pvh_descsz);
    n += put_note(img->notes + n, "unikit", UK_ELFNOTE_ABI, &version, 4);
    img->ph[1].p_filesz = img->ph[1].p_memsz = n;
}

/* A good image: one PT_LOAD covering the file at 1 MiB, one PT_NOTE, entry in its code. */
static void make_valid(struct test_image *img)
{
    memset(img, 0, sizeof(*img));
    memcpy(img->eh.e_ident, ELFMAG, SELFMAG);
    img->eh.e_ident[EI_CLASS] = ELFCLASS64;
    img->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    img->eh.e_ident[EI_VERSION] = EV_CURRENT;
    img->eh.e_type = ET_EXEC;
    img->eh.e_machine = EM_X86_64;
    img->eh.e_version = EV_CURRENT;
    img->eh.e_entry = LOAD_ADDR + OFFSET(code);
    img->eh.e_phoff = OFFSET(ph);
    img->eh.e_ehsize = sizeof(Elf64_Ehdr);
    img->eh.e_phentsize = sizeof(Elf64_Phdr);
    img->eh.e_phnum = 2;
    img->ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
                              .p_paddr = LOAD_ADDR, .p_vaddr = LOAD_ADDR,
                              .p_filesz = sizeof(*img), .p_memsz = LOAD_MEMSZ,
                              .p_align = 0x1000};
    img->ph[1] = (Elf64_Phdr){.p_type = PT_NOTE, .p_flags = PF_R, .p_offset = OFFSET(notes),
                              .p_paddr = LOAD_ADDR + OFFSET(notes), .p_align = 4};
    put_notes(img, 4, UK_ABI_VERSION);
    memset(img->code, 0xf4, sizeof(img->code)); /* hlt */
}

static int parse(const void *img, size_t len, struct image_info *info, char *why, size_t whylen)
{
    return image_parse(img, len, info, why, whylen);
}

/* Stores a 32-bit field of a note (notes are byte arrays; no aliasing through uint32_t *). */
static void set_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Expects (img) to be refused with a message containing (why_part). */
static void refused(const char *name, const void *img, size_t len,
                    const char *why_part)
{
    struct image_info info;
    char why[256] = "", full[128];
    int ret = parse(img, len, &info, why, sizeof(why));

    snprintf(full, sizeof(full), "image refuses %s", name);
    check(ret < 0 && strstr(why, why_part) != NULL, full,
          "got %d, \"%s\"; expected a refusal with \"%s\"", ret, why, why_part);
}

static void accepted(const char *name, const struct test_image *img, struct image_info *info)
{
    char why[256] = "", full[128];
    int ret = parse(img, sizeof(*img), info, why, sizeof(why));

    snprintf(full, sizeof(full), "image accepts %s", name);
    check(ret == 0, full, "refused: %s", why);
}

static void good_image(void)
{
    struct test_image img;
    struct image_info info;

    make_valid(&img);
    accepted("a valid image", &img, &info);
    check(info.pvh_entry == LOAD_ADDR + OFFSET(code) && info.abi_version == UK_ABI_VERSION &&
              info.nseg == 1 && info.mem_lowest == LOAD_ADDR &&
              info.mem_highest == LOAD_ADDR + LOAD_MEMSZ && info.seg[0].filesz == sizeof(img),
          "image info of a valid image", "entry 0x%llx abi %d nseg %d low 0x%llx high 0x%llx",
          (unsigned long long)info.pvh_entry, info.abi_version, info.nseg,
          (unsigned long long)info.mem_lowest, (unsigned long long)info.mem_highest);

    put_notes(&img, 8, UK_ABI_VERSION);
    accepted("an 8-byte PVH entry note", &img, &info);

    make_valid(&img);
    set_u32(img.notes + 20 + 8, 0x12345); /* the ABI note's type: it is optional */
    accepted("an image without the unikit ABI note", &img, &info);
    check(info.abi_version == 0, "image abi_version is 0 without the note", "got %d",
          info.abi_version);

    make_valid(&img);
    img.eh.e_phnum = 3;
    img.ph[2] = img.ph[0];
    img.ph[0].p_paddr = 0x400000; /* a second, higher segment listed first */
    img.ph[0].p_memsz = 0x1000;
    img.ph[0].p_filesz = 0x10;
    accepted("two disjoint segments out of order", &img, &info);
    check(info.nseg == 2 && info.seg[0].paddr == LOAD_ADDR && info.seg[1].paddr == 0x400000 &&
              info.mem_highest == 0x401000,
          "image segments come sorted by address", "nseg %d, first 0x%llx", info.nseg,
          (unsigned long long)info.seg[0].paddr);
}

static void bad_headers(void)
{
    struct test_image img;
    const char text[] = "#!/bin/sh\necho not an image\n";

    refused("a text file", text, sizeof(text) - 1,
            "not an ELF file");
    make_valid(&img);
    refused("an empty file", &img, 0, "not an ELF file");
    refused("a truncated ELF header", &img, 20, "truncated ELF header");
#define BAD(what, change, why)                                                                 \
    do {                                                                                       \
        make_valid(&img);                                                                      \
        change;                                                                                \
        refused(what, &img, sizeof(img), why);                                                 \
    } while (0)
    BAD("a 32-bit ELF", img.eh.e_ident[EI_CLASS] = ELFCLASS32, "32-bit");
    BAD("an unknown ELF class", img.eh.e_ident[EI_CLASS] = 7, "unknown ELF class");
    BAD("a big-endian ELF", img.eh.e_ident[EI_DATA] = ELFDATA2MSB, "little-endian");
    BAD("a bad ELF version", img.eh.e_version = 2, "ELF version");
    BAD("an aarch64 ELF", img.eh.e_machine = EM_AARCH64, "aarch64");
    BAD("an i386 ELF", img.eh.e_machine = EM_386, "i386");
    BAD("a PIE (ET_DYN)", img.eh.e_type = ET_DYN, "not an executable");
    BAD("a relocatable object", img.eh.e_type = ET_REL, "not an executable");
    BAD("a wrong program header size", img.eh.e_phentsize = 32, "program header size");
    BAD("no program headers", img.eh.e_phnum = 0, "no usable program headers");
    BAD("PN_XNUM program headers", img.eh.e_phnum = PN_XNUM, "no usable program headers");
    BAD("program headers past the end", img.eh.e_phoff = sizeof(img) - 8, "past the end");
    BAD("a program header offset that wraps", img.eh.e_phoff = UINT64_MAX - 8, "past the end");
    BAD("too many program headers", img.eh.e_phnum = 0xfff0, "past the end");
}

static void bad_segments(void)
{
    struct test_image img;

    BAD("filesz > memsz", img.ph[0].p_filesz = LOAD_MEMSZ + 1, "exceeds its memory size");
    BAD("a segment past the end of the file", img.ph[0].p_offset = 64, "past the end");
    BAD("a segment offset that wraps", img.ph[0].p_offset = UINT64_MAX - 4, "past the end");
    BAD("a segment below 1 MiB", img.ph[0].p_paddr = 0x1000, "below 1 MiB");
    BAD("a segment that wraps around", (img.ph[0].p_paddr = UINT64_MAX - 0xfff), "above 4 GiB");
    BAD("a segment ending above 4 GiB",
        (img.ph[0].p_paddr = 0xfffff000, img.ph[0].p_memsz = 0x2000), "above 4 GiB");
    BAD("a segment at 5 GiB", img.ph[0].p_paddr = UINT64_C(5) << 30, "above 4 GiB");
    BAD("only an empty segment", img.ph[0].p_memsz = img.ph[0].p_filesz = 0,
        "no loadable segments");
    BAD("overlapping segments",
        (img.eh.e_phnum = 3, img.ph[2] = img.ph[0], img.ph[2].p_paddr = LOAD_ADDR + 0x1fff,
         img.ph[2].p_filesz = 1),
        "overlap");
    BAD("17 segments", ({
            img.eh.e_phnum = 18;
            for (int i = 2; i < 18; i++) {
                img.ph[i] = img.ph[0];
                img.ph[i].p_paddr = LOAD_ADDR + (uint64_t)i * 0x10000;
            }
        }),
        "more than 16");
    BAD("an entry point outside every segment",
        put_note(img.notes, "Xen", UK_ELFNOTE_PVH_ENTRY, &(uint32_t){0x200000}, 4),
        "outside every loaded segment");
}

static void bad_notes(void)
{
    struct test_image img;

    BAD("no PVH note", set_u32(img.notes + 8, 19), "no PVH entry note");
    BAD("a PVH note with another name", img.notes[12 + 2] = 'm', "no PVH entry note");
    BAD("a 2-byte PVH note", put_notes(&img, 2, UK_ABI_VERSION), "expected 4 or 8");
    BAD("a 16-byte PVH note", put_notes(&img, 16, UK_ABI_VERSION), "expected 4 or 8");
    BAD("ABI version 2", put_notes(&img, 4, 2), "ABI version 2");
    BAD("ABI version 0", put_notes(&img, 4, 0), "ABI version 0");
    BAD("a note namesz of 4 GiB", set_u32(img.notes + 0, UINT32_MAX), "runs past");
    BAD("a note descsz of 4 GiB", set_u32(img.notes + 4, UINT32_MAX - 2), "runs past");
    BAD("a note segment past the end of the file", img.ph[1].p_offset = sizeof(img) - 4,
        "note segment runs past");
    BAD("a note segment whose size wraps", img.ph[1].p_filesz = UINT64_MAX, "note segment");
#undef BAD
}

/* Every strict prefix of a good image must be refused (the PT_LOAD covers the whole file). */
static void truncations(void)
{
    struct test_image img;
    struct image_info info;
    char why[256];
    long bad_len = -1;

    make_valid(&img);
    for (size_t len = 0; len < sizeof(img); len++) {
        why[0] = '\0';
        if (parse(&img, len, &info, why, sizeof(why)) == 0 || why[0] == '\0')
            bad_len = (long)len;
    }
    check(bad_len < 0, "image refuses every truncation of a valid image",
          "the prefix of %ld bytes was accepted, or refused without a message", bad_len);
}

/* xorshift64: a fixed seed, so that a failure can be reproduced. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* What image_parse promises when it accepts: everything inside the buffer, sorted, disjoint. */
static bool info_is_sound(const struct image_info *info, size_t len)
{
    if (info->nseg < 1 || info->nseg > IMAGE_MAX_SEGMENTS)
        return false;
    for (int i = 0; i < info->nseg; i++) {
        const struct image_segment *s = &info->seg[i];
        if (s->offset > len || s->filesz > len - s->offset || s->filesz > s->memsz ||
            s->paddr < LOAD_ADDR || s->paddr + s->memsz < s->paddr)
            return false;
        if (i > 0 && info->seg[i - 1].paddr + info->seg[i - 1].memsz > s->paddr)
            return false;
    }
    return info->pvh_entry >= info->mem_lowest && info->pvh_entry < info->mem_highest;
}

static void mini_fuzz(void)
{
    enum { ITERATIONS = 50000 };
    static const uint64_t interesting[] = {0, 1, 4, 8, 0x7f, 0xff, 0xfff, 0x100000, 0xffffffff,
                                           UINT64_MAX, UINT64_MAX - 1, 0x8000000000000000ull};
    uint64_t seed = 0x756e696b6974ull;
    int accepted_count = 0, unsound = 0, silent = 0;

    for (int it = 0; it < ITERATIONS; it++) {
        struct test_image img;
        struct image_info info;
        char why[256] = "";
        uint8_t *bytes = (uint8_t *)&img;
        size_t len = sizeof(img);
        int changes = 1 + (int)(next_random(&seed) % 8);

        make_valid(&img);
        for (int c = 0; c < changes; c++) {
            size_t at = next_random(&seed) % (OFFSET(notes) + sizeof(img.notes));
            uint64_t r = next_random(&seed);
            if (r % 3 == 0) {
                bytes[at] = (uint8_t)(r >> 8); /* one random byte */
            } else if (at + 8 <= sizeof(img)) {
                uint64_t v = interesting[(r >> 8) % (sizeof(interesting) / sizeof(interesting[0]))];
                memcpy(bytes + at, &v, (r >> 16) % 2 ? 8 : 4); /* a boundary value */
            }
        }
        if (next_random(&seed) % 8 == 0)
            len = next_random(&seed) % sizeof(img);
        if (image_parse(bytes, len, &info, why, sizeof(why)) == 0) {
            accepted_count++;
            if (!info_is_sound(&info, len))
                unsound++;
        } else if (why[0] == '\0') {
            silent++;
        }
    }
    check(unsound == 0 && silent == 0 && accepted_count > 0, "image mini-fuzz: 50000 mutated images",
          "%d accepted images broke a promise, %d refusals had no message (%d accepted)",
          unsound, silent, accepted_count);
}

int main(void)
{
    good_image();
    bad_headers();
    bad_segments();
    bad_notes();
    truncations();
    mini_fuzz();
    return check_status();
}
