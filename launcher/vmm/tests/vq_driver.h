/* vq_driver.h: the driver's side of a split virtqueue in a test's fake guest RAM (little-endian host). */
#ifndef UNIKIT_VMM_TEST_VQ_DRIVER_H
#define UNIKIT_VMM_TEST_VQ_DRIVER_H

#include <stdint.h>
#include <string.h>

/* Writes descriptor i of the table at ram + desc (section 2.7.5). */
static inline void vq_put_desc(uint8_t *ram, uint64_t desc, uint16_t i,
                               uint64_t addr, uint32_t len, uint16_t flags,
                               uint16_t next)
{
    uint8_t *d = ram + desc + 16 * i;
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

/* Offers chain (head) in the avail ring at ram + avail (section 2.7.6). */
static inline void vq_offer(uint8_t *ram, uint64_t avail, uint16_t qsize,
                            uint16_t *avail_idx, uint16_t head)
{
    memcpy(ram + avail + 4 + 2 * (*avail_idx % qsize), &head, 2);
    (*avail_idx)++;
    memcpy(ram + avail + 2, avail_idx, 2);
}

#endif /* UNIKIT_VMM_TEST_VQ_DRIVER_H */
