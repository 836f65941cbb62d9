/* symbols.c: address → function name, from the table the build links into the image. */
#include "kernel.h"

/* Made by tools/mksyms.sh from the first link pass; sorted by address. */
struct symbol {
    uint64_t addr;
    uint32_t name;   /* offset into uk_symnames */
    uint32_t reserved;
};
extern const struct symbol uk_symtab[];
extern const uint64_t uk_symtab_count;
extern const char uk_symnames[];

const char *symbol_lookup(uintptr_t addr, uintptr_t *offset)
{
    uint64_t lo = 0, hi = uk_symtab_count;
    if (!hi || addr < uk_symtab[0].addr || addr >= (uintptr_t)_etext)
        return NULL;
    while (hi - lo > 1) { /* largest entry with addr <= (addr) */
        uint64_t mid = lo + (hi - lo) / 2;
        if (uk_symtab[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *offset = addr - uk_symtab[lo].addr;
    return &uk_symnames[uk_symtab[lo].name];
}
