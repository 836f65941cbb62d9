/* virtq.c: the host side of a split virtqueue, validating every descriptor chain the guest offers. */
#include <string.h>

#include "virtio.h"

/*
 * Split virtqueue layout (virtio 1.x section 2.7), all little-endian:
 *   descriptor table  num x {le64 addr; le32 len; le16 flags; le16 next}, 16-aligned
 *   available ring    le16 flags; le16 idx; le16 ring[num]; le16 used_event, 2-aligned
 *   used ring         le16 flags; le16 idx; {le32 id; le32 len} ring[num]; le16 avail_event, 4-aligned
 * Only the host's x86_64 (little-endian) is supported, so fields are copied
 * as they are.
 */
#define DESC_SIZE 16
#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
#define USED_F_NO_NOTIFY 1
#define AVAIL_RING_OFF 4
#define USED_RING_OFF 4
#define USED_ELEM_SIZE 8

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
_Static_assert(sizeof(struct desc) == DESC_SIZE, "descriptor layout");

static uint64_t avail_size(uint16_t num)
{
    return AVAIL_RING_OFF + 2ull * num + 2;
}

static uint64_t used_size(uint16_t num)
{
    return USED_RING_OFF + (uint64_t)USED_ELEM_SIZE * num + 2;
}

/* Section 2.7.10 (and 4.2.2: QueueNum is the size the driver picked). */
const char *virtq_enable(struct virtq *q, const struct guest_mem *mem)
{
    if (q->num == 0 || q->num > VQ_MAX_SIZE || (q->num & (q->num - 1)) != 0)
        return "queue size is not a power of 2 up to QueueNumMax";
    if ((q->desc & 15) != 0 || (q->avail & 1) != 0 || (q->used & 3) != 0)
        return "ring address misaligned (section 2.7)";
    if (!gpa_range_ok(mem, q->desc, (uint64_t)DESC_SIZE * q->num) ||
        !gpa_range_ok(mem, q->avail, avail_size(q->num)) ||
        !gpa_range_ok(mem, q->used, used_size(q->num)))
        return "ring lies outside guest memory";
    uint16_t *used_flags = gpa_ptr(mem, q->used, 2);
    *used_flags = USED_F_NO_NOTIFY;
    q->last_avail = 0;
    q->used_idx = 0;
    q->ready = true;
    return NULL;
}

static uint16_t load16(const struct guest_mem *mem, uint64_t gpa)
{
    /* The ring was proven to lie in RAM by virtq_enable. */
    return __atomic_load_n((uint16_t *)gpa_ptr(mem, gpa, 2), __ATOMIC_ACQUIRE);
}

/* Walks the chain from head. A chain may hold at most num descriptors
 * (section 2.7.5.3.1 bounds it by the queue size), so a chain that visits
 * a descriptor twice is a loop and is refused as soon as it does. */
static const char *walk_chain(const struct virtq *q,
                              const struct guest_mem *mem,
                              struct vq_chain *chain)
{
    uint8_t visited[VQ_MAX_SIZE / 8] = {0};
    const struct desc *table = gpa_ptr(mem, q->desc, (uint64_t)DESC_SIZE * q->num);
    uint16_t idx = chain->head;
    unsigned n = 0;

    chain->nreadable = chain->nwritable = 0;
    for (;;) {
        if (idx >= q->num)
            return "descriptor index out of range";
        if (visited[idx / 8] & (1u << (idx % 8)))
            return "descriptor chain loops";
        visited[idx / 8] |= (uint8_t)(1u << (idx % 8));
        struct desc d;
        memcpy(&d, &table[idx], sizeof d);
        if (d.flags & DESC_F_INDIRECT)
            return "indirect descriptor (VIRTIO_F_INDIRECT_DESC not offered)";
        void *buf = gpa_ptr(mem, d.addr, d.len);
        if (buf == NULL)
            return "buffer outside guest memory";
        if (d.flags & DESC_F_WRITE)
            chain->nwritable++;
        else if (chain->nwritable > 0)
            return "device-readable buffer after a device-writable one";
        else
            chain->nreadable++;
        chain->iov[n].iov_base = buf;
        chain->iov[n].iov_len = d.len;
        n++;
        if (!(d.flags & DESC_F_NEXT))
            return NULL;
        idx = d.next;
    }
}

enum vq_pop virtq_pop(struct virtq *q, const struct guest_mem *mem,
                      struct vq_chain *chain, const char **why)
{
    if (!q->ready)
        return VQ_EMPTY;
    uint16_t avail_idx = load16(mem, q->avail + 2);
    uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
    if (pending == 0)
        return VQ_EMPTY;
    if (pending > q->num) {
        *why = "available index ran more than the queue size ahead";
        return VQ_BROKEN;
    }
    chain->head = load16(mem, q->avail + AVAIL_RING_OFF +
                                  2ull * (q->last_avail % q->num));
    q->last_avail++;
    *why = walk_chain(q, mem, chain);
    return *why == NULL ? VQ_CHAIN : VQ_BAD_CHAIN;
}

/* Section 2.7.8: fill the used element, then publish it by advancing idx. */
void virtq_push(struct virtq *q, const struct guest_mem *mem, uint16_t head,
                uint32_t len)
{
    uint8_t *used = gpa_ptr(mem, q->used, used_size(q->num));
    const uint32_t elem[2] = {head, len};
    memcpy(used + USED_RING_OFF + USED_ELEM_SIZE * (q->used_idx % q->num),
           elem, sizeof elem);
    q->used_idx++;
    __atomic_store_n((uint16_t *)(used + 2), q->used_idx, __ATOMIC_RELEASE);
}
