/*
 * server.c: kvstore's event loop: one poll over the listening socket and the clients.
 *
 * Each turn reads what came, runs every whole command, makes the log durable
 * (aof_sync) and only then writes the replies — so with appendfsync always a
 * reply never leaves before its write is on the disk, and one fsync covers all
 * the commands of a turn (group commit).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kvstore.h"

#define MAX_CLIENTS 4096
#define READ_CHUNK  (16 << 10)
#define OUT_LIMIT   (1 << 20) /* stop running a client's commands while this much waits to go out */

struct client {
    int fd;
    int eof;     /* the client sent its last byte */
    int closing; /* close once the replies are out (QUIT, protocol error) */
    struct buf in, out;
    struct request req;
};

static struct client *clients[MAX_CLIENTS];
static int nclients;

int server_clients(void)
{
    return nclients;
}

static void client_free(int i)
{
    struct client *c = clients[i];
    close(c->fd);
    buf_free(&c->in);
    buf_free(&c->out);
    free(c->req.argv);
    free(c);
    clients[i] = clients[--nclients];
}

/*
 * Runs the whole commands in the client's input, while its replies stay under
 * OUT_LIMIT; returns 1 when it stopped for want of room for replies (then the
 * loop must come back without waiting for input), 0 when for want of input.
 */
static int client_run(struct client *c)
{
    size_t off = 0;
    int starved = 0; /* stopped for want of input, not of room for replies */
    while (!c->closing && c->out.len < OUT_LIMIT) {
        const char *err = NULL;
        long n = off < c->in.len ? resp_parse(c->in.data + off, c->in.len - off, &c->req, &err) : 0;
        if (n == 0) {
            starved = 1;
            break;
        }
        if (n < 0) {
            reply_error(&c->out, "ERR %s", err);
            c->closing = 1;
            break;
        }
        off += (size_t)n;
        if (c->req.argc > 0 && command_run(&c->req, &c->out))
            c->closing = 1;
    }
    buf_consume(&c->in, off);
    if (c->eof && starved)
        c->closing = 1; /* nothing more will complete what is left */
    return !starved && !c->closing;
}

/* Reads what the client sent. Returns -1 when it is to be dropped at once. */
static int client_read(struct client *c)
{
    if (c->in.len > KV_MAX_BULK + KV_MAX_INLINE) {
        reply_error(&c->out, "ERR Protocol error: query buffer too big");
        c->closing = 1;
        return 0;
    }
    buf_reserve(&c->in, READ_CHUNK);
    ssize_t n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    if (n == 0)
        c->eof = 1;
    c->in.len += (size_t)n;
    return 0;
}

/* Writes the pending replies. Returns -1 when the client is to be dropped. */
static int client_write(struct client *c)
{
    while (c->out.len > 0) {
        ssize_t n = write(c->fd, c->out.data, c->out.len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        buf_consume(&c->out, (size_t)n);
    }
    if (c->out.cap > 4 * OUT_LIMIT)
        buf_free(&c->out); /* give back what a large reply took */
    return c->closing ? -1 : 0;
}

static void accept_all(int listen_fd)
{
    while (nclients < MAX_CLIENTS) {
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0)
            return;
        struct client *c = calloc(1, sizeof(*c));
        if (c == NULL) {
            close(fd);
            return;
        }
        int one = 1;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->fd = fd;
        clients[nclients++] = c;
    }
}

int server_run(int listen_fd)
{
    static struct pollfd fds[MAX_CLIENTS + 1];
    char err[256];
    int busy = 0; /* some client has whole commands left over: do not sleep */

    for (;;) {
        int n = nclients;
        fds[0].fd = nclients < MAX_CLIENTS ? listen_fd : -1;
        fds[0].events = POLLIN;
        for (int i = 0; i < n; i++) {
            struct client *c = clients[i];
            fds[i + 1].fd = c->fd;
            fds[i + 1].events = (c->out.len ? POLLOUT : 0) | (c->out.len < OUT_LIMIT && !c->eof ? POLLIN : 0);
            fds[i + 1].revents = 0;
        }
        int r = poll(fds, (nfds_t)n + 1, busy ? 0 : 100);
        if (r < 0 && errno != EINTR) {
            perror("kvstore: poll");
            return 1;
        }
        /* From the top down, so that moving the last client into a freed slot skips none. */
        for (int i = n - 1; i >= 0; i--) {
            short ev = r > 0 ? fds[i + 1].revents : 0;
            if ((ev & (POLLIN | POLLHUP | POLLERR)) && client_read(clients[i]) < 0)
                client_free(i);
        }
        busy = 0;
        for (int i = 0; i < nclients; i++) {
            /* Busy only when commands wait for room: a partial command waits for input. */
            busy |= client_run(clients[i]);
        }
        if (aof_sync(0, err, sizeof(err)) < 0) {
            /* Replies for these writes must not go out: stop here, as Redis does. */
            fprintf(stderr, "kvstore: %s; exiting without acknowledging the writes\n", err);
            return 1;
        }
        for (int i = nclients - 1; i >= 0; i--)
            if ((clients[i]->out.len > 0 || clients[i]->closing) && client_write(clients[i]) < 0)
                client_free(i);
        if (r > 0 && (fds[0].revents & POLLIN))
            accept_all(listen_fd);
        store_expire_some();
    }
}
