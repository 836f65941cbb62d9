/* server.c: httpd's event loop: one poll over the listening socket and every connection, no threads. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"

#define MAX_CONNS        1024
#define OUT_SIZE         16384
#define IDLE_TIMEOUT_MS  30000 /* a kept-alive connection with no request */
#define HEAD_TIMEOUT_MS  10000 /* from a request's first byte to its whole head */
#define SEND_TIMEOUT_MS  30000 /* without the client taking any data */
#define DRAIN_TIMEOUT_MS 2000  /* reading what the client still sends after our last response */

enum conn_state { C_READ, C_SEND, C_DRAIN };

struct conn {
    int fd;
    enum conn_state state;
    long long deadline;        /* ms on the monotonic clock */
    int in_request;            /* bytes of the next request have come */
    size_t in_len, discard;    /* discard: request body bytes still to drop */
    size_t out_off, out_len;
    int file;                  /* being sent, or -1 */
    unsigned long long file_left;
    int keep_alive;
    char in[HTTP_MAX_HEAD];
    char out[OUT_SIZE];
};

static const char *site_root; /* "" for "/", so that root + path never has "//" */
static struct conn *conns[MAX_CONNS];
static int nconns;
static int accept_paused;     /* out of descriptors: wait for a close */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_free(int i)
{
    struct conn *c = conns[i];
    if (c->file >= 0)
        close(c->file);
    close(c->fd);
    free(c);
    conns[i] = conns[--nconns];
    accept_paused = 0;
}

/* Our last response is out: stop sending, and read until the client closes, so it gets the response, not a reset. */
static void conn_drain(struct conn *c)
{
    shutdown(c->fd, SHUT_WR);
    c->state = C_DRAIN;
    c->deadline = now_ms() + DRAIN_TIMEOUT_MS;
}

static void conn_idle(struct conn *c)
{
    c->state = C_READ;
    c->in_request = c->in_len > 0;
    c->deadline = now_ms() + (c->in_request ? HEAD_TIMEOUT_MS : IDLE_TIMEOUT_MS);
}

/* Queues the error response (status) and what follows it (keep_alive). */
static void respond_error(struct conn *c, int status, int keep_alive, int head_only, const char *extra)
{
    c->out_off = 0;
    c->out_len = http_error(c->out, sizeof(c->out), status, keep_alive, head_only, extra);
    c->keep_alive = keep_alive;
    c->state = C_SEND;
}

static int open_status(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR: return 404;
    case EACCES:
    case ELOOP: return 403;
    case ENAMETOOLONG: return 414;
    default: return 500;
    }
}

/* Queues the response to the parsed request (req): a file, a redirect to the directory form, or an error. */
static void respond(struct conn *c, const struct http_request *req)
{
    int head_only = req->method == HTTP_HEAD;
    int keep = req->keep_alive;
    char path[HTTP_MAX_PATH], full[HTTP_MAX_PATH * 2 + 16];
    int dir_form;

    if (req->method == HTTP_OTHER) {
        respond_error(c, 405, keep, 0, "Allow: GET, HEAD\r\n");
        return;
    }
    int status = http_path(req->target, req->target_len, path, sizeof(path), &dir_form);
    if (status != 0) {
        respond_error(c, status, status == 403 && keep, head_only, NULL);
        return;
    }
    snprintf(full, sizeof(full), "%s%s", site_root, path);
    int fd = open(full, O_RDONLY);
    struct stat st;
    if (fd < 0) {
        respond_error(c, open_status(errno), keep, head_only, NULL);
        return;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        if (!dir_form) {
            /* The raw target has no spaces or control bytes (http_parse), so it is safe to echo. */
            char extra[HTTP_MAX_LINE + 32];
            const char *q = memchr(req->target, '?', req->target_len);
            size_t plen = q ? (size_t)(q - req->target) : req->target_len;
            snprintf(extra, sizeof(extra), "Location: %.*s/%.*s\r\n", (int)plen, req->target,
                     (int)(req->target_len - plen), req->target + plen);
            respond_error(c, 301, keep, head_only, extra);
            return;
        }
        snprintf(full, sizeof(full), "%s%s%sindex.html", site_root, path, strcmp(path, "/") ? "/" : "");
        fd = open(full, O_RDONLY);
        if (fd < 0) {
            respond_error(c, errno == ENOENT ? 403 : open_status(errno), keep, head_only, NULL);
            return;
        }
        if (fstat(fd, &st) != 0)
            st.st_mode = 0;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        respond_error(c, 403, keep, head_only, NULL);
        return;
    }
    c->out_off = 0;
    c->out_len = http_head(c->out, sizeof(c->out), 200, mime_type(full), (unsigned long long)st.st_size,
                           keep, NULL);
    c->keep_alive = keep;
    c->state = C_SEND;
    if (head_only || st.st_size == 0) {
        close(fd);
        return;
    }
    c->file = fd;
    c->file_left = (unsigned long long)st.st_size;
}

