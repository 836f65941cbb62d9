/*
 * aof.c: the append-only log, on a regular file or a raw block device.
 *
 * Layout, all little-endian, in 512-byte sectors:
 *   sector 0  header: "UKVLOG01", u32 version (1), u32 sector size (512),
 *             u64 epoch, u32 CRC-32 of the 24 bytes before it; the rest zero.
 *             A header of zeros (a fresh disk, an empty file) is an empty log.
 *   then      records: u32 magic "UKVR", u32 payload length, u64 sequence,
 *             u32 CRC-32 of (epoch, the 16 bytes before it, payload), u32 0,
 *             payload: the ops of one command (op byte, then its fields).
 * Records of one write are contiguous; every write starts on a fresh sector,
 * so a sector that holds acknowledged records is never written again.
 * Replay takes records while each has the magic, a good CRC under the
 * header's epoch, and a sequence above the one before; where one fails, it
 * tries once more at the next sector boundary (the padding of a write), then
 * stops: a torn tail is dropped. Each run starts a new session (the sequence's
 * upper 32 bits), so what is left of an older torn write past the new records
 * has lower sequences and is never taken. FLUSHALL writes a new header with a
 * new epoch: every older record stops counting at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvstore.h"

#define SECTOR      512u
#define REC_HEAD    24u
#define REC_MAGIC   0x52564b55u /* "UKVR" */
#define MAX_RECORD  (1u << 30)
#define WINDOW      (256u << 10)
#define SYNC_BYTES  (1u << 20)   /* everysec/no: write sooner when this much is pending */

enum op { OP_SET = 1, OP_DEL = 2, OP_EXPIRE = 3 };

static int log_fd = -1;
static enum aof_fsync policy;
static uint64_t epoch, last_seq;
static unsigned long long write_pos, capacity; /* capacity 0: grows (a regular file) */
static unsigned long long replay_limit;        /* bytes that can hold records: the file's or device's size */
static struct buf pending;
static size_t rec_start;
static int header_pending;
static long long last_sync;

