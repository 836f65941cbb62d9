/* io.c: the tables of registered port-I/O and MMIO ranges that exits are dispatched through. */
#include <errno.h>

#include "vmm_internal.h"

/* Ranges may not overlap: an address has exactly one owner. */
int io_register(struct io_table *table, uint64_t start, uint64_t len,
                io_handler *handler, void *ctx, const char *name)
{
    if (len == 0 || start + len < start)
        return vmm_fail(EINVAL, "register %s: empty or wrapping range", name);
    for (unsigned i = 0; i < table->count; i++) {
        const struct io_range *r = &table->ranges[i];
        if (start < r->start + r->len && r->start < start + len)
            return vmm_fail(EEXIST, "register %s at 0x%llx: overlaps %s", name,
                            (unsigned long long)start, r->name);
    }
    if (table->count == VMM_MAX_RANGES)
        return vmm_fail(ENOSPC, "register %s", name);
    table->ranges[table->count++] = (struct io_range){
        .start = start,
        .len = len,
        .handler = handler,
        .ctx = ctx,
        .name = name,
    };
    return 0;
}

/* The range holding every byte of [addr, addr + size), or NULL. The tables
 * are short (a handful of devices), so a linear scan is the fastest. */
struct io_range *io_lookup(struct io_table *table, uint64_t addr,
                           unsigned size)
{
    for (unsigned i = 0; i < table->count; i++) {
        struct io_range *r = &table->ranges[i];
        if (addr >= r->start && addr - r->start < r->len &&
            size <= r->len - (addr - r->start))
            return r;
    }
    return NULL;
}
