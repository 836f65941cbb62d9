/* kvstore.h: what kvstore's files offer each other, grouped by file. */
#ifndef KVSTORE_H
#define KVSTORE_H

#include <stddef.h>
#include <stdint.h>

#define KV_MAX_BULK   (64u << 20) /* one argument */
#define KV_MAX_ARGS   (1 << 20)   /* arguments of one command */
#define KV_MAX_INLINE (64 << 10)  /* an inline command line, or a RESP header line */

// resp.c
struct buf {
    char *data;
    size_t len, cap;
};
struct arg {
    char *p; /* inside the input buffer */
    size_t n;
};
struct request {
    struct arg *argv;
    int argc, cap;
};

/* Makes room for (more) bytes after (b->len); exits when memory is out. */
void buf_reserve(struct buf *b, size_t more);
void buf_append(struct buf *b, const void *p, size_t n);
/* Drops the first (n) bytes. */
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

/*
 * Parses one command (RESP array of bulk strings, or an inline line) at the
 * start of (buf, len) into (*req); its arguments point into (buf), which an
 * inline command's unquoting rewrites. Returns the bytes it took (argc may be
 * 0 for an empty line), 0 when more are needed, or -1 with (*err) set to a
 * protocol error.
 */
long resp_parse(char *buf, size_t len, struct request *req, const char **err);

void reply_simple(struct buf *out, const char *s);
/* An error line; control bytes in it become spaces. */
void reply_error(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(struct buf *out, long long v);
void reply_bulk(struct buf *out, const char *p, size_t n);
void reply_null(struct buf *out);
void reply_array(struct buf *out, long long n);

// glob.c
/* True when (s, sn) matches the Redis-style glob (pat, pn): * ? [set] [^set] [a-z] and \ escapes. */
int glob_match(const char *pat, size_t pn, const char *s, size_t sn);

// store.c
struct entry {
    struct entry *next;
    uint64_t hash;
    long long expire_at; /* ms since the epoch, 0 for none */
    char *val;
    size_t vlen, klen;
    char key[];
};

/* Milliseconds since the epoch (absolute, since they go into the log). */
long long kv_now_ms(void);
/* The live entry for the key (k, kn), or NULL; an expired one is removed first. */
struct entry *store_get(const char *k, size_t kn);
/* Sets the key's value and expiry (expire_at, 0 for none). */
void store_set(const char *k, size_t kn, const char *v, size_t vn, long long expire_at);
/* Removes the key; returns 1 when it was there (and live). */
int store_del(const char *k, size_t kn);
/* Changes a live entry's expiry (expire_at, 0 for none). */
void store_set_expiry(struct entry *e, long long expire_at);
void store_flush(void);
size_t store_size(void);
size_t store_expiring(void);
/* Removes some expired keys (a bounded amount of work). */
void store_expire_some(void);
/* Calls (fn) on every live entry. */
void store_each(void (*fn)(struct entry *e, void *ctx), void *ctx);

// aof.c
enum aof_fsync { AOF_ALWAYS, AOF_EVERYSEC, AOF_NO };

/*
 * Opens the log at (path) — a regular file (created when missing) or a raw
 * block device — and replays it into the store. Returns 0, or -1 with a
 * message in (err).
 */
int aof_open(const char *path, enum aof_fsync policy, char *err, size_t errsz);
int aof_enabled(void);
/* False when a record of about (bytes) would not fit on the log's device. */
int aof_has_room(size_t bytes);
/* One command's effects form one record: begin, ops, end. */
void aof_begin(void);
void aof_set(const char *k, size_t kn, const char *v, size_t vn, long long expire_at);
void aof_del(const char *k, size_t kn);
void aof_expire(const char *k, size_t kn, long long expire_at);
/* FLUSHALL: the log starts again, empty, under a new epoch. */
void aof_flush(void);
void aof_end(void);
/*
 * Writes the pending records (and fsyncs) as the policy says; with (force) or
 * AOF_ALWAYS, now. Returns 0, or -1 with a message in (err): the caller must
 * then not acknowledge them.
 */
int aof_sync(int force, char *err, size_t errsz);
/* Bytes in the log after the header. */
unsigned long long aof_size(void);

// commands.c
/* Runs the command (req) and appends its reply to (out). Returns 1 when the client is to be closed (QUIT). */
int command_run(struct request *req, struct buf *out);

// server.c
/* Serves clients on the listening socket (listen_fd); returns 1 on a fatal error. */
int server_run(int listen_fd);
int server_clients(void);

#endif /* KVSTORE_H */
