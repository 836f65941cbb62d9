/* commands.c: the commands kvstore answers, in one table: arity, whether they write, and their handlers. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kvstore.h"

typedef void handler(struct request *r, struct buf *out);

static int arg_is(const struct arg *a, const char *s)
{
    return a->n == strlen(s) && strncasecmp(a->p, s, a->n) == 0;
}

/* Parses the whole argument as a decimal long long, as Redis does: no spaces, no '+', no leading zeros. */
static int parse_ll(const char *p, size_t n, long long *out)
{
    if (n == 0 || n > 20 || (n > 1 && p[0] == '0') || (n > 1 && p[0] == '-' && p[1] == '0'))
        return -1;
    size_t i = p[0] == '-';
    if (i == n)
        return -1;
    unsigned long long x = 0, lim = p[0] == '-' ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        unsigned d = (unsigned)(p[i] - '0');
        if (x > (lim - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *out = p[0] == '-' ? (long long)(0 - x) : (long long)x;
    return 0;
}

static int arg_ll(struct buf *out, const struct arg *a, long long *v)
{
    if (parse_ll(a->p, a->n, v) == 0)
        return 0;
    reply_error(out, "ERR value is not an integer or out of range");
    return -1;
}

/* The absolute expiry (ms since the epoch) (amount) seconds or ms ((unit_ms)) from now; -1 when out of range. */
static long long expiry_from_now(long long amount, long long unit_ms)
{
    long long now = kv_now_ms();
    if (amount > (LLONG_MAX - now) / unit_ms || amount < -((LLONG_MAX - now) / unit_ms))
        return -1;
    long long at = now + amount * unit_ms;
    return at <= 0 ? 1 : at; /* 0 means "none" in the store */
}

static void cmd_ping(struct request *r, struct buf *out)
{
    if (r->argc > 2)
        reply_error(out, "ERR wrong number of arguments for 'ping' command");
    else if (r->argc == 2)
        reply_bulk(out, r->argv[1].p, r->argv[1].n);
    else
        reply_simple(out, "PONG");
}

static void cmd_echo(struct request *r, struct buf *out)
{
    reply_bulk(out, r->argv[1].p, r->argv[1].n);
}

static void cmd_get(struct request *r, struct buf *out)
{
    struct entry *e = store_get(r->argv[1].p, r->argv[1].n);
    if (e)
        reply_bulk(out, e->val, e->vlen);
    else
        reply_null(out);
}

static void cmd_set(struct request *r, struct buf *out)
{
    int nx = 0, xx = 0, keepttl = 0, has_expiry = 0;
    long long at = 0;
    for (int i = 3; i < r->argc; i++) {
        struct arg *a = &r->argv[i];
        long long unit = arg_is(a, "EX") ? 1000 : arg_is(a, "PX") ? 1 : 0;
        if (unit && i + 1 < r->argc && !has_expiry && !keepttl) {
            long long v;
            if (arg_ll(out, &r->argv[++i], &v) < 0)
                return;
            if (v <= 0 || (at = expiry_from_now(v, unit)) < 0) {
                reply_error(out, "ERR invalid expire time in 'set' command");
                return;
            }
            has_expiry = 1;
        } else if (arg_is(a, "NX") && !xx) {
            nx = 1;
        } else if (arg_is(a, "XX") && !nx) {
            xx = 1;
        } else if (arg_is(a, "KEEPTTL") && !has_expiry) {
            keepttl = 1;
        } else {
            reply_error(out, "ERR syntax error");
            return;
        }
    }
    struct arg *k = &r->argv[1], *v = &r->argv[2];
    struct entry *e = store_get(k->p, k->n);
    if ((nx && e) || (xx && !e)) {
        reply_null(out);
        return;
    }
    if (keepttl && e)
        at = e->expire_at;
    store_set(k->p, k->n, v->p, v->n, at);
    aof_set(k->p, k->n, v->p, v->n, at);
    reply_simple(out, "OK");
}

static void cmd_del(struct request *r, struct buf *out)
{
    long long n = 0;
    for (int i = 1; i < r->argc; i++)
        if (store_del(r->argv[i].p, r->argv[i].n)) {
            aof_del(r->argv[i].p, r->argv[i].n);
            n++;
        }
    reply_int(out, n);
}

static void cmd_exists(struct request *r, struct buf *out)
{
    long long n = 0;
    for (int i = 1; i < r->argc; i++)
        n += store_get(r->argv[i].p, r->argv[i].n) != NULL;
    reply_int(out, n);
}

/* INCR, INCRBY, DECR, DECRBY: adds (delta) to the integer at the key, keeping its expiry. */
static void incr_by(struct request *r, struct buf *out, long long delta)
{
    struct arg *k = &r->argv[1];
    struct entry *e = store_get(k->p, k->n);
    long long v = 0;
    if (e && parse_ll(e->val, e->vlen, &v) < 0) {
        reply_error(out, "ERR value is not an integer or out of range");
        return;
    }
    if ((delta > 0 && v > LLONG_MAX - delta) || (delta < 0 && v < LLONG_MIN - delta)) {
        reply_error(out, "ERR increment or decrement would overflow");
        return;
    }
    v += delta;
    char text[24];
    int n = snprintf(text, sizeof(text), "%lld", v);
    long long at = e ? e->expire_at : 0;
    store_set(k->p, k->n, text, (size_t)n, at);
    aof_set(k->p, k->n, text, (size_t)n, at);
    reply_int(out, v);
}

static void cmd_incr(struct request *r, struct buf *out)
{
    incr_by(r, out, 1);
}

static void cmd_decr(struct request *r, struct buf *out)
{
    incr_by(r, out, -1);
}

static void cmd_incrby(struct request *r, struct buf *out)
{
    long long d;
    if (arg_ll(out, &r->argv[2], &d) == 0)
        incr_by(r, out, d);
}

static void cmd_decrby(struct request *r, struct buf *out)
{
    long long d;
    if (arg_ll(out, &r->argv[2], &d) < 0)
        return;
    if (d == LLONG_MIN)
        reply_error(out, "ERR decrement would overflow");
    else
        incr_by(r, out, -d);
}

static void cmd_mget(struct request *r, struct buf *out)
{
    reply_array(out, r->argc - 1);
    for (int i = 1; i < r->argc; i++) {
        struct entry *e = store_get(r->argv[i].p, r->argv[i].n);
        if (e)
            reply_bulk(out, e->val, e->vlen);
        else
            reply_null(out);
    }
}

static void cmd_mset(struct request *r, struct buf *out)
{
    if (r->argc % 2 == 0) {
        reply_error(out, "ERR wrong number of arguments for 'mset' command");
        return;
    }
    for (int i = 1; i < r->argc; i += 2) {
        struct arg *k = &r->argv[i], *v = &r->argv[i + 1];
        store_set(k->p, k->n, v->p, v->n, 0);
        aof_set(k->p, k->n, v->p, v->n, 0);
    }
    reply_simple(out, "OK");
}

/* EXPIRE and PEXPIRE: (unit_ms) per unit of the argument. */
static void expire_in(struct request *r, struct buf *out, long long unit_ms, const char *name)
{
    struct arg *k = &r->argv[1];
    long long v, at;
    if (arg_ll(out, &r->argv[2], &v) < 0)
        return;
    if ((at = expiry_from_now(v, unit_ms)) < 0) {
        reply_error(out, "ERR invalid expire time in '%s' command", name);
        return;
    }
    struct entry *e = store_get(k->p, k->n);
    if (e == NULL) {
        reply_int(out, 0);
        return;
    }
    if (at <= kv_now_ms()) {
        store_del(k->p, k->n);
        aof_del(k->p, k->n);
    } else {
        store_set_expiry(e, at);
        aof_expire(k->p, k->n, at);
    }
    reply_int(out, 1);
}

static void cmd_expire(struct request *r, struct buf *out)
{
    expire_in(r, out, 1000, "expire");
}

static void cmd_pexpire(struct request *r, struct buf *out)
{
    expire_in(r, out, 1, "pexpire");
}

/* TTL and PTTL: -2 without the key, -1 without an expiry. */
static void ttl_in(struct request *r, struct buf *out, long long unit_ms)
{
    struct entry *e = store_get(r->argv[1].p, r->argv[1].n);
    if (e == NULL)
        reply_int(out, -2);
    else if (e->expire_at == 0)
        reply_int(out, -1);
    else
        reply_int(out, (e->expire_at - kv_now_ms() + unit_ms / 2) / unit_ms);
}

static void cmd_ttl(struct request *r, struct buf *out)
{
    ttl_in(r, out, 1000);
}

static void cmd_pttl(struct request *r, struct buf *out)
{
    ttl_in(r, out, 1);
}

static void cmd_persist(struct request *r, struct buf *out)
{
    struct arg *k = &r->argv[1];
    struct entry *e = store_get(k->p, k->n);
    if (e == NULL || e->expire_at == 0) {
        reply_int(out, 0);
        return;
    }
    store_set_expiry(e, 0);
    aof_expire(k->p, k->n, 0);
    reply_int(out, 1);
}

struct keys_walk {
    const struct arg *pattern;
    struct buf replies;
    long long n;
};

static void keys_one(struct entry *e, void *ctx)
{
    struct keys_walk *w = ctx;
    if (glob_match(w->pattern->p, w->pattern->n, e->key, e->klen)) {
        reply_bulk(&w->replies, e->key, e->klen);
        w->n++;
    }
}

static void cmd_keys(struct request *r, struct buf *out)
{
    struct keys_walk w = {.pattern = &r->argv[1]};
    store_each(keys_one, &w);
    reply_array(out, w.n);
    buf_append(out, w.replies.data, w.replies.len);
    buf_free(&w.replies);
}

static void cmd_dbsize(struct request *r, struct buf *out)
{
    (void)r;
    reply_int(out, (long long)store_size());
}

static void cmd_flushall(struct request *r, struct buf *out)
{
    if (r->argc > 2 || (r->argc == 2 && !arg_is(&r->argv[1], "SYNC") && !arg_is(&r->argv[1], "ASYNC"))) {
        reply_error(out, "ERR syntax error");
        return;
    }
    store_flush();
    aof_flush();
    reply_simple(out, "OK");
}

static void cmd_info(struct request *r, struct buf *out)
{
    (void)r;
    char text[512];
    int n = snprintf(text, sizeof(text),
                     "# Server\r\nredis_version:7.0.0\r\nkvstore_version:1\r\nredis_mode:standalone\r\n"
                     "\r\n# Clients\r\nconnected_clients:%d\r\n"
                     "\r\n# Persistence\r\naof_enabled:%d\r\naof_current_size:%llu\r\n"
                     "\r\n# Keyspace\r\ndb0:keys=%zu,expires=%zu,avg_ttl=0\r\n",
                     server_clients(), aof_enabled(), aof_size(), store_size(), store_expiring());
    reply_bulk(out, text, (size_t)n);
}

static void cmd_select(struct request *r, struct buf *out)
{
    if (arg_is(&r->argv[1], "0"))
        reply_simple(out, "OK");
    else
        reply_error(out, "ERR DB index is out of range");
}

/* CONFIG GET: what clients such as redis-benchmark ask for at start; nothing can be set. */
static void cmd_config(struct request *r, struct buf *out)
{
    if (!arg_is(&r->argv[1], "GET") || r->argc != 3) {
        reply_error(out, "ERR CONFIG %s is not supported by kvstore", arg_is(&r->argv[1], "GET") ? "GET with these arguments" : "other than GET");
        return;
    }
    const char *params[][2] = {
        {"save", ""}, {"appendonly", aof_enabled() ? "yes" : "no"}, {"databases", "1"}, {"maxmemory", "0"},
    };
    char pat[128];
    size_t pn = r->argv[2].n < sizeof(pat) ? r->argv[2].n : sizeof(pat);
    for (size_t i = 0; i < pn; i++)
        pat[i] = (char)(r->argv[2].p[i] >= 'A' && r->argv[2].p[i] <= 'Z' ? r->argv[2].p[i] + 32 : r->argv[2].p[i]);
    struct buf items = {0};
    long long n = 0;
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
        if (glob_match(pat, pn, params[i][0], strlen(params[i][0]))) {
            reply_bulk(&items, params[i][0], strlen(params[i][0]));
            reply_bulk(&items, params[i][1], strlen(params[i][1]));
            n += 2;
        }
    reply_array(out, n);
    buf_append(out, items.data, items.len);
    buf_free(&items);
}

static void cmd_command(struct request *r, struct buf *out)
{
    (void)r;
    reply_array(out, 0); /* no command docs: clients fall back to their own */
}

static void cmd_quit(struct request *r, struct buf *out)
{
    (void)r;
    reply_simple(out, "OK");
}

static const struct command {
    const char *name;
    int arity; /* argc with the name; -N: at least N */
    int writes;
    handler *run;
} commands[] = {
    {"get", 2, 0, cmd_get},         {"set", -3, 1, cmd_set},         {"ping", -1, 0, cmd_ping},
    {"echo", 2, 0, cmd_echo},       {"del", -2, 1, cmd_del},         {"exists", -2, 0, cmd_exists},
    {"incr", 2, 1, cmd_incr},       {"incrby", 3, 1, cmd_incrby},    {"decr", 2, 1, cmd_decr},
    {"decrby", 3, 1, cmd_decrby},   {"mget", -2, 0, cmd_mget},       {"mset", -3, 1, cmd_mset},
    {"expire", 3, 1, cmd_expire},   {"pexpire", 3, 1, cmd_pexpire},  {"ttl", 2, 0, cmd_ttl},
    {"pttl", 2, 0, cmd_pttl},       {"persist", 2, 1, cmd_persist},  {"keys", 2, 0, cmd_keys},
    {"dbsize", 1, 0, cmd_dbsize},   {"flushall", -1, 0, cmd_flushall}, {"flushdb", -1, 0, cmd_flushall},
    {"info", -1, 0, cmd_info},      {"select", 2, 0, cmd_select},    {"config", -2, 0, cmd_config},
    {"command", -1, 0, cmd_command}, {"quit", -1, 0, cmd_quit},
};

int command_run(struct request *r, struct buf *out)
{
    struct arg *name = &r->argv[0];
    const struct command *c = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]) && !c; i++)
        if (arg_is(name, commands[i].name))
            c = &commands[i];
    if (c == NULL) {
        reply_error(out, "ERR unknown command '%.*s'", name->n > 64 ? 64 : (int)name->n, name->p);
        return 0;
    }
    if ((c->arity > 0 && r->argc != c->arity) || (c->arity < 0 && r->argc < -c->arity)) {
        reply_error(out, "ERR wrong number of arguments for '%s' command", c->name);
        return 0;
    }
    if (c->writes) {
        size_t bytes = 0;
        for (int i = 1; i < r->argc; i++)
            bytes += r->argv[i].n + 16;
        if (!aof_has_room(bytes)) {
            reply_error(out, "ERR the log device is full; writes are refused");
            return 0;
        }
        aof_begin();
    }
    c->run(r, out);
    if (c->writes)
        aof_end();
    return c->run == cmd_quit;
}
