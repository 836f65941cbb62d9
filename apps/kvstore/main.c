/* main.c: kvstore, a Redis-protocol key-value server: `kvstore [-p PORT] [--aof PATH] [--appendfsync POLICY]`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kvstore.h"

static void usage(void)
{
    fprintf(stderr, "usage: kvstore [-p PORT] [--aof PATH] [--appendfsync always|everysec|no]\n");
    exit(2);
}

/* A listening TCP socket on every IPv4 address at (port), nonblocking; exits on failure. */
static int open_listener(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("kvstore: socket");
        exit(1);
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    addr.sin_port = htons((unsigned short)port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 511) != 0) {
        fprintf(stderr, "kvstore: port %d: %s\n", port, strerror(errno));
        exit(1);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"aof", required_argument, NULL, 'a'},
        {"appendfsync", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int port = 6379, opt;
    const char *aof = NULL;
    enum aof_fsync policy = AOF_ALWAYS;

    while ((opt = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 65535) {
                fprintf(stderr, "kvstore: --port %s: expected a port number from 1 to 65535\n", optarg);
                return 2;
            }
            port = (int)v;
            break;
        }
        case 'a':
            aof = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "always") == 0)
                policy = AOF_ALWAYS;
            else if (strcmp(optarg, "everysec") == 0)
                policy = AOF_EVERYSEC;
            else if (strcmp(optarg, "no") == 0)
                policy = AOF_NO;
            else {
                fprintf(stderr, "kvstore: --appendfsync %s: expected always, everysec or no\n", optarg);
                return 2;
            }
            break;
        default:
            usage();
        }
    }
    if (optind != argc)
        usage();
#ifdef SIGPIPE
    signal(SIGPIPE, SIG_IGN);
#endif
    if (aof) {
        char err[512];
        if (aof_open(aof, policy, err, sizeof(err)) < 0) {
            fprintf(stderr, "kvstore: %s\n", err);
            return 1;
        }
    }
    int fd = open_listener(port);
    printf("kvstore: listening on port %d%s%s\n", port, aof ? ", log " : ", no log", aof ? aof : "");
    fflush(stdout);
    return server_run(fd);
}
