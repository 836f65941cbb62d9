/* image.c: strict ELF64 checks of an image held in memory (no I/O, unit-tested). */
#include "image.h"

#include <elf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <unikit/boot_abi.h>

/* Headers are copied out with memcpy, which is only right on a little-endian host. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "image.c reads little-endian ELF fields natively");

/* PVH enters in 32-bit mode, so everything it loads must sit below 4 GiB. */
#define PVH_LIMIT (UINT64_C(1) << 32)
#define ONE_MIB UINT64_C(0x100000)

int image_refuse(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return -1;
}

/* True if [off, off + size) lies inside a buffer of len bytes, without overflow. */
static bool in_bounds(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

static const char *machine_name(unsigned machine)
{
    switch (machine) {
    case EM_386: return "i386";
    case EM_ARM: return "arm";
    case EM_AARCH64: return "aarch64";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    default: return "another machine";
    }
}

static int check_ident(const Elf64_Ehdr *eh, char *why, size_t whylen)
{
    if (eh->e_ident[EI_CLASS] == ELFCLASS32)
        return image_refuse(why, whylen, "a 32-bit ELF file; expected an ELF64 x86_64 image");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return image_refuse(why, whylen, "unknown ELF class %u; expected ELF64",
                      eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return image_refuse(why, whylen, "not a little-endian ELF file; expected x86_64");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return image_refuse(why, whylen, "unknown ELF version");
    if (eh->e_machine != EM_X86_64)
        return image_refuse(why, whylen, "an ELF file for %s (e_machine %u); expected x86_64",
                      machine_name(eh->e_machine), eh->e_machine);
    if (eh->e_type != ET_EXEC)
        return image_refuse(why, whylen,
                      "ELF type %u is not an executable (ET_EXEC); a PIE or "
                      "shared object cannot be booted", eh->e_type);
    return 0;
}

/* Checks one PT_LOAD header and appends it to out->seg. */
static int add_segment(const Elf64_Phdr *ph, size_t len, struct image_info *out,
                       char *why, size_t whylen)
{
    if (ph->p_memsz == 0)
        return 0; /* occupies nothing; nothing to load */
    if (ph->p_filesz > ph->p_memsz)
        return image_refuse(why, whylen, "a segment's file size (%llu) exceeds its memory size (%llu)",
                      (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
    if (!in_bounds(ph->p_offset, ph->p_filesz, len))
        return image_refuse(why, whylen, "a segment at file offset 0x%llx runs past the end "
                      "of the file (truncated?)", (unsigned long long)ph->p_offset);
    if (ph->p_paddr < ONE_MIB)
        return image_refuse(why, whylen, "a segment loads at 0x%llx, below 1 MiB",
                      (unsigned long long)ph->p_paddr);
    if (ph->p_paddr >= PVH_LIMIT || ph->p_memsz > PVH_LIMIT - ph->p_paddr)
        return image_refuse(why, whylen, "a segment at 0x%llx (%llu bytes) ends above 4 GiB",
                      (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
    if (out->nseg == IMAGE_MAX_SEGMENTS)
        return image_refuse(why, whylen, "more than %d loadable segments", IMAGE_MAX_SEGMENTS);
    out->seg[out->nseg++] = (struct image_segment){
        .paddr = ph->p_paddr,
        .offset = ph->p_offset,
        .filesz = ph->p_filesz,
        .memsz = ph->p_memsz,
        .flags = ph->p_flags,
    };
    return 0;
}

/* Sorts the segments by address and proves that no two overlap. */
static int order_segments(struct image_info *out, char *why, size_t whylen)
{
    for (int i = 1; i < out->nseg; i++) {
        struct image_segment s = out->seg[i];
        int j = i;
        for (; j > 0 && out->seg[j - 1].paddr > s.paddr; j--)
            out->seg[j] = out->seg[j - 1];
        out->seg[j] = s;
    }
    for (int i = 1; i < out->nseg; i++) {
        const struct image_segment *prev = &out->seg[i - 1];
        if (prev->paddr + prev->memsz > out->seg[i].paddr)
            return image_refuse(why, whylen, "segments at 0x%llx and 0x%llx overlap",
                          (unsigned long long)prev->paddr,
                          (unsigned long long)out->seg[i].paddr);
    }
    out->mem_lowest = out->seg[0].paddr;
    out->mem_highest = out->seg[out->nseg - 1].paddr + out->seg[out->nseg - 1].memsz;
    return 0;
}

static bool note_is(const uint8_t *name, uint32_t namesz, const char *want)
{
    size_t n = strlen(want);

    /* The name normally carries its NUL; accept it without one too. */
    if (namesz == n + 1)
        return memcmp(name, want, n + 1) == 0;
    return namesz == n && memcmp(name, want, n) == 0;
}

static uint64_t read_le(const uint8_t *p, uint32_t size)
{
    uint64_t v = 0;

    for (uint32_t i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Looks at one note: the PVH entry and the unikit ABI version are what we want. */
static int take_note(uint32_t type, const uint8_t *name, uint32_t namesz,
                     const uint8_t *desc, uint32_t descsz, struct image_info *out,
                     bool *have_entry, char *why, size_t whylen)
{
    if (type == UK_ELFNOTE_PVH_ENTRY && note_is(name, namesz, "Xen")) {
        if (descsz != 4 && descsz != 8)
            return image_refuse(why, whylen, "the PVH entry note has %u bytes; expected 4 or 8",
                          descsz);
        if (!*have_entry)
            out->pvh_entry = read_le(desc, descsz);
        *have_entry = true;
    } else if (type == UK_ELFNOTE_ABI && note_is(name, namesz, "unikit")) {
        if (descsz < 4)
            return image_refuse(why, whylen, "the unikit ABI note is %u bytes; expected 4", descsz);
        uint64_t version = read_le(desc, 4);
        if (version != UK_ABI_VERSION)
            return image_refuse(why, whylen, "built for unikit ABI version %llu; this launcher "
                          "speaks version %d", (unsigned long long)version, UK_ABI_VERSION);
        out->abi_version = (int)version;
    } else if (type == UK_ELFNOTE_RING3 && note_is(name, namesz, "unikit")) {
        if (descsz != sizeof out->ring3_entry)
            return image_refuse(why, whylen, "the ring-3 entry note has %u bytes; expected %zu", descsz,
                          sizeof out->ring3_entry);
        memcpy(&out->ring3_entry, desc, sizeof out->ring3_entry);
        out->has_ring3_entry = true;
    }
    return 0;
}

/* Walks the notes of one PT_NOTE segment, every field bounds-checked. */
static int walk_notes(const uint8_t *buf, size_t len, const Elf64_Phdr *ph,
                      struct image_info *out, bool *have_entry, char *why, size_t whylen)
{
    /* ELF64 notes are padded to 4 bytes, or to 8 in a segment aligned to 8. */
    const uint64_t pad = ph->p_align == 8 ? 8 : 4;
    const uint8_t *p, *end;

    if (!in_bounds(ph->p_offset, ph->p_filesz, len))
        return image_refuse(why, whylen, "a note segment runs past the end of the file (truncated?)");
    p = buf + ph->p_offset;
    end = p + ph->p_filesz;
    while ((size_t)(end - p) >= 12) {
        uint32_t namesz = (uint32_t)read_le(p, 4);
        uint32_t descsz = (uint32_t)read_le(p + 4, 4);
        uint32_t type = (uint32_t)read_le(p + 8, 4);
        uint64_t name_span = ((uint64_t)namesz + pad - 1) / pad * pad;
        uint64_t desc_span = ((uint64_t)descsz + pad - 1) / pad * pad;
        uint64_t left = (uint64_t)(end - p) - 12;

        if (name_span > left || desc_span > left - name_span) {
            /* The last note may omit its final padding. */
            if (!(name_span <= left && descsz <= left - name_span))
                return image_refuse(why, whylen, "a note (type 0x%x) runs past its segment", type);
            desc_span = left - name_span;
        }
        if (take_note(type, p + 12, namesz, p + 12 + name_span, descsz, out, have_entry,
                      why, whylen) < 0)
            return -1;
        p += 12 + name_span + desc_span;
    }
    return 0;
}

static bool entry_is_loaded(const struct image_info *info)
{
    for (int i = 0; i < info->nseg; i++) {
        const struct image_segment *s = &info->seg[i];
        if (info->pvh_entry >= s->paddr && info->pvh_entry - s->paddr < s->memsz)
            return true;
    }
    return false;
}

int image_parse(const uint8_t *buf, size_t len, struct image_info *out,
                char *why, size_t whylen)
{
    Elf64_Ehdr eh;
    bool have_entry = false;

    memset(out, 0, sizeof(*out));
    if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return image_refuse(why, whylen, "not an ELF file");
    if (len < sizeof(eh))
        return image_refuse(why, whylen, "truncated ELF header (%zu bytes)", len);
    memcpy(&eh, buf, sizeof(eh));
    if (check_ident(&eh, why, whylen) < 0)
        return -1;
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return image_refuse(why, whylen, "program header size %u; expected %zu",
                      eh.e_phentsize, sizeof(Elf64_Phdr));
    if (eh.e_phnum == 0 || eh.e_phnum == PN_XNUM)
        return image_refuse(why, whylen, "no usable program headers (e_phnum %u)", eh.e_phnum);
    if (!in_bounds(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len))
        return image_refuse(why, whylen, "program headers run past the end of the file (truncated?)");

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_LOAD && add_segment(&ph, len, out, why, whylen) < 0)
            return -1;
    }
    if (out->nseg == 0)
        return image_refuse(why, whylen, "no loadable segments");
    if (order_segments(out, why, whylen) < 0)
        return -1;

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_NOTE &&
            walk_notes(buf, len, &ph, out, &have_entry, why, whylen) < 0)
            return -1;
    }
    if (!have_entry)
        return image_refuse(why, whylen, "no PVH entry note (ELF note type 18, name \"Xen\"); "
                      "not a PVH image");
    if (!entry_is_loaded(out))
        return image_refuse(why, whylen, "the PVH entry point 0x%llx is outside every loaded segment",
                      (unsigned long long)out->pvh_entry);
    return 0;
}