static uint32_t crc32_update(uint32_t crc, const void *data, size_t n)
{
    static uint32_t table[256];
    if (table[1] == 0)
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    const unsigned char *p = data;
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static unsigned long long align_up(unsigned long long x)
{
    return (x + SECTOR - 1) / SECTOR * SECTOR;
}

static uint32_t record_crc(const unsigned char *head, const void *payload, size_t n)
{
    unsigned char e[8];
    put64(e, epoch);
    uint32_t crc = crc32_update(0, e, sizeof(e));
    crc = crc32_update(crc, head, 16);
    return crc32_update(crc, payload, n);
}

static int pwrite_all(const void *p, size_t n, unsigned long long off)
{
    while (n > 0) {
        ssize_t w = pwrite(log_fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p = (const char *)p + w;
        n -= (size_t)w;
        off += (unsigned long long)w;
    }
    return 0;
}

static int write_header(void)
{
    unsigned char h[SECTOR];
    memset(h, 0, sizeof(h));
    memcpy(h, "UKVLOG01", 8);
    put32(h + 8, 1);
    put32(h + 12, SECTOR);
    put64(h + 16, epoch);
    put32(h + 24, crc32_update(0, h, 24));
    return pwrite_all(h, sizeof(h), 0);
}

static void new_epoch(void)
{
    uint64_t old = epoch;
    do
        epoch = (uint64_t)kv_now_ms() * 6364136223846793005ull + (uint64_t)getpid() + old +
                (uint64_t)(uintptr_t)&old;
    while (epoch == old || epoch == 0);
    last_seq = 0;
}

/* Reads the log through sector-aligned windows, so that a raw device sees only whole-sector reads. */
struct reader {
    unsigned char *win;
    size_t cap, len;
    unsigned long long start;
};

/* Copies (n) bytes at (off) to (dst). Returns 0, or -1 when the log has fewer bytes. */
static int read_at(struct reader *r, unsigned long long off, void *dst, size_t n)
{
    if (off < r->start || off + n > r->start + r->len) {
        unsigned long long a = off / SECTOR * SECTOR;
        size_t want = (size_t)(align_up(off + n) - a);
        if (want < WINDOW)
            want = WINDOW;
        if (capacity && a + want > capacity)
            want = (size_t)(capacity - a);
        if (want > r->cap) {
            unsigned char *w = realloc(r->win, want);
            if (w == NULL)
                return -1;
            r->win = w;
            r->cap = want;
        }
        r->start = a;
        r->len = 0;
        while (r->len < want) {
            ssize_t got = pread(log_fd, r->win + r->len, want - r->len, (off_t)(a + r->len));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break;
            r->len += (size_t)got;
        }
        if (off + n > r->start + r->len)
            return -1;
    }
    memcpy(dst, r->win + (off - r->start), n);
    return 0;
}

/* Applies a record's ops. Returns -1 when the payload does not parse (a bug: its CRC was good). */
static int apply(const unsigned char *p, size_t n, long long now)
{
    size_t i = 0;
    while (i < n) {
        int op = p[i++];
        if (i + 4 > n)
            return -1;
        uint32_t kn = get32(p + i);
        i += 4;
        if (kn > n - i)
            return -1;
        const char *k = (const char *)p + i;
        i += kn;
        if (op == OP_DEL) {
            store_del(k, kn);
            continue;
        }
        uint32_t vn = 0;
        const char *v = NULL;
        if (op == OP_SET) {
            if (i + 4 > n)
                return -1;
            vn = get32(p + i);
            i += 4;
            if (vn > n - i)
                return -1;
            v = (const char *)p + i;
            i += vn;
        } else if (op != OP_EXPIRE) {
            return -1;
        }
        if (i + 8 > n)
            return -1;
        long long at = (long long)get64(p + i);
        i += 8;
        if (at != 0 && at <= now) {
            store_del(k, kn);
        } else if (op == OP_SET) {
            store_set(k, kn, v, vn, at);
        } else {
            struct entry *e = store_get(k, kn);
            if (e)
                store_set_expiry(e, at);
        }
    }
    return 0;
}

/* Replays the records after the header; leaves write_pos and last_seq after the last good one. */
static void replay(struct reader *r, unsigned long long *records)
{
    unsigned long long pos = SECTOR;
    unsigned char *payload = NULL;
    long long now = kv_now_ms();
    int retried = 0;

    *records = 0;
    for (;;) {
        unsigned char h[REC_HEAD];
        int ok = read_at(r, pos, h, REC_HEAD) == 0 && get32(h) == REC_MAGIC && get64(h + 8) > last_seq;
        uint32_t n = ok ? get32(h + 4) : 0;
        ok = ok && n <= MAX_RECORD && pos + REC_HEAD + n <= replay_limit;
        if (ok) {
            unsigned char *np = realloc(payload, n ? n : 1);
            ok = np != NULL;
            payload = np ? np : payload;
        }
        ok = ok && read_at(r, pos + REC_HEAD, payload, n) == 0 && record_crc(h, payload, n) == get32(h + 16);
        if (ok && apply(payload, n, now) < 0) {
            fprintf(stderr, "kvstore: log record %llu at offset %llu does not parse; replay stops there\n",
                    (unsigned long long)get64(h + 8), pos);
            ok = 0;
            retried = 1;
        }
        if (!ok) {
            if (retried || pos % SECTOR == 0)
                break;
            retried = 1;
            pos = align_up(pos);
            continue;
        }
        last_seq = get64(h + 8);
        pos += REC_HEAD + n;
        retried = 0;
        (*records)++;
    }
    free(payload);
    write_pos = align_up(pos);
}

int aof_open(const char *path, enum aof_fsync pol, char *err, size_t errsz)
{
    struct stat st;
    int exists = stat(path, &st) == 0;
    policy = pol;
    log_fd = open(path, O_RDWR | (exists ? 0 : O_CREAT), 0644);
    if (log_fd < 0 || fstat(log_fd, &st) < 0) {
        snprintf(err, errsz, "log %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        off_t end = lseek(log_fd, 0, SEEK_END);
        capacity = end > 0 ? (unsigned long long)end / SECTOR * SECTOR : 0;
        if (capacity && capacity < 4 * SECTOR) {
            snprintf(err, errsz, "log %s: %llu bytes is too small for a log", path, capacity);
            return -1;
        }
    }

    replay_limit = capacity ? capacity : S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : ~0ull;
    struct reader r = {0};
    unsigned char h[SECTOR];
    int have = read_at(&r, 0, h, SECTOR) == 0;
    int zero = 1;
    for (size_t i = 0; have && i < SECTOR; i++)
        zero &= h[i] == 0;
    if (!have && S_ISREG(st.st_mode)) {
        /* A file shorter than a sector is new only when what it holds is zeros. */
        size_t n = (size_t)st.st_size;
        zero = pread(log_fd, h, n, 0) == (ssize_t)n;
        for (size_t i = 0; zero && i < n; i++)
            zero &= h[i] == 0;
        have = 1;
    }
    if (!have) {
        snprintf(err, errsz, "log %s: cannot read its first sector: %s", path, strerror(errno));
        free(r.win);
        return -1;
    }
    unsigned long long records = 0;
    if (zero) {
        new_epoch();
        write_pos = SECTOR;
        if (write_header() < 0 || fsync(log_fd) < 0) {
            snprintf(err, errsz, "log %s: cannot write its header: %s", path, strerror(errno));
            free(r.win);
            return -1;
        }
    } else if (memcmp(h, "UKVLOG01", 8) != 0 || get32(h + 24) != crc32_update(0, h, 24) ||
               get32(h + 8) != 1 || get32(h + 12) != SECTOR) {
        snprintf(err, errsz,
                 "log %s: not a kvstore log (no valid UKVLOG01 header in its first 512 bytes); "
                 "zero them to start an empty log",
                 path);
        free(r.win);
        return -1;
    } else {
        epoch = get64(h + 16);
        last_seq = 0;
        replay(&r, &records);
    }
    free(r.win);
    /* A file can lose its torn tail outright; a device keeps it, which the sessions make harmless. */
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > write_pos && ftruncate(log_fd, (off_t)write_pos) < 0) {
        snprintf(err, errsz, "log %s: cannot cut its torn tail: %s", path, strerror(errno));
        return -1;
    }
    last_seq = ((last_seq >> 32) + 1) << 32;
    last_sync = kv_now_ms();
    printf("kvstore: log %s: %llu records replayed, %zu keys, appendfsync %s\n", path, records, store_size(),
           pol == AOF_ALWAYS ? "always" : pol == AOF_EVERYSEC ? "everysec" : "no");
    return 0;
}

int aof_enabled(void)
{
    return log_fd >= 0;
}

int aof_has_room(size_t bytes)
{
    unsigned long long start = header_pending ? SECTOR : write_pos;
    return !capacity || start + align_up(pending.len + bytes + REC_HEAD) <= capacity;
}

void aof_begin(void)
{
    if (log_fd < 0)
        return;
    rec_start = pending.len;
    buf_reserve(&pending, REC_HEAD);
    pending.len += REC_HEAD;
}

static void put_bytes(const char *p, size_t n)
{
    unsigned char l[4];
    put32(l, (uint32_t)n);
    buf_append(&pending, l, 4);
    buf_append(&pending, p, n);
}

static void put_time(long long at)
{
    unsigned char t[8];
    put64(t, (uint64_t)at);
    buf_append(&pending, t, 8);
}

void aof_set(const char *k, size_t kn, const char *v, size_t vn, long long expire_at)
{
    if (log_fd < 0)
        return;
    buf_append(&pending, (const char[]){OP_SET}, 1);
    put_bytes(k, kn);
    put_bytes(v, vn);
    put_time(expire_at);
}

void aof_del(const char *k, size_t kn)
{
    if (log_fd < 0)
        return;
    buf_append(&pending, (const char[]){OP_DEL}, 1);
    put_bytes(k, kn);
}

void aof_expire(const char *k, size_t kn, long long expire_at)
{
    if (log_fd < 0)
        return;
    buf_append(&pending, (const char[]){OP_EXPIRE}, 1);
    put_bytes(k, kn);
    put_time(expire_at);
}

void aof_end(void)
{
    if (log_fd < 0)
        return;
    size_t n = pending.len - rec_start - REC_HEAD;
    if (n == 0) {
        pending.len = rec_start; /* the command changed nothing */
        return;
    }
    unsigned char *h = (unsigned char *)pending.data + rec_start;
    put32(h, REC_MAGIC);
    put32(h + 4, (uint32_t)n);
    put64(h + 8, ++last_seq);
    put32(h + 16, record_crc(h, h + REC_HEAD, n));
    put32(h + 20, 0);
}

void aof_flush(void)
{
    if (log_fd < 0)
        return;
    pending.len = 0;
    header_pending = 1;
    new_epoch();
    last_seq = 1ull << 32;
}

int aof_sync(int force, char *err, size_t errsz)
{
    if (log_fd < 0 || (pending.len == 0 && !header_pending))
        return 0;
    long long now = kv_now_ms();
    if (!force && policy != AOF_ALWAYS && now - last_sync < 1000 && pending.len < SYNC_BYTES)
        return 0;
    if (header_pending) {
        if (write_header() < 0) {
            snprintf(err, errsz, "log: header write failed: %s", strerror(errno));
            return -1;
        }
        write_pos = SECTOR;
        header_pending = 0;
    }
    size_t padded = (size_t)align_up(pending.len);
    buf_reserve(&pending, padded - pending.len);
    memset(pending.data + pending.len, 0, padded - pending.len);
    if (capacity && write_pos + padded > capacity) {
        snprintf(err, errsz, "log: the device is full (%llu bytes)", capacity);
        return -1;
    }
    if (pwrite_all(pending.data, padded, write_pos) < 0) {
        snprintf(err, errsz, "log: write at offset %llu failed: %s", write_pos, strerror(errno));
        return -1;
    }
    if ((policy != AOF_NO || force) && fsync(log_fd) < 0) {
        snprintf(err, errsz, "log: fsync failed: %s", strerror(errno));
        return -1;
    }
    write_pos += padded;
    pending.len = 0;
    last_sync = now;
    return 0;
}

unsigned long long aof_size(void)
{
    return write_pos - SECTOR;
}
