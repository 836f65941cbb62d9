/* net.c: guest network test — a TCP echo server (poll), a UDP echo server, and a TCP client. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

static int listen_on(int type, int port)
{
    int s = socket(AF_INET, type, 0);
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s, (struct sockaddr *)&a, sizeof a) < 0 || (type == SOCK_STREAM && listen(s, 16) < 0)) {
        printf("FAIL: cannot listen on %d: errno %d\n", port, errno);
        exit(1);
    }
    return s;
}

/* Echoes every connection until a client sends a line "quit". */
static int tcp_echo(int port)
{
    struct pollfd fds[MAX_CLIENTS + 1];
    int n = 1, served = 0;
    fds[0] = (struct pollfd){.fd = listen_on(SOCK_STREAM, port), .events = POLLIN};
    printf("tcp echo listening on %d\n", port);
    for (;;) {
        if (poll(fds, (nfds_t)n, -1) < 0) {
            printf("FAIL: poll errno %d\n", errno);
            return 1;
        }
        if ((fds[0].revents & POLLIN) && n <= MAX_CLIENTS) {
            int c = accept(fds[0].fd, NULL, NULL);
            int one = 1;
            setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (c >= 0)
                fds[n++] = (struct pollfd){.fd = c, .events = POLLIN};
        }
        for (int i = 1; i < n; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[16384];
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got <= 0) {
                close(fds[i].fd);
                fds[i--] = fds[--n];
                served++;
                continue;
            }
            if (got >= 4 && memcmp(buf, "quit", 4) == 0) {
                printf("served %d connections\nSUCCESS\n", served);
                return 0;
            }
            for (ssize_t off = 0; off < got;) {
                ssize_t w = write(fds[i].fd, buf + off, (size_t)(got - off));
                if (w <= 0)
                    break;
                off += w;
            }
        }
    }
}

/* Echoes datagrams until one says "quit". */
static int udp_echo(int port)
{
    int s = listen_on(SOCK_DGRAM, port);
    printf("udp echo listening on %d\n", port);
    for (int count = 0;; count++) {
        char buf[2048];
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t got = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (got < 0)
            return 1;
        if (got >= 4 && memcmp(buf, "quit", 4) == 0) {
            printf("echoed %d datagrams\nSUCCESS\n", count);
            return 0;
        }
        sendto(s, buf, (size_t)got, 0, (struct sockaddr *)&from, len);
    }
}

/* Connects to IP:PORT, sends a greeting, expects it back uppercased... or verbatim (an echo peer). */
static int tcp_client(const char *ip, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
        printf("FAIL: bad address %s\n", ip);
        return 1;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    for (int tries = 0; connect(s, (struct sockaddr *)&a, sizeof a) < 0; tries++) {
        if (tries == 50) {
            printf("FAIL: connect %s:%d errno %d\n", ip, port, errno);
            return 1;
        }
        close(s);
        s = socket(AF_INET, SOCK_STREAM, 0);
        usleep(100000);
    }
    const char msg[] = "hello from the guest\n";
    if (write(s, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1)) {
        printf("FAIL: write errno %d\n", errno);
        return 1;
    }
    char buf[256];
    size_t got = 0;
    while (got < sizeof msg - 1) {
        ssize_t r = read(s, buf + got, sizeof buf - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(s);
    if (got != sizeof msg - 1 || memcmp(buf, msg, got) != 0) {
        printf("FAIL: got %zu bytes back\n", got);
        return 1;
    }
    printf("SUCCESS\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "tcp-echo") == 0)
        return tcp_echo(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "udp-echo") == 0)
        return udp_echo(atoi(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "client") == 0)
        return tcp_client(argv[2], atoi(argv[3]));
    printf("usage: net tcp-echo PORT | udp-echo PORT | client IP PORT\n");
    return 2;
}
