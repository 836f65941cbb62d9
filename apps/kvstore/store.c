/* store.c: the key space: a chained hash table of binary-safe keys with values and expiry times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvstore.h"

static struct entry **table;
static size_t nbuckets, count, expiring;
static size_t sweep_cursor; /* where store_expire_some goes on */
static uint64_t seed;

long long kv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *xalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fprintf(stderr, "kvstore: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

/* FNV-1a, seeded per run so that colliding keys cannot be prepared in advance. */
static void grow(void);

static uint64_t hash_key(const char *k, size_t n)
{
    if (nbuckets == 0)
        grow(); /* which also picks the seed */
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 0x100000001b3ull;
    }
    return h ^ (h >> 29);
}

static void grow(void)
{
    size_t nb = nbuckets ? nbuckets * 2 : 1024;
    struct entry **t = calloc(nb, sizeof(*t));
    if (t == NULL) {
        fprintf(stderr, "kvstore: out of memory (table of %zu buckets)\n", nb);
        exit(1);
    }
    if (seed == 0)
        seed = (uint64_t)kv_now_ms() * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)t;
    for (size_t i = 0; i < nbuckets; i++) {
        struct entry *e = table[i], *next;
        for (; e; e = next) {
            next = e->next;
            e->next = t[e->hash & (nb - 1)];
            t[e->hash & (nb - 1)] = e;
        }
    }
    free(table);
    table = t;
    nbuckets = nb;
}

/* The link that points at the key's entry (or at the NULL where it would go). */
static struct entry **find(const char *k, size_t kn, uint64_t h)
{
    struct entry **pe = &table[h & (nbuckets - 1)];
    for (; *pe; pe = &(*pe)->next)
        if ((*pe)->hash == h && (*pe)->klen == kn && memcmp((*pe)->key, k, kn) == 0)
            break;
    return pe;
}

static void unlink_entry(struct entry **pe)
{
    struct entry *e = *pe;
    *pe = e->next;
    if (e->expire_at)
        expiring--;
    count--;
    free(e->val);
    free(e);
}

struct entry *store_get(const char *k, size_t kn)
{
    struct entry **pe = find(k, kn, hash_key(k, kn));
    if (*pe && (*pe)->expire_at && (*pe)->expire_at <= kv_now_ms()) {
        unlink_entry(pe);
        return NULL;
    }
    return *pe;
}

void store_set(const char *k, size_t kn, const char *v, size_t vn, long long expire_at)
{
    uint64_t h = hash_key(k, kn);
    struct entry **pe = find(k, kn, h);
    struct entry *e = *pe;
    if (e == NULL) {
        if (count >= nbuckets) {
            grow();
            pe = find(k, kn, h);
        }
        e = xalloc(sizeof(*e) + kn);
        memcpy(e->key, k, kn);
        e->klen = kn;
        e->hash = h;
        e->expire_at = 0;
        e->next = NULL;
        *pe = e;
        count++;
    } else {
        free(e->val);
    }
    e->val = xalloc(vn ? vn : 1);
    memcpy(e->val, v, vn);
    e->vlen = vn;
    expiring += (expire_at != 0) - (e->expire_at != 0);
    e->expire_at = expire_at;
}

int store_del(const char *k, size_t kn)
{
    struct entry **pe = find(k, kn, hash_key(k, kn));
    if (*pe == NULL)
        return 0;
    int live = !(*pe)->expire_at || (*pe)->expire_at > kv_now_ms();
    unlink_entry(pe);
    return live;
}

void store_flush(void)
{
    for (size_t i = 0; i < nbuckets; i++)
        while (table[i])
            unlink_entry(&table[i]);
}

size_t store_size(void)
{
    return count;
}

size_t store_expiring(void)
{
    return expiring;
}

void store_expire_some(void)
{
    if (expiring == 0 || nbuckets == 0)
        return;
    long long now = kv_now_ms();
    for (int visited = 0; visited < 64; visited++) {
        sweep_cursor = (sweep_cursor + 1) & (nbuckets - 1);
        struct entry **pe = &table[sweep_cursor];
        while (*pe) {
            if ((*pe)->expire_at && (*pe)->expire_at <= now)
                unlink_entry(pe);
            else
                pe = &(*pe)->next;
        }
    }
}

void store_each(void (*fn)(struct entry *e, void *ctx), void *ctx)
{
    long long now = kv_now_ms();
    for (size_t i = 0; i < nbuckets; i++)
        for (struct entry *e = table[i]; e; e = e->next)
            if (!e->expire_at || e->expire_at > now)
                fn(e, ctx);
}

void store_set_expiry(struct entry *e, long long expire_at)
{
    expiring += (expire_at != 0) - (e->expire_at != 0);
    e->expire_at = expire_at;
}
