/* httpd.h: what httpd's files offer each other, grouped by file. */
#ifndef HTTPD_H
#define HTTPD_H

#include <stddef.h>
#include <time.h>

#define HTTP_MAX_LINE    4096       /* request line; longer gets 414 */
#define HTTP_MAX_HEAD    8192       /* request line and headers; more gets 431 */
#define HTTP_MAX_HEADERS 100        /* header fields; more gets 431 */
#define HTTP_MAX_BODY    (1 << 20)  /* a request body we read and discard; larger gets 413 */
#define HTTP_MAX_PATH    1024       /* a decoded path below the root */

// http_parse.c
enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

struct http_request {
    enum http_method method;
    const char *target;   /* inside the parsed buffer, not NUL-terminated */
    size_t target_len;
    int minor;            /* HTTP/1.<minor> */
    int keep_alive;
    size_t body_len;      /* Content-Length, 0 without one */
    size_t head_len;      /* bytes up to and including the blank line */
};

/*
 * Parses the request at the start of (buf, len) into (*req). Returns 0 when a
 * whole head is there, -1 when more bytes are needed, or the status that the
 * bad request gets (400, 414, 431, 501, 505).
 */
int http_parse(const char *buf, size_t len, struct http_request *req);

// http_path.c
/*
 * Decodes the request target (target, len) into the path (out, size): starts
 * with '/', no "." or ".." segments, no empty ones, query dropped. Sets
 * (*trailing_slash) when the path named a directory form. Returns 0, or the
 * status: 400 (bad escape, NUL, not origin-form), 403 (climbs above the root),
 * 414 (too long).
 */
int http_path(const char *target, size_t len, char *out, size_t size, int *trailing_slash);

// mime.c
/* The Content-Type for (path), chosen by its extension. */
const char *mime_type(const char *path);

// http_response.c
/* The reason phrase of (status). */
const char *http_reason(int status);

/*
 * Writes a response head into (out, size): status line, Date, Server,
 * Content-Type (when (type)), Content-Length (length), Connection, and the
 * (extra) header lines (each ending in CRLF, or NULL). Returns its length, or 0
 * when it does not fit.
 */
size_t http_head(char *out, size_t size, int status, const char *type, unsigned long long length,
                 int keep_alive, const char *extra);

/* Writes a whole error response (head and, unless (head_only), a short HTML body). Returns its length. */
size_t http_error(char *out, size_t size, int status, int keep_alive, int head_only, const char *extra);

// server.c
/* Serves files below (root) on the listening socket (listen_fd) until a fatal error; returns 1 then. */
int server_run(int listen_fd, const char *root);

#endif /* HTTPD_H */
