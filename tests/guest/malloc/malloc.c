/* malloc.c: guest test — many allocation sizes, freed and reused, contents checked; realloc and calloc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define ROUNDS 20000

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static size_t pick_size(void)
{
    switch (rng() % 4) {
    case 0: return 1 + rng() % 16;
    case 1: return 1 + rng() % 512;
    case 2: return 1 + rng() % 8192;
    default: return 1 + rng() % 262144;
    }
}

struct slot {
    unsigned char *p;
    size_t len;
    unsigned char tag;
};

static int check(const struct slot *s)
{
    for (size_t i = 0; i < s->len; i++)
        if (s->p[i] != (unsigned char)(s->tag + i))
            return 0;
    return 1;
}

int main(void)
{
    static struct slot slots[SLOTS];
    size_t peak = 0, live = 0;
    for (int round = 0; round < ROUNDS; round++) {
        struct slot *s = &slots[rng() % SLOTS];
        if (s->p) {
            if (!check(s)) {
                printf("FAIL: block of %zu bytes corrupted\n", s->len);
                return 1;
            }
            live -= s->len;
            if (rng() % 3 == 0) { /* grow or shrink in place of freeing */
                size_t n = pick_size();
                unsigned char *q = realloc(s->p, n);
                if (!q) {
                    printf("FAIL: realloc(%zu) returned NULL\n", n);
                    return 1;
                }
                size_t keep = n < s->len ? n : s->len;
                for (size_t i = 0; i < keep; i++)
                    if (q[i] != (unsigned char)(s->tag + i)) {
                        printf("FAIL: realloc lost contents\n");
                        return 1;
                    }
                s->p = q;
                s->len = n;
                for (size_t i = 0; i < n; i++)
                    s->p[i] = (unsigned char)(s->tag + i);
                live += n;
                continue;
            }
            free(s->p);
            s->p = NULL;
            continue;
        }
        s->len = pick_size();
        s->tag = (unsigned char)rng();
        s->p = malloc(s->len);
        if (!s->p) {
            printf("FAIL: malloc(%zu) returned NULL with %zu bytes live\n", s->len, live);
            return 1;
        }
        for (size_t i = 0; i < s->len; i++)
            s->p[i] = (unsigned char)(s->tag + i);
        live += s->len;
        if (live > peak)
            peak = live;
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p && !check(&slots[i])) {
            printf("FAIL: block corrupted at the end\n");
            return 1;
        }
        free(slots[i].p);
    }
    unsigned char *z = calloc(1000, 100);
    for (int i = 0; z && i < 100000; i++)
        if (z[i]) {
            printf("FAIL: calloc memory not zero\n");
            return 1;
        }
    free(z);
    /* Exhaustion is reported, not fatal. */
    void *huge = malloc((size_t)1 << 40);
    if (huge) {
        printf("FAIL: malloc(1 TiB) succeeded\n");
        return 1;
    }
    printf("peak live bytes: %zu\n", peak);
    printf("SUCCESS\n");
    return 0;
}
