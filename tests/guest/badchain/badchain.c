/* badchain.c: guest test — malformed virtio-blk descriptor chains: the VMM must refuse each one and keep serving. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unikit/kernel.h>

#include "../../../kernel/virtio/virtio.h"

/*
 * Each case submits an ordinary one-sector read of disk 0 (uk_block_submit:
 * header, data, status byte, three descriptors), then rewrites its
 * descriptors before the VMM sees them: under unikit's VMM nothing reaches
 * the device until uk_wait(), which services the queue. The whole descriptor
 * table is saved first and put back after the wait, so the driver's free
 * list stays whole. What unikit's VMM does with a bad chain: it prints
 * "request N refused: <why>", leaves the status byte alone and puts the head
 * in the used ring with length 0; the driver reads that as UK_EUNSPEC. A good
 * read afterwards must still work. Usage: badchain RAM_BYTES (the -m given).
 */

#define SECTOR 512
#define STATUS_PENDING 0xff /* what blk.c puts in the status byte before submitting */

static int failures;
static uint64_t ram_bytes;
static unsigned char data[SECTOR];
static struct virtq_desc saved[VIRTQ_MAX_SIZE];

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: %s: %s (line %d)\n", name, #cond, __LINE__);                            \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* Rewrites the chain starting at descriptor (head) of queue (vq), whose size is vq->size. */
typedef void corrupt_fn(struct virtq *vq, uint16_t head);

static void addr_outside_ram(struct virtq *vq, uint16_t head)
{
    uint16_t data_desc = vq->desc[head].next;
    vq->desc[data_desc].addr = 0xfffff000ull; /* 4 GiB - 4 KiB: far above RAM */
}

static void len_past_ram_end(struct virtq *vq, uint16_t head)
{
    uint16_t data_desc = vq->desc[head].next;
    vq->desc[data_desc].addr = ram_bytes - 256; /* starts inside, ends 3840 bytes outside */
    vq->desc[data_desc].len = 4096;
}

static void header_addr_wraps(struct virtq *vq, uint16_t head)
{
    vq->desc[head].addr = 0xfffffffffffffff0ull; /* addr + len overflows 64 bits */
    vq->desc[head].len = 32;
}

static void loop_to_head(struct virtq *vq, uint16_t head)
{
    uint16_t status_desc = vq->desc[vq->desc[head].next].next;
    vq->desc[status_desc].flags |= VIRTQ_DESC_F_NEXT;
    vq->desc[status_desc].next = head;
}

static void self_loop(struct virtq *vq, uint16_t head)
{
    vq->desc[head].next = head; /* the header descriptor is its own successor */
}

/* Every descriptor of the queue in one chain, then back to the head: longer than the queue. */
static void longer_than_queue(struct virtq *vq, uint16_t head)
{
    uint16_t i = head;
    for (uint16_t k = 0; k < vq->size; k++) {
        uint16_t next = (uint16_t)((i + 1) % vq->size);
        vq->desc[i].addr = (uint64_t)(uintptr_t)data;
        vq->desc[i].len = SECTOR;
        vq->desc[i].flags = VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE;
        vq->desc[i].next = next;
        i = next;
    }
    vq->desc[head].flags = VIRTQ_DESC_F_NEXT; /* the header stays device-readable */
}

static void next_out_of_range(struct virtq *vq, uint16_t head)
{
    vq->desc[head].next = (uint16_t)(vq->size + 72);
}

static void readable_after_writable(struct virtq *vq, uint16_t head)
{
    uint16_t status_desc = vq->desc[vq->desc[head].next].next;
    vq->desc[status_desc].flags &= (uint16_t)~VIRTQ_DESC_F_WRITE;
}

/* Runs one case: submit, corrupt, wait, restore, then check what came back. */
static void run_case(const char *name, corrupt_fn *corrupt)
{
    struct virtq *vq = virtio_blk_queue(0);
    static struct uk_block_req req;
    req = (struct uk_block_req){.op = UK_BLOCK_READ, .offset = 0, .buf = data, .len = SECTOR};
    CHECK(uk_block_submit(0, &req) == UK_OK);
    uint16_t head = vq->avail->ring[(uint16_t)(vq->avail->idx - 1) & (vq->size - 1)];
    memcpy(saved, vq->desc, sizeof(struct virtq_desc) * vq->size);
    corrupt(vq, head);
    __asm__ volatile("" ::: "memory");
    uk_wait(uk_clock_monotonic() + 1000000); /* the VMM services the queue here */
    memcpy(vq->desc, saved, sizeof(struct virtq_desc) * vq->size);

    uint32_t used_len = 12345;
    void *token = virtq_get_used(vq, &used_len);
    CHECK(token == &req);
    CHECK(used_len == 0);
    CHECK(req.status == STATUS_PENDING); /* the VMM wrote nothing into the chain */
    if (token == &req) {
        req.done = 1;
        req.result = req.status == 0 ? UK_OK : UK_EUNSPEC; /* what uk_block_poll would say */
        CHECK(req.result == UK_EUNSPEC);
    }
    /* The device still serves good requests. */
    memset(data, 0xaa, sizeof data);
    CHECK(uk_block_read(0, 0, data, SECTOR) == UK_OK);
    CHECK(memcmp(data, "unikit-badchain", 15) == 0);
    printf("%s: %s\n", name, failures ? "checked (failures so far)" : "refused cleanly");
}

int main(int argc, char **argv)
{
    ram_bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : 0;
    const char *name = "setup";
    CHECK(ram_bytes >= (4u << 20));
    CHECK(uk_block_count() == 1);
    CHECK(virtio_blk_queue(0) != NULL && virtio_blk_queue(1) == NULL);
    if (failures)
        return 1;

    run_case("address outside RAM", addr_outside_ram);
    run_case("length past the end of RAM", len_past_ram_end);
    run_case("address + length wraps", header_addr_wraps);
    run_case("loop back to the head", loop_to_head);
    run_case("descriptor that is its own next", self_loop);
    run_case("chain longer than the queue", longer_than_queue);
    run_case("next index out of range", next_out_of_range);
    run_case("readable after writable", readable_after_writable);

    if (!failures)
        printf("SUCCESS\n");
    return failures ? 1 : 0;
}
