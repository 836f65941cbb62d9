/* sockapi.c: guest test — the POSIX socket API over lwIP on loopback: options, non-blocking, timeouts, poll/select, errno, lookups. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "guest_check.h"

static int failures;

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    return a;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The client side: connects, sends, half-closes, reads the echo. */
static void *client(void *arg)
{
    (void)arg;
    struct sockaddr_in a = loopback(5000);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
        return (void *)1;
    const char msg[] = "ping over loopback";
    if (write(s, msg, sizeof msg) != (ssize_t)sizeof msg)
        return (void *)2;
    shutdown(s, SHUT_WR);
    char buf[64];
    ssize_t n = read(s, buf, sizeof buf);
    close(s);
    return (n == (ssize_t)sizeof msg && memcmp(buf, msg, sizeof msg) == 0) ? NULL : (void *)3;
}

static void tcp_tests(void)
{
    int one = 1, got = 0;
    socklen_t len = sizeof got;
    struct sockaddr_in a = loopback(5000);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(l >= 0);
    CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(listen(l, 8) == 0);
    struct sockaddr_in bound;
    socklen_t blen = sizeof bound;
    CHECK(getsockname(l, (struct sockaddr *)&bound, &blen) == 0 && ntohs(bound.sin_port) == 5000);

    /* Non-blocking accept with nobody there: EAGAIN. */
    CHECK(fcntl(l, F_SETFL, fcntl(l, F_GETFL) | O_NONBLOCK) == 0);
    CHECK(fcntl(l, F_GETFL) & O_NONBLOCK);
    CHECK(accept(l, NULL, NULL) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    CHECK(fcntl(l, F_SETFL, fcntl(l, F_GETFL) & ~O_NONBLOCK) == 0);

    pthread_t t;
    pthread_create(&t, NULL, client, NULL);
    /* poll and select see the pending connection. */
    struct pollfd p = {.fd = l, .events = POLLIN};
    CHECK(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN));
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(l, &rd);
    struct timeval tv = {2, 0};
    CHECK(select(l + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(l, &rd));
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int c = accept(l, (struct sockaddr *)&peer, &plen);
    CHECK(c >= 0 && peer.sin_family == AF_INET);
    CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
    CHECK(getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &got, &len) == 0 && got != 0);
    CHECK(setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0);
    len = sizeof got;
    CHECK(getsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &got, &len) == 0 && got != 0);
    struct sockaddr_in pn;
    socklen_t pnl = sizeof pn;
    CHECK(getpeername(c, (struct sockaddr *)&pn, &pnl) == 0 && pn.sin_port == peer.sin_port);

    /* Echo until the client's half-close: read returns 0 then. */
    char buf[128];
    ssize_t n, total = 0;
    while ((n = recv(c, buf + total, sizeof buf - (size_t)total, 0)) > 0)
        total += n;
    CHECK(n == 0 && total == (ssize_t)sizeof "ping over loopback");
    CHECK(send(c, buf, (size_t)total, 0) == total);
    void *r;
    pthread_join(t, &r);
    CHECK(r == NULL);

    /* A receive timeout: EAGAIN after about 200 ms. */
    struct timeval rto = {0, 200000};
    CHECK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &rto, sizeof rto) == 0);
    struct timeval sto = {0, 200000};
    CHECK(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &sto, sizeof sto) == 0);
    close(c);
    int idle = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(setsockopt(idle, SOL_SOCKET, SO_RCVTIMEO, &rto, sizeof rto) == 0);
    struct sockaddr_in u = loopback(5002);
    bind(idle, (struct sockaddr *)&u, sizeof u);
    long long t0 = now_ms();
    CHECK(recv(idle, buf, sizeof buf, 0) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    long long took = now_ms() - t0;
    CHECK(took >= 150 && took < 2000);
    close(idle);
    close(l);

    /* Nobody listening: ECONNREFUSED. */
    struct sockaddr_in none = loopback(5001);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(s, (struct sockaddr *)&none, sizeof none) < 0 && errno == ECONNREFUSED);
    close(s);
    CHECK(send(12345, "x", 1, 0) < 0 && errno == EBADF);
    CHECK(send(1, "x", 1, 0) < 0 && errno == ENOTSOCK);
}

static void udp_tests(void)
{
    struct sockaddr_in a = loopback(6000), from;
    socklen_t flen = sizeof from;
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(bind(rx, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(sendto(tx, "datagram", 8, 0, (struct sockaddr *)&a, sizeof a) == 8);
    char buf[32];
    /* poll over the socket and the console together (the mixed path). */
    struct pollfd p[2] = {{.fd = rx, .events = POLLIN}, {.fd = 1, .events = POLLOUT}};
    CHECK(poll(p, 2, 2000) >= 1 && (p[1].revents & POLLOUT));
    CHECK(recvfrom(rx, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen) == 8 &&
          memcmp(buf, "datagram", 8) == 0 && from.sin_family == AF_INET);
    close(rx);
    close(tx);
}

static void lookup_tests(void)
{
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
    CHECK(getaddrinfo("127.0.0.1", "8080", &hints, &res) == 0 && res && res->ai_family == AF_INET);
    if (res) {
        char host[NI_MAXHOST], serv[NI_MAXSERV];
        CHECK(getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, serv, sizeof serv,
                          NI_NUMERICHOST | NI_NUMERICSERV) == 0);
        CHECK(strcmp(host, "127.0.0.1") == 0 && strcmp(serv, "8080") == 0);
        freeaddrinfo(res);
    }
    struct in_addr in;
    char text[INET_ADDRSTRLEN];
    CHECK(inet_pton(AF_INET, "10.1.2.3", &in) == 1);
    CHECK(inet_ntop(AF_INET, &in, text, sizeof text) && strcmp(text, "10.1.2.3") == 0);
    CHECK(inet_pton(AF_INET, "10.1.2", &in) == 0);
    CHECK(strcmp(gai_strerror(EAI_NONAME), "Name or service not known") == 0);
}

int main(void)
{
    tcp_tests();
    udp_tests();
    lookup_tests();
    if (!failures)
        printf("SUCCESS\n");
    return failures ? 1 : 0;
}
