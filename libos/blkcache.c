/* blkcache.c: cached reads of a read-only disk at any offset — 64 lines of 4 KiB, least recently used replaced. */
#include <string.h>

#include "libos.h"
#include "tarfs.h"

#define SECTOR 512
#define LINE 4096
#define LINES 64
#define DIRECT_MIN (4 * LINE)    /* aligned pieces this large bypass the cache */
#define DIRECT_MAX (256 * 1024)  /* bytes per request read straight into the caller's buffer */

struct line {
    int disk;
    uint64_t start;      /* byte offset, a multiple of LINE */
    size_t len;          /* LINE, or less at the end of the disk; 0: empty */
    uint64_t used;       /* last use, for replacement */
};

static struct line lines[LINES];
static unsigned char (*data)[LINE]; /* LINES lines, from uk_pages_alloc */
static uint64_t clock_tick;

static int io_error(void)
{
    return libos_fail(EIO);
}

static struct line *line_get(int disk, uint64_t start, uint64_t capacity)
{
    struct line *victim = &lines[0];
    for (int i = 0; i < LINES; i++) {
        if (lines[i].disk == disk && lines[i].start == start && lines[i].len) {
            lines[i].used = ++clock_tick;
            return &lines[i];
        }
        if (lines[i].used < victim->used)
            victim = &lines[i];
    }
    size_t len = capacity - start < LINE ? (size_t)(capacity - start) : LINE;
    unsigned char *buf = data[victim - lines];
    victim->len = 0;
    if (uk_block_read(disk, start, buf, len) != UK_OK)
        return NULL;
    *victim = (struct line){.disk = disk, .start = start, .len = len, .used = ++clock_tick};
    return victim;
}

int blkcache_read(int disk, uint64_t offset, void *buf, size_t len)
{
    struct uk_block_info info;
    unsigned char *out = buf;
    if (uk_block_info(disk, &info) != UK_OK || offset > info.capacity || len > info.capacity - offset)
        return io_error();
    if (!data && !(data = uk_pages_alloc(LINES * LINE / 4096)))
        return libos_fail(ENOMEM);
    while (len) {
        size_t run = len / SECTOR * SECTOR;
        if (offset % SECTOR == 0 && run >= DIRECT_MIN) {
            run = run > DIRECT_MAX ? DIRECT_MAX : run;
            if (uk_block_read(disk, offset, out, run) != UK_OK)
                return io_error();
        } else {
            uint64_t start = offset / LINE * LINE;
            struct line *l = line_get(disk, start, info.capacity);
            if (!l)
                return io_error();
            size_t at = (size_t)(offset - start);
            run = l->len - at < len ? l->len - at : len;
            memcpy(out, data[l - lines] + at, run);
        }
        out += run;
        offset += run;
        len -= run;
    }
    return 0;
}
