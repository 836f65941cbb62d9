/* virtqueue.c: split-ring virtqueue mechanics (virtio 1.1, 2.6) — chains, indices, barriers, event index. */
#include "virtio.h"

/* x86 keeps stores in order; what needs a fence is a store followed by a load (2.6.7.2). */
#define compiler_barrier() __asm__ volatile("" ::: "memory")
#define full_barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static size_t align4k(size_t v)
{
    return (v + 4095) & ~(size_t)4095;
}

static size_t avail_bytes(uint16_t size)
{
    return 6 + 2 * (size_t)size; /* flags, idx, ring[size], used_event */
}

size_t virtq_bytes(uint16_t size)
{
    return align4k(16 * (size_t)size + avail_bytes(size)) + align4k(6 + 8 * (size_t)size);
}

static volatile uint16_t *used_event(struct virtq *vq)
{
    return &vq->avail->ring[vq->size];
}

static volatile uint16_t *avail_event(struct virtq *vq)
{
    return (volatile uint16_t *)&vq->used->ring[vq->size];
}

void virtq_init(struct virtq *vq, uint16_t size, void *mem, bool event_idx)
{
    uint8_t *p = mem;
    vq->size = size;
    vq->desc = (struct virtq_desc *)p;
    vq->avail = (struct virtq_avail *)(p + 16 * (size_t)size);
    vq->used = (struct virtq_used *)(p + align4k(16 * (size_t)size + avail_bytes(size)));
    vq->event_idx = event_idx;
    vq->num_free = size;
    vq->free_head = 0;
    vq->last_used = 0;
    vq->kicked_avail = 0;
    for (uint16_t i = 0; i < size; i++) {
        vq->desc[i].next = (uint16_t)(i + 1);
        vq->token[i] = NULL;
    }
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, int n, void *token)
{
    if (n <= 0 || n > vq->num_free)
        return -1;
    uint16_t head = vq->free_head, i = head, last = head;
    for (int k = 0; k < n; k++) {
        struct virtq_desc *d = &vq->desc[i];
        d->addr = (uint64_t)(uintptr_t)bufs[k].addr; /* identity-mapped: virtual = physical */
        d->len = bufs[k].len;
        d->flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
                              (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        last = i;
        i = d->next;
    }
    vq->free_head = vq->desc[last].next;
    vq->num_free = (uint16_t)(vq->num_free - n);
    vq->token[head] = token;
    vq->chain_len[head] = (uint16_t)n;
    uint16_t idx = vq->avail->idx;
    vq->avail->ring[idx & (vq->size - 1)] = head;
    compiler_barrier(); /* the ring entry before the index that publishes it */
    ((volatile struct virtq_avail *)vq->avail)->idx = (uint16_t)(idx + 1);
    return 0;
}

bool virtq_should_notify(struct virtq *vq)
{
    full_barrier(); /* publish avail->idx before reading the device's wishes */
    uint16_t old = vq->kicked_avail, now = vq->avail->idx;
    vq->kicked_avail = now;
    if (old == now)
        return false;
    if (vq->event_idx) {
        /* 2.6.7.2: notify when avail_event lies in (old, now]. */
        uint16_t event = *avail_event(vq);
        return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
    }
    return !(((volatile struct virtq_used *)vq->used)->flags & VIRTQ_USED_F_NO_NOTIFY);
}

void *virtq_get_used(struct virtq *vq, uint32_t *len)
{
    if (vq->last_used == ((volatile struct virtq_used *)vq->used)->idx)
        return NULL;
    compiler_barrier(); /* read the element only after seeing the index */
    struct virtq_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
    uint32_t head = e->id;
    if (head >= vq->size || !vq->token[head])
        return NULL; /* a device bug; the caller's request stays pending */
    if (len)
        *len = e->len;
    vq->last_used++;
    void *token = vq->token[head];
    vq->token[head] = NULL;
    /* Return the chain to the free list. */
    uint16_t n = vq->chain_len[head], last = (uint16_t)head;
    for (uint16_t k = 1; k < n; k++)
        last = vq->desc[last].next;
    vq->desc[last].next = vq->free_head;
    vq->free_head = (uint16_t)head;
    vq->num_free = (uint16_t)(vq->num_free + n);
    if (vq->event_idx)
        *used_event(vq) = vq->last_used; /* interrupt again at the next completion */
    return token;
}

void virtq_enable_interrupts(struct virtq *vq, bool on)
{
    if (vq->event_idx)
        *used_event(vq) = on ? vq->last_used : (uint16_t)(vq->last_used - 1);
    else
        vq->avail->flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
    full_barrier();
}
