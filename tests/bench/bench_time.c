/* bench_time.c: times one start for `unikit bench`: exec to exit, or exec to the first HTTP 200 from what the command started. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage:
 *   bench_time run CMD [ARGS...]
 *       prints "WALL_MS FIRST_OUTPUT_MS STATUS": fork to the end of wait,
 *       fork to the first byte on CMD's stdout (a pipe read and thrown
 *       away), and CMD's exit status.
 *   bench_time http TARGET PORT TIMEOUT_MS CMD [ARGS...]
 *       starts CMD (stdout and stderr to /dev/null) and, from the same
 *       instant, asks TARGET:PORT for "/" every millisecond until a response
 *       starts with "HTTP/1.x 200"; prints "FIRST_200_MS CMD_EXIT_MS" (-1
 *       when CMD still runs: it is left running for the caller to stop).
 *       TARGET is an IPv4 address, or lease:DIR/NAME for the address whose
 *       lease file in DIR (unikit's ROOT/.net/leases/BRIDGE) says
 *       "owner NAME". Exits 1 on a timeout.
 */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static pid_t spawn(char **argv, int out_fd)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDIN_FILENO);
        dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
        if (out_fd < 0)
            dup2(null, STDERR_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int cmd_run(char **argv)
{
    int out[2];
    if (pipe(out) < 0)
        return 2;
    double t0 = now_ms(), first = -1;
    pid_t pid = spawn(argv, out[1]);
    close(out[1]);
    char buf[4096];
    for (;;) {
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (first < 0)
            first = now_ms() - t0;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    double wall = now_ms() - t0;
    printf("%.3f %.3f %d\n", wall, first, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}

/* The address leased to (name) in (dir), into (addr); 0 when found. */
static int lease_lookup(const char *dir, const char *name, struct in_addr *addr)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char want[256], path[4096], buf[512];
    int found = -1;
    if (!d)
        return -1;
    snprintf(want, sizeof want, "\nowner %s\n", name);
    while (found < 0 && (e = readdir(d)) != NULL) {
        if (inet_pton(AF_INET, e->d_name, addr) != 1)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        if (strstr(buf, want))
            found = 0;
    }
    closedir(d);
    return found;
}

/*
 * One GET / to (addr):(port): connected within (ms), answered within a
 * second; 1 when the answer is a 200. A short connect wait, then a fresh
 * try, keeps a SYN lost before the server was up from costing TCP's 1 s
 * retransmission.
 */
static int get_200(struct in_addr addr, int port, int ms)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr = addr};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), ok = 0;
    if (fd < 0)
        return 0;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
        goto out;
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, ms) != 1 || (p.revents & (POLLERR | POLLHUP)))
        goto out;
    static const char req[] = "GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
        goto out;
    p.events = POLLIN;
    char buf[16];
    if (poll(&p, 1, 1000) == 1 && read(fd, buf, 12) == 12)
        ok = memcmp(buf, "HTTP/1.", 7) == 0 && memcmp(buf + 8, " 200", 4) == 0;
out:
    close(fd);
    return ok;
}

static int cmd_http(const char *target, int port, int timeout_ms, char **argv)
{
    char dir[4096] = "";
    const char *name = NULL;
    struct in_addr addr;
    int have_addr = 0;
    if (strncmp(target, "lease:", 6) == 0) {
        snprintf(dir, sizeof dir, "%s", target + 6);
        char *slash = strrchr(dir, '/');
        if (!slash)
            return 2;
        *slash = '\0';
        name = slash + 1;
    } else if (inet_pton(AF_INET, target, &addr) == 1) {
        have_addr = 1;
    } else {
        fprintf(stderr, "bench_time: %s: expected an IPv4 address or lease:DIR/NAME\n", target);
        return 2;
    }
    double t0 = now_ms(), exited = -1;
    pid_t pid = spawn(argv, -1);
    while (now_ms() - t0 < timeout_ms) {
        int status;
        if (exited < 0 && waitpid(pid, &status, WNOHANG) == pid)
            exited = now_ms() - t0;
        if (!have_addr)
            have_addr = lease_lookup(dir, name, &addr) == 0;
        if (have_addr && get_200(addr, port, 20)) {
            double t = now_ms() - t0;
            if (exited < 0 && waitpid(pid, &status, WNOHANG) == pid)
                exited = now_ms() - t0;
            printf("%.3f %.3f\n", t, exited);
            return 0;
        }
        usleep(1000);
    }
    printf("-1 %.3f\n", exited);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "run") == 0)
        return cmd_run(argv + 2);
    if (argc >= 6 && strcmp(argv[1], "http") == 0)
        return cmd_http(argv[2], atoi(argv[3]), atoi(argv[4]), argv + 5);
    fprintf(stderr, "usage: bench_time run CMD [ARGS...]\n"
                    "       bench_time http TARGET PORT TIMEOUT_MS CMD [ARGS...]\n");
    return 2;
}
