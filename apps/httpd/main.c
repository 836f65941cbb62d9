/* main.c: httpd, a static HTTP/1.1 file server: `httpd [-p PORT] [-r ROOT]`. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpd.h"

static void usage(void)
{
    fprintf(stderr, "usage: httpd [-p PORT] [-r ROOT]\n");
    exit(2);
}

/* A listening TCP socket on every IPv4 address at (port), nonblocking; exits on failure. */
static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("httpd: socket");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 511) < 0) {
        fprintf(stderr, "httpd: port %d: %s\n", port, strerror(errno));
        exit(1);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int main(int argc, char **argv)
{
    int port = 80;
    char root[HTTP_MAX_PATH] = "/";
    int opt;

    while ((opt = getopt(argc, argv, "p:r:h")) != -1) {
        switch (opt) {
        case 'p': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 65535) {
                fprintf(stderr, "httpd: -p %s: expected a port number from 1 to 65535\n", optarg);
                return 2;
            }
            port = (int)v;
            break;
        }
        case 'r': {
            size_t n = strlen(optarg);
            while (n > 1 && optarg[n - 1] == '/')
                n--;
            if (n == 0 || n >= sizeof(root)) {
                fprintf(stderr, "httpd: -r %s: expected a directory path\n", optarg);
                return 2;
            }
            memcpy(root, optarg, n);
            root[n] = '\0';
            break;
        }
        default:
            usage();
        }
    }
    if (optind != argc)
        usage();
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "httpd: -r %s: not a directory\n", root);
        return 2;
    }
#ifdef SIGPIPE
    signal(SIGPIPE, SIG_IGN);
#endif
    int fd = listen_on(port);
    printf("httpd: listening on port %d, root %s\n", port, root);
    fflush(stdout);
    return server_run(fd, root);
}
