/* tarfs.c: mounting disk 0 — ustar, GNU and pax headers read and checked into the tree; reading file data. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libos.h"
#include "tarfs.h"

#define BLOCK 512
#define META_MAX (1024 * 1024) /* the most data a GNU long name or a pax header may have */

/* One 512-byte header as POSIX.1-1988 (ustar) lays it out; GNU tar reuses the prefix field. */
struct tar_header {
    char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8];
    char type, linkname[100], magic[6], version[2], uname[32], gname[32];
    char devmajor[8], devminor[8], prefix[155], pad[12];
};
_Static_assert(sizeof(struct tar_header) == BLOCK, "a tar header is one block");

/* What the meta entries before a real one ('L', 'K', 'x') said about it. */
struct pending {
    char *name, *link;
    uint64_t size;
    int64_t mtime;
    int has_size, has_mtime;
};

static int mounted_disk = -1;

static void say(int disk, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "unikit: disk %d (/dev/vd%c) ", disk, 'a' + disk);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* An octal field (spaces before, a space or NUL after) or GNU's base-256; -1 if neither. */
static int parse_number(const char *field, size_t n, uint64_t *out)
{
    const unsigned char *f = (const unsigned char *)field;
    uint64_t v = 0;
    if (f[0] & 0x80) {
        if (f[0] != 0x80)
            return -1; /* negative, or more than 64 bits */
        for (size_t i = 1; i < n; i++) {
            if (v >> 56)
                return -1;
            v = v << 8 | f[i];
        }
        *out = v;
        return 0;
    }
    size_t i = 0;
    while (i < n && f[i] == ' ')
        i++;
    for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
        if (v >> 61)
            return -1;
        v = v * 8 + (f[i] - '0');
    }
    if (i < n && f[i] != ' ' && f[i] != '\0')
        return -1;
    *out = v;
    return 0;
}

/* The checksum is the sum of the header's bytes with its own field as spaces (some old tars summed signed chars). */
static int checksum_ok(const struct tar_header *h)
{
    const unsigned char *b = (const unsigned char *)h;
    uint64_t want;
    uint64_t sum = 0;
    int64_t ssum = 0;
    if (parse_number(h->chksum, sizeof h->chksum, &want) < 0)
        return 0;
    for (size_t i = 0; i < BLOCK; i++) {
        int inside = i >= offsetof(struct tar_header, chksum) && i < offsetof(struct tar_header, type);
        unsigned char c = inside ? ' ' : b[i];
        sum += c;
        ssum += (signed char)c;
    }
    return want == sum || (int64_t)want == ssum;
}

static int all_zero(const void *buf, size_t len)
{
    const unsigned char *b = buf;
    for (size_t i = 0; i < len; i++)
        if (b[i])
            return 0;
    return 1;
}

/* A NUL-terminated copy of a field that may fill its whole width. */
static char *field_dup(const char *f, size_t n)
{
    size_t len = strnlen(f, n);
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, f, len);
        s[len] = '\0';
    }
    return s;
}

/* Reads an entry's data (a long name or a pax header) as one NUL-terminated string. */
static char *read_meta(int disk, uint64_t offset, uint64_t size)
{
    char *s = size <= META_MAX ? malloc(size + 1) : NULL;
    if (s && blkcache_read(disk, offset, s, (size_t)size) < 0) {
        free(s);
        return NULL;
    }
    if (s)
        s[size] = '\0';
    return s;
}

