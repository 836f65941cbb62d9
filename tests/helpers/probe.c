/* probe.c: a static test program that reports what a container lets it see and do (tests/container.sh, tests/bridge.sh). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <unistd.h>

/* probe exit N: exits with N. */
static int cmd_exit(char **a) { return atoi(a[0]); }

/* probe show: pid, ids, host name and the security lines of /proc/self/status. */
static int cmd_show(char **a)
{
    char host[256] = "", line[256];
    FILE *f = fopen("/proc/self/status", "r");

    (void)a;
    gethostname(host, sizeof(host));
    printf("pid=%d ppid=%d uid=%d gid=%d hostname=%s\n", getpid(), getppid(), getuid(), getgid(),
           host);
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "CapPrm:", 7) ||
            !strncmp(line, "CapBnd:", 7) || !strncmp(line, "NoNewPrivs:", 11) ||
            !strncmp(line, "Seccomp:", 8))
            fputs(line, stdout);
    if (f)
        fclose(f);
    f = fopen("/proc/self/uid_map", "r");
    while (f && fgets(line, sizeof(line), f))
        printf("uid_map: %s", line);
    if (f)
        fclose(f);
    return 0;
}

/* probe ls DIR: one entry a line. */
static int cmd_ls(char **a)
{
    DIR *d = opendir(a[0]);
    struct dirent *e;

    if (d == NULL) {
        printf("ls %s: %s\n", a[0], strerror(errno));
        return 1;
    }
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            printf("%s\n", e->d_name);
    closedir(d);
    return 0;
}

/* probe cat FILE */
static int cmd_cat(char **a)
{
    char buf[4096];
    size_t n;
    FILE *f = fopen(a[0], "r");

    if (f == NULL) {
        printf("cat %s: %s\n", a[0], strerror(errno));
        return 1;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
}

/* probe write FILE TEXT */
static int cmd_write(char **a)
{
    FILE *f = fopen(a[0], "w");

    if (f == NULL || fputs(a[1], f) < 0 || fclose(f) != 0) {
        printf("write %s: %s\n", a[0], strerror(errno));
        return 1;
    }
    return 0;
}

/* probe syscalls: calls outside the allowlist, each reported with its errno. */
static int cmd_syscalls(char **a)
{
    int r;

    (void)a;
    errno = 0;
    r = personality(0xffffffff); /* a query: succeeds unless filtered */
    printf("personality=%d errno=%s\n", r, r < 0 ? strerrorname_np(errno) : "0");
    r = unshare(CLONE_NEWUSER);
    printf("unshare=%d errno=%s\n", r, r < 0 ? strerrorname_np(errno) : "0");
    r = getpid() > 0 ? 0 : -1;
    printf("getpid=%d\n", r);
    return 0;
}

static volatile sig_atomic_t got;
static void on_term(int sig) { got = sig; }

/* probe wait-term: prints "ready", waits for SIGTERM, prints it, exits 42. */
static int cmd_wait_term(char **a)
{
    (void)a;
    signal(SIGTERM, on_term);
    printf("ready\n");
    fflush(stdout);
    while (!got)
        pause();
    printf("got SIGTERM\n");
    return 42;
}

/* probe ignore-term: prints "ready" and sleeps with SIGTERM ignored (for a forced stop). */
static int cmd_ignore_term(char **a)
{
    (void)a;
    signal(SIGTERM, SIG_IGN);
    printf("ready\n");
    fflush(stdout);
    while (!got) /* never set: SIGTERM is ignored */
        pause();
    return 0;
}

/* probe connect ADDR PORT TEXT: sends TEXT and a newline, prints the reply. */
static int cmd_connect(char **a)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(a[1]))};
    char buf[4096];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ssize_t n;

    inet_pton(AF_INET, a[0], &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        printf("connect %s:%s: %s\n", a[0], a[1], strerror(errno));
        return 1;
    }
    dprintf(fd, "%s\n", a[2]);
    shutdown(fd, SHUT_WR);
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    close(fd);
    return 0;
}

/* A listening TCP socket on (port), all addresses; says "listening on PORT". */
static int listen_on(const char *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
        printf("listen on %s: %s\n", port, strerror(errno));
        return -1;
    }
    printf("listening on %s\n", port);
    fflush(stdout);
    return fd;
}

/* probe serve PORT: answers each connection with "hello from HOSTNAME", forever. */
static int cmd_serve(char **a)
{
    char host[256] = "", buf[1024];
    int fd = listen_on(a[0]);

    if (fd < 0)
        return 1;
    gethostname(host, sizeof(host));
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            continue;
        if (read(c, buf, sizeof(buf)) < 0)
            buf[0] = '\0';
        dprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from %s\n", host);
        close(c);
    }
}

/* probe echo PORT: sends back what each connection sends, until it closes; forever. */
static int cmd_echo(char **a)
{
    char buf[4096];
    int fd = listen_on(a[0]);

    if (fd < 0)
        return 1;
    for (;;) {
        int c = accept(fd, NULL, NULL);
        ssize_t n;
        while (c >= 0 && (n = read(c, buf, sizeof(buf))) > 0)
            if (write(c, buf, (size_t)n) != n)
                break;
        if (c >= 0)
            close(c);
    }
}

static const struct {
    const char *name;
    int nargs;
    int (*fn)(char **args);
} cmds[] = {
    {"exit", 1, cmd_exit}, {"show", 0, cmd_show}, {"ls", 1, cmd_ls}, {"cat", 1, cmd_cat},
    {"write", 2, cmd_write}, {"syscalls", 0, cmd_syscalls}, {"wait-term", 0, cmd_wait_term},
    {"ignore-term", 0, cmd_ignore_term},
    {"connect", 3, cmd_connect}, {"serve", 1, cmd_serve}, {"echo", 1, cmd_echo},
};

int main(int argc, char **argv)
{
    for (size_t i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (strcmp(argv[1], cmds[i].name) == 0 && argc - 2 >= cmds[i].nargs) {
            int rc = cmds[i].fn(argv + 2);
            fflush(stdout);
            return rc;
        }
    fprintf(stderr, "usage: probe exit N | show | ls DIR | cat FILE | write FILE TEXT | syscalls | "
                    "wait-term | ignore-term | connect ADDR PORT TEXT | serve PORT | echo PORT\n");
    return 2;
}
