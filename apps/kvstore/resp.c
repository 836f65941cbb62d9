/* resp.c: the Redis protocol (RESP2): growable buffers, request parsing (arrays and inline), reply encoding. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvstore.h"

void buf_reserve(struct buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < more)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (p == NULL) {
        fprintf(stderr, "kvstore: out of memory (buffer of %zu bytes)\n", cap);
        exit(1);
    }
    b->data = p;
    b->cap = cap;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void buf_consume(struct buf *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void push_arg(struct request *req, char *p, size_t n)
{
    if (req->argc == req->cap) {
        int cap = req->cap ? req->cap * 2 : 16;
        struct arg *a = realloc(req->argv, (size_t)cap * sizeof(*a));
        if (a == NULL) {
            fprintf(stderr, "kvstore: out of memory (%d arguments)\n", cap);
            exit(1);
        }
        req->argv = a;
        req->cap = cap;
    }
    req->argv[req->argc].p = p;
    req->argv[req->argc].n = n;
    req->argc++;
}

/*
 * Reads the decimal number in the CRLF-terminated line at (p) (after its type
 * byte) into (*v). Returns the bytes up to and past the CRLF, 0 when the line
 * is incomplete, -1 when it is not a number.
 */
static long parse_number_line(const char *p, size_t len, long long *v)
{
    const char *nl = memchr(p, '\r', len);
    if (nl == NULL)
        return len > KV_MAX_INLINE ? -1 : 0;
    if ((size_t)(nl - p) + 1 >= len)
        return 0;
    if (nl[1] != '\n')
        return -1;
    const char *q = p + 1;
    int neg = 0;
    if (q < nl && *q == '-') {
        neg = 1;
        q++;
    }
    if (q == nl || nl - q > 12)
        return -1;
    long long x = 0;
    for (; q < nl; q++) {
        if (*q < '0' || *q > '9')
            return -1;
        x = x * 10 + (*q - '0');
    }
    *v = neg ? -x : x;
    return (long)(nl - p) + 2;
}

static long parse_array(char *buf, size_t len, struct request *req, const char **err)
{
    long long count;
    long off = parse_number_line(buf, len, &count);
    if (off <= 0) {
        *err = "Protocol error: invalid multibulk length";
        return off;
    }
    if (count > KV_MAX_ARGS) {
        *err = "Protocol error: invalid multibulk length";
        return -1;
    }
    for (long long i = 0; i < count; i++) {
        if ((size_t)off >= len)
            return 0;
        if (buf[off] != '$') {
            *err = "Protocol error: expected '$'";
            return -1;
        }
        long long n;
        long h = parse_number_line(buf + off, len - (size_t)off, &n);
        if (h < 0 || n < 0 || n > KV_MAX_BULK) {
            *err = "Protocol error: invalid bulk length";
            return -1;
        }
        if (h == 0)
            return 0;
        size_t start = (size_t)off + (size_t)h;
        if (start + (size_t)n + 2 > len)
            return 0;
        if (buf[start + (size_t)n] != '\r' || buf[start + (size_t)n + 1] != '\n') {
            *err = "Protocol error: bulk string not followed by CRLF";
            return -1;
        }
        push_arg(req, buf + start, (size_t)n);
        off = (long)(start + (size_t)n + 2);
    }
    return off;
}

/*
 * Splits the line (p, n) into arguments like redis-cli quotes them: plain
 * words, "double quoted" with \n \r \t \b \a \\ \" \xHH, 'single quoted' with \'.
 * Unquotes in place. Returns -1 on unbalanced quotes.
 */
static int split_inline(char *p, size_t n, struct request *req)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i == n)
            break;
        char *w = p + i, *o = w;
        char q = 0;
        if (p[i] == '"' || p[i] == '\'')
            q = p[i++];
        for (;;) {
            if (i == n) {
                if (q)
                    return -1;
                break;
            }
            char c = p[i];
            if (!q && (c == ' ' || c == '\t'))
                break;
            if (q && c == q) {
                i++;
                if (i < n && p[i] != ' ' && p[i] != '\t')
                    return -1; /* a closing quote must end the word */
                break;
            }
            if (q == '"' && c == '\\' && i + 1 < n) {
                char e = p[i + 1];
                i += 2;
                if (e == 'x' && i + 1 < n && isxdigit((unsigned char)p[i]) && isxdigit((unsigned char)p[i + 1])) {
                    char hex[3] = {p[i], p[i + 1], '\0'};
                    *o++ = (char)strtol(hex, NULL, 16);
                    i += 2;
                    continue;
                }
                *o++ = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e == 'b' ? '\b' : e == 'a' ? '\a' : e;
                continue;
            }
            if (q == '\'' && c == '\\' && i + 1 < n && p[i + 1] == '\'') {
                *o++ = '\'';
                i += 2;
                continue;
            }
            *o++ = c;
            i++;
        }
        push_arg(req, w, (size_t)(o - w));
    }
    return 0;
}

long resp_parse(char *buf, size_t len, struct request *req, const char **err)
{
    req->argc = 0;
    if (len == 0)
        return 0;
    if (buf[0] == '*')
        return parse_array(buf, len, req, err);
    char *nl = memchr(buf, '\n', len);
    if (nl == NULL) {
        *err = "Protocol error: too big inline request";
        return len > KV_MAX_INLINE ? -1 : 0;
    }
    size_t n = (size_t)(nl - buf);
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (split_inline(buf, n, req) < 0) {
        *err = "Protocol error: unbalanced quotes in request";
        return -1;
    }
    return (long)(nl - buf) + 1;
}

void reply_simple(struct buf *out, const char *s)
{
    buf_append(out, "+", 1);
    buf_append(out, s, strlen(s));
    buf_append(out, "\r\n", 2);
}

void reply_error(struct buf *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    for (int i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20)
            line[i] = ' ';
    buf_append(out, "-", 1);
    buf_append(out, line, (size_t)n);
    buf_append(out, "\r\n", 2);
}

static void reply_prefixed(struct buf *out, char type, long long v)
{
    char line[32];
    int n = snprintf(line, sizeof(line), "%c%lld\r\n", type, v);
    buf_append(out, line, (size_t)n);
}

void reply_int(struct buf *out, long long v)
{
    reply_prefixed(out, ':', v);
}

void reply_bulk(struct buf *out, const char *p, size_t n)
{
    reply_prefixed(out, '$', (long long)n);
    buf_append(out, p, n);
    buf_append(out, "\r\n", 2);
}

void reply_null(struct buf *out)
{
    buf_append(out, "$-1\r\n", 5);
}

void reply_array(struct buf *out, long long n)
{
    reply_prefixed(out, '*', n);
}
