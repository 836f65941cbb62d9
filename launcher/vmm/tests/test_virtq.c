/* test_virtq.c: unit tests of the host virtqueue walker: chains, index wrap-around, loops, bad buffers. */
#include <string.h>

#include "../../../tests/unit/check.h"
#include "../virtio.h"
#include "vq_driver.h"

#define QSIZE 8
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define DATA 0x4000

static uint8_t ram[0x8000];
static const struct guest_mem mem = {.base = ram, .size = sizeof ram};

static void put_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    vq_put_desc(ram, DESC, i, addr, len, flags, next);
}

static void offer(uint16_t *avail_idx, uint16_t head)
{
    vq_offer(ram, AVAIL, QSIZE, avail_idx, head);
}

static struct virtq fresh_queue(void)
{
    memset(ram, 0, sizeof ram);
    struct virtq q = {.num = QSIZE, .desc = DESC, .avail = AVAIL, .used = USED};
    check(virtq_enable(&q, &mem) == NULL, "virtq_enable", "layout refused");
    return q;
}

static struct vq_chain chain;

static enum vq_pop pop(struct virtq *q, const char **why)
{
    *why = NULL;
    return virtq_pop(q, &mem, &chain, why);
}

static void test_good_chain(void)
{
    struct virtq q = fresh_queue();
    uint16_t avail = 0;
    const char *why;
    put_desc(0, DATA, 16, 1, 1);      /* readable, next 1 */
    put_desc(1, DATA + 16, 512, 3, 2); /* writable, next 2 */
    put_desc(2, DATA + 528, 1, 2, 0); /* writable, last */
    check(pop(&q, &why) == VQ_EMPTY, "virtq_empty", "popped from an empty ring");
    offer(&avail, 0);
    enum vq_pop r = pop(&q, &why);
    check(r == VQ_CHAIN && chain.nreadable == 1 && chain.nwritable == 2 &&
              chain.iov[1].iov_base == ram + DATA + 16 &&
              chain.iov[1].iov_len == 512,
          "virtq_three_descriptors", "r=%d why=%s", r, why ? why : "-");
    virtq_push(&q, &mem, chain.head, 513);
    uint16_t used_idx;
    uint32_t elem[2];
    memcpy(&used_idx, ram + USED + 2, 2);
    memcpy(elem, ram + USED + 4, 8);
    check(used_idx == 1 && elem[0] == 0 && elem[1] == 513, "virtq_push",
          "used idx %u id %u len %u", used_idx, elem[0], elem[1]);
}

/* avail->idx and used->idx are free-running 16-bit counters. */
static void test_wrap_around(void)
{
    struct virtq q = fresh_queue();
    const char *why;
    uint16_t avail = 65533;
    q.last_avail = 65533;
    q.used_idx = 65533;
    memcpy(ram + AVAIL + 2, &avail, 2);
    put_desc(3, DATA, 8, 0, 0);
    bool ok = true;
    for (int i = 0; i < 6 && ok; i++) {
        offer(&avail, 3);
        ok = pop(&q, &why) == VQ_CHAIN && chain.head == 3;
        virtq_push(&q, &mem, chain.head, 0);
    }
    uint16_t used_idx;
    memcpy(&used_idx, ram + USED + 2, 2);
    check(ok && q.last_avail == 3 && used_idx == 3 &&
              pop(&q, &why) == VQ_EMPTY,
          "virtq_index_wraps", "last_avail %u used %u", q.last_avail,
          used_idx);
}

static void test_bad_chains(void)
{
    /* One queue for every case: a bad chain must not spoil the next. */
    struct virtq q = fresh_queue();
    const char *why;
    uint16_t avail = 0;

    put_desc(0, DATA, 8, 1, 0); /* next is itself */
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "loops"),
          "virtq_self_loop", "why=%s", why ? why : "-");

    put_desc(0, DATA, 8, 1, 1);
    put_desc(1, DATA, 8, 1, 2);
    put_desc(2, DATA, 8, 1, 0); /* 0 -> 1 -> 2 -> 0 */
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "loops"),
          "virtq_long_loop", "why=%s", why ? why : "-");

    put_desc(0, DATA, 8, 1, QSIZE); /* next out of range */
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "out of range"),
          "virtq_next_out_of_range", "why=%s", why ? why : "-");

    offer(&avail, 200); /* head out of range */
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "out of range"),
          "virtq_head_out_of_range", "why=%s", why ? why : "-");

    put_desc(0, sizeof ram - 4, 8, 0, 0); /* straddles the end of RAM */
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "outside"),
          "virtq_buffer_past_ram", "why=%s", why ? why : "-");

    put_desc(0, UINT64_MAX - 2, 16, 0, 0); /* addr + len wraps */
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "outside"),
          "virtq_buffer_wraps", "why=%s", why ? why : "-");

    put_desc(0, DATA, 8, 3, 1); /* writable, then readable */
    put_desc(1, DATA, 8, 0, 0);
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "readable"),
          "virtq_readable_after_writable", "why=%s", why ? why : "-");

    put_desc(0, DATA, 16, 4, 0); /* VIRTQ_DESC_F_INDIRECT */
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_BAD_CHAIN && strstr(why, "indirect"),
          "virtq_indirect_refused", "why=%s", why ? why : "-");

    /* After all that the queue still works. */
    put_desc(0, DATA, 8, 0, 0);
    offer(&avail, 0);
    check(pop(&q, &why) == VQ_CHAIN, "virtq_survives_bad_chains",
          "why=%s", why ? why : "-");

    /* The driver claims more new entries than the ring holds. */
    avail = (uint16_t)(q.last_avail + QSIZE + 1);
    memcpy(ram + AVAIL + 2, &avail, 2);
    check(pop(&q, &why) == VQ_BROKEN, "virtq_avail_runs_ahead",
          "accepted an avail index %u ahead", QSIZE + 1);
}

static void test_layout(void)
{
    struct virtq q = {.num = 6, .desc = DESC, .avail = AVAIL, .used = USED};
    check(virtq_enable(&q, &mem) != NULL && !q.ready, "virtq_size_not_pow2",
          "size 6 accepted");
    q = (struct virtq){.num = QSIZE, .desc = DESC + 8, .avail = AVAIL,
                       .used = USED};
    check(virtq_enable(&q, &mem) != NULL, "virtq_desc_misaligned",
          "misaligned table accepted");
    q = (struct virtq){.num = QSIZE, .desc = DESC, .avail = AVAIL,
                       .used = sizeof ram - 16};
    check(virtq_enable(&q, &mem) != NULL, "virtq_used_past_ram",
          "used ring past RAM accepted");
    q = (struct virtq){.num = VQ_MAX_SIZE * 2, .desc = DESC, .avail = AVAIL,
                       .used = USED};
    check(virtq_enable(&q, &mem) != NULL, "virtq_size_too_big",
          "size above QueueNumMax accepted");
}

int main(void)
{
    test_good_chain();
    test_wrap_around();
    test_bad_chains();
    test_layout();
    return check_status();
}
