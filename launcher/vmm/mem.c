/* mem.c: the one checked accessor through which the host touches guest memory. */
#include "vmm_internal.h"

/*
 * The guest is not trusted: every guest-physical address and length it hands
 * us (hypercall arguments, virtqueue rings, descriptors) is proven to lie
 * inside guest RAM here, and nowhere else. The test is written so that no
 * addition can overflow: gpa + len is never computed before gpa <= size and
 * len <= size - gpa are known.
 */
bool gpa_range_ok(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    if (mem->base == NULL || gpa > mem->size)
        return false;
    return len <= mem->size - gpa;
}

void *gpa_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
    if (!gpa_range_ok(mem, gpa, len))
        return NULL;
    return mem->base + gpa;
}