/* pax records: "LEN key=value\n", LEN counting the whole record. */
static int parse_pax(char *d, size_t n, struct pending *p)
{
    size_t i = 0;
    while (i < n && d[i]) {
        size_t len = 0, j = i;
        while (j < n && d[j] >= '0' && d[j] <= '9' && len < n)
            len = len * 10 + (size_t)(d[j++] - '0');
        if (j == i || j >= n || d[j] != ' ' || len > n - i || len < j - i + 3 || d[i + len - 1] != '\n')
            return -1;
        d[i + len - 1] = '\0';
        char *key = d + j + 1, *eq = strchr(key, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        char *val = eq + 1;
        if (strcmp(key, "path") == 0) {
            free(p->name);
            p->name = strdup(val);
        } else if (strcmp(key, "linkpath") == 0) {
            free(p->link);
            p->link = strdup(val);
        } else if (strcmp(key, "size") == 0) {
            p->size = strtoull(val, NULL, 10);
            p->has_size = 1;
        } else if (strcmp(key, "mtime") == 0) {
            p->mtime = strtoll(val, NULL, 10);
            p->has_mtime = 1;
        }
        i += len;
    }
    return 0;
}

static void pending_clear(struct pending *p)
{
    free(p->name);
    free(p->link);
    *p = (struct pending){0};
}

/* The entry's full name: GNU's long name, pax's path, or ustar's prefix "/" name. */
static char *entry_name(const struct tar_header *h, struct pending *p)
{
    if (p->name) {
        char *s = p->name;
        p->name = NULL;
        return s;
    }
    int posix = memcmp(h->magic, "ustar", 6) == 0; /* GNU's magic is "ustar " */
    if (!posix || !h->prefix[0])
        return field_dup(h->name, sizeof h->name);
    size_t plen = strnlen(h->prefix, sizeof h->prefix), nlen = strnlen(h->name, sizeof h->name);
    char *s = malloc(plen + nlen + 2);
    if (s) {
        memcpy(s, h->prefix, plen);
        s[plen] = '/';
        memcpy(s + plen + 1, h->name, nlen);
        s[plen + 1 + nlen] = '\0';
    }
    return s;
}

/* Makes the node for one real entry; returns 0, or -1 for an entry that is skipped. */
static int add_entry(int disk, const struct tar_header *h, struct pending *p, const char *name,
                     uint64_t data, uint64_t size)
{
    uint64_t mode = 0, mtime = 0, uid = 0, gid = 0;
    parse_number(h->mode, sizeof h->mode, &mode);
    parse_number(h->mtime, sizeof h->mtime, &mtime);
    parse_number(h->uid, sizeof h->uid, &uid);
    parse_number(h->gid, sizeof h->gid, &gid);
    char *link = p->link ? p->link : field_dup(h->linkname, sizeof h->linkname);
    p->link = NULL;
    enum tar_kind kind;
    const struct tar_node *target = NULL;
    size_t nlen = strlen(name);
    int r = -1;
    switch (h->type) {
    case '0': case '\0': case '7':
        kind = nlen && name[nlen - 1] == '/' ? TAR_DIR : TAR_FILE; /* old tars mark directories so */
        break;
    case '5':
        kind = TAR_DIR;
        break;
    case '2':
        kind = TAR_SYMLINK;
        break;
    case '1':
        if (!link || tarfs_lookup(link, 0, &target) < 0 || target->kind != TAR_FILE) {
            say(disk, "skips hard link `%s`: its target `%s` is not a file before it", name, link ? link : "");
            goto out;
        }
        kind = TAR_FILE;
        data = target->offset;
        size = target->size;
        break;
    case '3': case '4': case '6': case 'V': case 'M': case 'N':
        goto out; /* devices, fifos, volume labels: nothing to read */
    case 'S':
        say(disk, "skips `%s`: GNU sparse files are not supported", name);
        goto out;
    default:
        kind = TAR_FILE; /* POSIX: an unknown type reads as a regular file */
    }
    struct tar_node *n = tarfs_add(name, kind);
    if (!n || (n == tarfs_root() && kind != TAR_DIR)) {
        say(disk, "skips `%s`: not a name under /", name);
        goto out;
    }
    n->mode = (mode_t)(mode & 07777);
    n->mtime = (time_t)(p->has_mtime ? (uint64_t)p->mtime : mtime);
    n->uid = (uid_t)uid;
    n->gid = (gid_t)gid;
    n->offset = kind == TAR_FILE ? data : 0;
    n->size = kind == TAR_FILE ? size : 0;
    if (kind == TAR_SYMLINK) {
        n->link = link;
        n->size = strlen(link ? link : "");
        link = NULL;
    }
    r = 0;
out:
    free(link);
    return r;
}

/* Formats why the mount failed; the text lives until the next call. */
static const char *because(const char *fmt, ...)
{
    static char reason[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return reason;
}

/* Reads the headers into the tree; NULL, or why the archive is refused. (*p) is the caller's to clear. */
static const char *index_archive(int disk, uint64_t capacity, struct pending *p)
{
    struct tar_header h;
    const char *why = NULL;
    uint64_t off = 0, size;

    for (; !why && off + BLOCK <= capacity; off += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK) {
        unsigned long long at = off;
        if (blkcache_read(disk, off, &h, BLOCK) < 0)
            return because("cannot read the header at byte %llu", at);
        if (all_zero(&h, BLOCK))
            break; /* the end-of-archive marker */
        if (!checksum_ok(&h) || memcmp(h.magic, "ustar", 5) != 0)
            return because(at ? "the header at byte %llu has a bad checksum"
                              : "no tar header at byte %llu (bad checksum or magic)", at);
        if (parse_number(h.size, sizeof h.size, &size) < 0)
            return because("the header at byte %llu has a bad size", at);
        int meta = strchr("LKxg", h.type) && h.type;
        if (!meta && p->has_size)
            size = p->size;
        uint64_t data = off + BLOCK;
        if (size > capacity - data)
            return because("truncated: the entry at byte %llu has %llu bytes of data, the disk ends at byte %llu",
                           at, (unsigned long long)size, (unsigned long long)capacity);
        if (h.type == 'L' || h.type == 'K' || h.type == 'x') {
            char *text = read_meta(disk, data, size);
            if (!text)
                return because("cannot read the %llu-byte '%c' entry at byte %llu", (unsigned long long)size,
                               h.type, at);
            char **slot = h.type == 'L' ? &p->name : &p->link;
            if (h.type == 'x') {
                if (parse_pax(text, (size_t)size, p) < 0)
                    why = because("the pax header at byte %llu is malformed", at);
                free(text);
            } else {
                free(*slot);
                *slot = text;
            }
        } else if (!meta) {
            char *name = entry_name(&h, p);
            if (!name)
                why = "out of memory";
            else
                add_entry(disk, &h, p, name, data, size);
            free(name);
            pending_clear(p);
        }
    }
    if (!why && (p->name || p->link || p->has_size || p->has_mtime))
        why = "truncated: it ends after a long-name or pax entry";
    return why;
}

int tarfs_mount(int disk)
{
    struct uk_block_info info;
    if (uk_block_info(disk, &info) != UK_OK || info.capacity == 0) {
        say(disk, "is not a tar archive: the disk is empty (0 bytes); / is empty");
        return -1;
    }
    struct pending p = {0};
    const char *why = index_archive(disk, info.capacity, &p);
    pending_clear(&p);
    if (why) {
        say(disk, "is not a tar archive: %s; / is empty", why);
        struct tar_node *root = tarfs_root();
        root->first_child = root->last_child = NULL; /* what was indexed is dropped (not freed) */
        return -1;
    }
    mounted_disk = disk;
    return 0;
}

ssize_t tarfs_read(const struct tar_node *node, void *buf, size_t len, uint64_t offset)
{
    if (node->kind != TAR_FILE || offset >= node->size)
        return 0;
    if (len > node->size - offset)
        len = (size_t)(node->size - offset);
    if (len && blkcache_read(mounted_disk, node->offset + offset, buf, len) < 0)
        return libos_fail(EIO);
    return (ssize_t)len;
}
