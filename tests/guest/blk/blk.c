/* blk.c: guest test — virtio-blk through the kernel's block API: sync and in-flight I/O, flush, get-id, read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unikit/kernel.h>

#include "guest_check.h"

#define SECTOR 512
#define IN_FLIGHT 32

static int failures;


static void fill(unsigned char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(seed * 31 + i * 7);
}

/* Usage: blk RW_DISK_BYTES — disk 0 read-write of that size, disk 1 read-only starting "unikit-ro". */
int main(int argc, char **argv)
{
    static unsigned char wbuf[64 * SECTOR], rbuf[64 * SECTOR];
    static struct uk_block_req reqs[IN_FLIGHT];
    static unsigned char inflight_buf[IN_FLIGHT][SECTOR];
    uint64_t want_bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;
    struct uk_block_info info;

    printf("disks: %d\n", uk_block_count());
    CHECK(uk_block_count() == 2);
    CHECK(uk_block_info(0, &info) == UK_OK);
    printf("disk0: %llu bytes, block %llu, ro %d\n", (unsigned long long)info.capacity,
           (unsigned long long)info.block_size, info.read_only);
    CHECK(info.capacity == want_bytes && info.block_size == SECTOR && !info.read_only);
    uint64_t last = info.capacity - sizeof wbuf;

    /* Synchronous writes at the start, the middle and the end, then read back. */
    uint64_t offsets[3] = {0, 128 * SECTOR, last};
    for (int i = 0; i < 3; i++) {
        fill(wbuf, sizeof wbuf, (unsigned)i + 1);
        CHECK(uk_block_write(0, offsets[i], wbuf, sizeof wbuf) == UK_OK);
    }
    CHECK(uk_block_flush(0) == UK_OK);
    for (int i = 0; i < 3; i++) {
        fill(wbuf, sizeof wbuf, (unsigned)i + 1);
        memset(rbuf, 0, sizeof rbuf);
        CHECK(uk_block_read(0, offsets[i], rbuf, sizeof rbuf) == UK_OK);
        CHECK(memcmp(rbuf, wbuf, sizeof rbuf) == 0);
    }

    /* Many requests in flight at once: one sector each, submitted before any completes. */
    int submitted = 0;
    for (int i = 0; i < IN_FLIGHT; i++) {
        reqs[i] = (struct uk_block_req){.op = UK_BLOCK_READ, .offset = (uint64_t)(128 + i % 64) * SECTOR,
                                        .buf = inflight_buf[i], .len = SECTOR};
        if (uk_block_submit(0, &reqs[i]) == UK_OK)
            submitted++;
    }
    CHECK(submitted == IN_FLIGHT);
    for (int i = 0; i < submitted; i++) {
        CHECK(uk_block_wait(0, &reqs[i]) == UK_OK);
        fill(wbuf, sizeof wbuf, 2);
        CHECK(memcmp(inflight_buf[i], wbuf + (i % 64) * SECTOR, SECTOR) == 0);
    }

    /* Out of range and misaligned requests are refused before reaching the device. */
    CHECK(uk_block_read(0, info.capacity, rbuf, SECTOR) == UK_EINVAL);
    CHECK(uk_block_read(0, 3, rbuf, SECTOR) == UK_EINVAL);
    CHECK(uk_block_read(5, 0, rbuf, SECTOR) == UK_EINVAL);

    char id[32];
    CHECK(uk_block_get_id(0, id, sizeof id) == UK_OK);
    printf("disk0 id: %s\n", id);

    /* The read-only disk: reads work, a write is the device's I/O error. */
    CHECK(uk_block_info(1, &info) == UK_OK && info.read_only);
    CHECK(uk_block_read(1, 0, rbuf, SECTOR) == UK_OK);
    CHECK(memcmp(rbuf, "unikit-ro", 9) == 0);
    CHECK(uk_block_write(1, 0, wbuf, SECTOR) == UK_EUNSPEC);
    CHECK(uk_block_read(1, 0, rbuf, SECTOR) == UK_OK && memcmp(rbuf, "unikit-ro", 9) == 0);

    if (!failures)
        printf("SUCCESS\n");
    return failures ? 1 : 0;
}
