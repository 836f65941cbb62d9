/* http_parse.c: parses an HTTP/1.x request head (request line and header fields) in place, with limits. */
#include <string.h>
#include <strings.h>

#include "httpd.h"

/* RFC 9110 token characters: what a method and a field name are made of. */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* The end of the line starting at (p): the '\n', or NULL when (end) comes first. */
static const char *line_end(const char *p, const char *end)
{
    return memchr(p, '\n', (size_t)(end - p));
}

/* Length of the line [p, nl) without its optional '\r'. */
static size_t line_len(const char *p, const char *nl)
{
    size_t n = (size_t)(nl - p);
    return (n > 0 && p[n - 1] == '\r') ? n - 1 : n;
}

/* True when the comma-separated list (v, n) holds the token (tok), case-insensitively. */
static int has_token(const char *v, size_t n, const char *tok)
{
    size_t tl = strlen(tok);
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(v + s, tok, tl) == 0)
            return 1;
    }
    return 0;
}

/* Parses "METHOD SP target SP HTTP/1.x" (p, n). Returns 0 or a status. */
static int parse_request_line(const char *p, size_t n, struct http_request *req)
{
    const char *end = p + n;
    const char *sp = memchr(p, ' ', n);
    if (sp == NULL || sp == p)
        return 400;
    for (const char *q = p; q < sp; q++)
        if (!is_tchar((unsigned char)*q))
            return 400;
    size_t mlen = (size_t)(sp - p);
    if (mlen == 3 && memcmp(p, "GET", 3) == 0)
        req->method = HTTP_GET;
    else if (mlen == 4 && memcmp(p, "HEAD", 4) == 0)
        req->method = HTTP_HEAD;
    else
        req->method = HTTP_OTHER;

    const char *t = sp + 1;
    const char *sp2 = memchr(t, ' ', (size_t)(end - t));
    if (sp2 == NULL || sp2 == t)
        return 400;
    for (const char *q = t; q < sp2; q++)
        if ((unsigned char)*q <= 0x20 || (unsigned char)*q == 0x7f)
            return 400;
    req->target = t;
    req->target_len = (size_t)(sp2 - t);

    const char *v = sp2 + 1;
    size_t vlen = (size_t)(end - v);
    if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
        v[7] < '0' || v[7] > '9')
        return 400;
    if (v[5] != '1')
        return 505;
    req->minor = v[7] - '0';
    return 0;
}

/* Parses the Content-Length value (v, n) into (*out). Returns 0 or 400. */
static int parse_length(const char *v, size_t n, size_t *out)
{
    size_t x = 0;
    if (n == 0)
        return 400;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 400;
        if (x > (size_t)HTTP_MAX_BODY * 16)
            return 413;
        x = x * 10 + (size_t)(v[i] - '0');
    }
    *out = x;
    return 0;
}

int http_parse(const char *buf, size_t len, struct http_request *req)
{
    const char *p = buf, *end = buf + len;
    memset(req, 0, sizeof(*req));

    /* RFC 9112 2.2: empty lines before the request line are ignored. */
    while (p < end && (*p == '\r' || *p == '\n'))
        p++;
    const char *nl = line_end(p, end);
    if (nl == NULL)
        return (size_t)(end - p) > HTTP_MAX_LINE ? 414 : (len >= HTTP_MAX_HEAD ? 431 : -1);
    size_t n = line_len(p, nl);
    if (n > HTTP_MAX_LINE)
        return 414;
    int status = parse_request_line(p, n, req);
    if (status != 0)
        return status;

    int have_host = 0, have_length = 0, fields = 0;
    int conn_close = 0, conn_keep = 0;
    for (p = nl + 1;; p = nl + 1) {
        nl = line_end(p, end);
        if (nl == NULL)
            return len >= HTTP_MAX_HEAD ? 431 : -1;
        if ((size_t)(nl + 1 - buf) > HTTP_MAX_HEAD)
            return 431;
        n = line_len(p, nl);
        if (n == 0)
            break;
        if (++fields > HTTP_MAX_HEADERS)
            return 431;
        const char *colon = memchr(p, ':', n);
        if (colon == NULL || colon == p)
            return 400; /* also obs-fold lines, which start with white space */
        for (const char *q = p; q < colon; q++)
            if (!is_tchar((unsigned char)*q))
                return 400;
        size_t name_len = (size_t)(colon - p);
        const char *v = colon + 1, *ve = p + n;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vlen = (size_t)(ve - v);
        for (const char *q = v; q < ve; q++)
            if (*q == '\0' || *q == '\r')
                return 400;

        if (name_len == 4 && strncasecmp(p, "Host", 4) == 0) {
            if (have_host++)
                return 400;
        } else if (name_len == 10 && strncasecmp(p, "Connection", 10) == 0) {
            conn_close |= has_token(v, vlen, "close");
            conn_keep |= has_token(v, vlen, "keep-alive");
        } else if (name_len == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
            size_t body;
            status = parse_length(v, vlen, &body);
            if (status != 0)
                return status;
            if (have_length++ && body != req->body_len)
                return 400;
            req->body_len = body;
        } else if (name_len == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0) {
            return 501;
        }
    }
    if (req->minor >= 1 && !have_host)
        return 400; /* RFC 9112 3.2: a 1.1 request without Host is rejected */
    req->keep_alive = req->minor >= 1 ? !conn_close : (conn_keep && !conn_close);
    req->head_len = (size_t)(nl + 1 - buf);
    return 0;
}
