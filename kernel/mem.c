/* mem.c: RAM from the PVH memory map; the heap grows up from the image, pages are handed out from the top. */
#include "io.h"
#include "kernel.h"

#define PAGE_SIZE 4096UL
#define HEAP_PAGE_GAP 16 /* pages kept between the heap and the page area */

/*
 * One region of RAM [lo, hi): the largest RAM range of the memory map above
 * the image. The heap (sbrk) starts at lo and grows up; uk_pages_alloc takes
 * pages from below hi and moves `pages_low` down; freed runs go on a sorted
 * list, are coalesced and given back to the top area when they touch it.
 */
struct free_run {
    uintptr_t npages;
    struct free_run *next;
};

static uintptr_t region_lo, region_hi;
static uintptr_t heap_end;
static uintptr_t pages_low;
static struct free_run *free_runs;
static size_t pages_in_use;

static uintptr_t align_up(uintptr_t v, uintptr_t a)
{
    return (v + a - 1) & ~(a - 1);
}

void kmem_init(const struct hvm_start_info *si)
{
    if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
        uk_panic("mem: PVH start info has no memory map (version %u)", si->version);
    const struct hvm_memmap_entry *map = (const void *)(uintptr_t)si->memmap_paddr;
    uintptr_t image_end = align_up((uintptr_t)_end, PAGE_SIZE);
    /* RAM above 1 GiB is mapped with 1 GiB pages (ring0.S): only where the CPU has them. */
    uint32_t r[4];
    cpuid(0x80000001, 0, r);
    bool gbpages = r[3] & (1u << 26);
    uintptr_t ram_limit = gbpages ? 0xc0000000UL : 0x40000000UL;
    int warned_limit = 0;
    for (uint32_t i = 0; i < si->memmap_entries; i++) {
        if (map[i].type != UK_MEMMAP_RAM)
            continue;
        uintptr_t lo = align_up(map[i].addr, PAGE_SIZE);
        uintptr_t hi = (map[i].addr + map[i].size) & ~(PAGE_SIZE - 1);
        if (hi > ram_limit) {
            if (!gbpages && !warned_limit++)
                kprintf("unikit: the CPU has no 1 GiB pages: using the first GiB of RAM only\n");
            hi = ram_limit;
        }
        if (lo < image_end)
            lo = image_end;
        if (hi > lo && hi - lo > region_hi - region_lo) {
            region_lo = lo;
            region_hi = hi;
        }
    }
    if (region_hi - region_lo < 64 * PAGE_SIZE)
        uk_panic("mem: less than 256 KiB of RAM above the image");
    heap_end = region_lo;
    pages_low = region_hi;
}

bool kmem_is_ram(uintptr_t addr, size_t len)
{
    uintptr_t image = 0x100000;
    if (addr + len < addr)
        return false;
    return (addr >= image && addr + len <= (uintptr_t)_end) ||
           (addr >= region_lo && addr + len <= region_hi);
}

void *uk_heap_grow(intptr_t increment)
{
    uintptr_t old = heap_end;
    if (increment > 0 && (uintptr_t)increment > pages_low - heap_end - HEAP_PAGE_GAP * PAGE_SIZE)
        return NULL;
    if (increment < 0 && (uintptr_t)-increment > heap_end - region_lo)
        return NULL;
    heap_end += (uintptr_t)increment;
    return (void *)old;
}

/* Takes (npages) from a free run that is large enough, first fit. */
static void *take_from_free_runs(size_t npages)
{
    for (struct free_run **pp = &free_runs; *pp; pp = &(*pp)->next) {
        struct free_run *run = *pp;
        if (run->npages < npages)
            continue;
        if (run->npages == npages) {
            *pp = run->next;
            return run;
        }
        /* Hand out the run's tail; the head stays on the list. */
        run->npages -= npages;
        return (char *)run + run->npages * PAGE_SIZE;
    }
    return NULL;
}

void *uk_pages_alloc(size_t npages)
{
    if (npages == 0)
        return NULL;
    void *p = take_from_free_runs(npages);
    if (!p) {
        uintptr_t need = npages * PAGE_SIZE;
        if (npages > (pages_low - heap_end) / PAGE_SIZE ||
            pages_low - need < heap_end + HEAP_PAGE_GAP * PAGE_SIZE)
            return NULL;
        pages_low -= need;
        p = (void *)pages_low;
    }
    pages_in_use += npages;
    return kmemset(p, 0, npages * PAGE_SIZE);
}

void uk_pages_free(void *pages, size_t npages)
{
    uintptr_t start = (uintptr_t)pages;
    if (!npages)
        return;
    if (start & (PAGE_SIZE - 1) || start < pages_low || start + npages * PAGE_SIZE > region_hi)
        uk_panic("mem: uk_pages_free(%p, %zu) outside the page area", pages, npages);
    pages_in_use -= npages;
    /* Insert sorted by address, then merge with the neighbours. */
    struct free_run **pp = &free_runs;
    while (*pp && (uintptr_t)*pp < start)
        pp = &(*pp)->next;
    struct free_run *run = pages;
    run->npages = npages;
    run->next = *pp;
    *pp = run;
    if (run->next && start + npages * PAGE_SIZE == (uintptr_t)run->next) {
        run->npages += run->next->npages;
        run->next = run->next->next;
    }
    if (pp != &free_runs) {
        struct free_run *prev = (struct free_run *)((char *)pp - offsetof(struct free_run, next));
        if ((uintptr_t)prev + prev->npages * PAGE_SIZE == start) {
            prev->npages += run->npages;
            prev->next = run->next;
            run = prev;
        }
    }
    /* The lowest run touching pages_low goes back to the open area. */
    if (free_runs && (uintptr_t)free_runs == pages_low) {
        struct free_run *first = free_runs;
        pages_low += first->npages * PAGE_SIZE;
        free_runs = first->next;
    }
}

size_t uk_mem_total(void)
{
    return region_hi - region_lo;
}

size_t uk_mem_free(void)
{
    size_t in_runs = 0;
    for (struct free_run *r = free_runs; r; r = r->next)
        in_runs += r->npages * PAGE_SIZE;
    return (pages_low - heap_end) + in_runs;
}