/* Tops up the output buffer from the file being sent. Returns -1 when the file cannot be read. */
static int fill(struct conn *c)
{
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    while (c->file >= 0 && c->file_left > 0 && c->out_len < sizeof(c->out)) {
        size_t want = sizeof(c->out) - c->out_len;
        if (want > c->file_left)
            want = (size_t)c->file_left;
        ssize_t n = read(c->file, c->out + c->out_len, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1; /* the file shrank or failed: the Content-Length is a lie now, so close */
        c->out_len += (size_t)n;
        c->file_left -= (unsigned long long)n;
    }
    if (c->file >= 0 && c->file_left == 0) {
        close(c->file);
        c->file = -1;
    }
    return 0;
}

/* Writes what it can. Returns 1 when the response is out, 0 to wait for the socket, -1 to drop the connection. */
static int send_some(struct conn *c)
{
    for (;;) {
        if (c->out_off == c->out_len || c->out_len < sizeof(c->out)) {
            if (fill(c) < 0)
                return -1;
            if (c->out_len == 0)
                return 1;
        }
        ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        c->out_off += (size_t)w;
        c->deadline = now_ms() + SEND_TIMEOUT_MS;
    }
}

/* Drops the request body bytes still owed from the input buffer. */
static void drop_body(struct conn *c)
{
    size_t n = c->discard < c->in_len ? c->discard : c->in_len;
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->discard -= n;
}

/* Answers every whole request in the input buffer, in order, while responses go out at once. Returns -1 to drop. */
static int process(struct conn *c)
{
    while (c->state == C_READ) {
        drop_body(c);
        if (c->in_len == 0 || c->discard > 0)
            return 0;
        struct http_request req;
        int status = http_parse(c->in, c->in_len, &req);
        if (status < 0) {
            if (!c->in_request) {
                c->in_request = 1;
                c->deadline = now_ms() + HEAD_TIMEOUT_MS;
            }
            return 0;
        }
        if (status > 0) {
            respond_error(c, status, 0, 0, NULL);
        } else if (req.body_len > HTTP_MAX_BODY) {
            respond_error(c, 413, 0, req.method == HTTP_HEAD, NULL);
        } else {
            respond(c, &req);
            c->discard = req.body_len;
            memmove(c->in, c->in + req.head_len, c->in_len - req.head_len);
            c->in_len -= req.head_len;
        }
        c->deadline = now_ms() + SEND_TIMEOUT_MS;
        int r = send_some(c);
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        if (!c->keep_alive) {
            conn_drain(c);
            return 0;
        }
        conn_idle(c);
    }
    return 0;
}

/* Handles the poll events (revents) of connection (i). Returns -1 when it is to be closed. */
static int conn_event(struct conn *c, short revents)
{
    if (c->state == C_SEND) {
        if (revents & (POLLERR | POLLNVAL))
            return -1;
        int r = send_some(c);
        if (r <= 0)
            return r;
        if (!c->keep_alive) {
            conn_drain(c);
            return 0;
        }
        conn_idle(c);
        return process(c);
    }
    char scratch[4096];
    char *buf = c->state == C_DRAIN ? scratch : c->in + c->in_len;
    size_t room = c->state == C_DRAIN ? sizeof(scratch) : sizeof(c->in) - c->in_len;
    ssize_t n = read(c->fd, buf, room);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    if (n == 0 || c->state == C_DRAIN)
        return n == 0 ? -1 : 0;
    c->in_len += (size_t)n;
    return process(c);
}

static void accept_all(int listen_fd)
{
    while (nconns < MAX_CONNS) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                accept_paused = 1;
            return;
        }
        struct conn *c = malloc(sizeof(*c));
        if (c == NULL) {
            close(fd);
            accept_paused = 1;
            return;
        }
        int one = 1;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->fd = fd;
        c->in_len = c->discard = c->out_off = c->out_len = 0;
        c->file = -1;
        c->file_left = 0;
        conn_idle(c);
        conns[nconns++] = c;
    }
}

int server_run(int listen_fd, const char *root)
{
    static struct pollfd fds[MAX_CONNS + 1];

    site_root = strcmp(root, "/") == 0 ? "" : root;
    for (;;) {
        int n = nconns;
        fds[0].fd = (nconns < MAX_CONNS && !accept_paused) ? listen_fd : -1;
        fds[0].events = POLLIN;
        for (int i = 0; i < n; i++) {
            fds[i + 1].fd = conns[i]->fd;
            fds[i + 1].events = conns[i]->state == C_SEND ? POLLOUT : POLLIN;
            fds[i + 1].revents = 0;
        }
        int r = poll(fds, (nfds_t)n + 1, 1000);
        if (r < 0 && errno != EINTR) {
            perror("httpd: poll");
            return 1;
        }
        long long now = now_ms();
        /* From the top down, so that moving the last connection into a freed slot skips none. */
        for (int i = n - 1; i >= 0; i--) {
            struct conn *c = conns[i];
            if (r > 0 && fds[i + 1].revents != 0) {
                if (conn_event(c, fds[i + 1].revents) < 0) {
                    conn_free(i);
                    continue;
                }
            }
            if (now > c->deadline)
                conn_free(i);
        }
        if (r > 0 && (fds[0].revents & POLLIN))
            accept_all(listen_fd);
    }
}
