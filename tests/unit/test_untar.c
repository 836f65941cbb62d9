/* test_untar.c: unit tests of launcher/container/untar.c: entry kinds, GNU and pax names, owners, and archives that try to escape. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "container/container_internal.h"

/* An archive being written to a temporary file. */
struct ar {
    int fd;
};

static void octal(char *field, size_t len, unsigned long long v)
{
    snprintf(field, len, "%0*llo", (int)len - 1, v);
}

/* Writes one ustar header (and its data padded to 512 bytes). */
static void entry(struct ar *a, const char *name, char type, const char *link, const char *data,
                  size_t len, unsigned uid)
{
    unsigned char h[512];
    unsigned sum = 0;

    memset(h, 0, sizeof(h));
    snprintf((char *)h, 100, "%s", name);
    octal((char *)h + 100, 8, type == '5' ? 0755 : 0644);
    octal((char *)h + 108, 8, uid);
    octal((char *)h + 116, 8, uid);
    octal((char *)h + 124, 12, len);
    octal((char *)h + 136, 12, 1600000000);
    h[156] = (unsigned char)type;
    if (link)
        snprintf((char *)h + 157, 100, "%s", link);
    memcpy(h + 257, "ustar\0" "00", 8);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    if (write(a->fd, h, sizeof(h)) != (ssize_t)sizeof(h))
        abort();
    if (len > 0) {
        char pad[512] = {0};
        if (write(a->fd, data, len) != (ssize_t)len ||
            write(a->fd, pad, (512 - len % 512) % 512) < 0)
            abort();
    }
}

static void finish(struct ar *a)
{
    char zero[1024] = {0};

    if (write(a->fd, zero, sizeof(zero)) != (ssize_t)sizeof(zero))
        abort();
}

static char tmpdir[64];

/* A new archive file; (*root) gets a new empty folder to unpack into. */
static struct ar begin(int *root)
{
    static int n;
    char path[128];
    struct ar a;

    snprintf(path, sizeof(path), "%s/a%d.tar", tmpdir, n);
    a.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    snprintf(path, sizeof(path), "%s/r%d", tmpdir, n++);
    mkdir(path, 0755);
    *root = open(path, O_RDONLY | O_DIRECTORY);
    return a;
}

static int unpack(struct ar *a, int root, struct uk_error *err)
{
    return untar(a->fd, "test.tar", root, getuid(), err);
}

static bool file_is(int root, const char *path, const char *want)
{
    char buf[256] = {0};
    int fd = openat(root, path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

    if (fd >= 0)
        close(fd);
    return n >= 0 && strcmp(buf, want) == 0;
}

static void kinds(void)
{
    struct uk_error err = {0};
    int root;
    struct ar a = begin(&root);
    struct stat st;
    char target[64] = {0};

    entry(&a, "www/", '5', NULL, NULL, 0, 0);
    entry(&a, "www/index.html", '0', NULL, "<h1>hi</h1>\n", 12, 0);
    entry(&a, "./deep/er/file", '0', NULL, "deep", 4, 0); /* folders it implies are made */
    entry(&a, "www/link", '2', "index.html", NULL, 0, 0);
    entry(&a, "www/hard", '1', "www/index.html", NULL, 0, 0);
    entry(&a, "www/index.html", '0', NULL, "again", 5, 0); /* a later entry replaces it */
    finish(&a);
    check(untar_is_tar(a.fd), "untar-is-tar", "a ustar archive not recognised");
    if (!check(unpack(&a, root, &err) == 0, "untar-kinds", "%s: %s", err.msg, strerror(err.errnum)))
        return;
    check(file_is(root, "www/index.html", "again"), "untar-file", "www/index.html wrong");
    check(file_is(root, "deep/er/file", "deep"), "untar-implied-folders", "deep/er/file wrong");
    check(readlinkat(root, "www/link", target, sizeof(target) - 1) > 0 &&
              strcmp(target, "index.html") == 0, "untar-symlink", "www/link -> '%s'", target);
    check(file_is(root, "www/hard", "<h1>hi</h1>\n"), "untar-hardlink", "www/hard wrong");
    check(fstatat(root, "www", &st, 0) == 0 && st.st_uid == getuid() && S_ISDIR(st.st_mode),
          "untar-folder-owner", "www is not a folder owned by the id base");
    check(fstatat(root, "deep", &st, 0) == 0 && st.st_uid == getuid(), "untar-implied-owner",
          "an implied folder is not owned by the id base");
    check(fstatat(root, "www/index.html", &st, 0) == 0 && st.st_mtime == 1600000000 &&
              (st.st_mode & 07777) == 0644, "untar-mode-mtime", "mode %o mtime %ld",
          st.st_mode & 07777, (long)st.st_mtime);
    close(root);
}

/* A GNU long name ('L') and a pax path ('x') name the entry that follows. */
static void long_names(void)
{
    struct uk_error err = {0};
    char longname[200], pax[256];
    int root;
    struct ar a = begin(&root);

    memset(longname, 'n', sizeof(longname));
    longname[sizeof(longname) - 1] = '\0';
    entry(&a, "././@LongLink", 'L', NULL, longname, strlen(longname) + 1, 0);
    entry(&a, "truncated", '0', NULL, "gnu", 3, 0);
    int n = snprintf(pax, sizeof(pax), "xx path=pax-%s\n", "named");
    pax[0] = (char)('0' + n / 10), pax[1] = (char)('0' + n % 10); /* the record's own length */
    entry(&a, "PaxHeader", 'x', NULL, pax, (size_t)n, 0);
    entry(&a, "short", '0', NULL, "pax", 3, 0);
    finish(&a);
    if (!check(unpack(&a, root, &err) == 0, "untar-long-names", "%s", err.msg))
        return;
    check(file_is(root, longname, "gnu"), "untar-gnu-longname", "the 199-byte name is missing");
    check(file_is(root, "pax-named", "pax"), "untar-pax-path", "pax-named is missing");
    check(faccessat(root, "short", F_OK, 0) < 0, "untar-pax-overrides", "the header's own name was used");
    close(root);
}

/* (name) must be refused with a message containing (why). */
static void refused(const char *name, const char *entry_name, char type, const char *link,
                    const char *why)
{
    struct uk_error err = {0};
    int root;
    struct ar a = begin(&root);

    if (type == '2' && link != NULL && strcmp(entry_name, "esc/x") == 0) {
        entry(&a, "esc", '2', link, NULL, 0, 0); /* a link out, then a file through it */
        entry(&a, "esc/x", '0', NULL, "x", 1, 0);
    } else {
        entry(&a, entry_name, type, link, "x", type == '0' ? 1 : 0, 0);
    }
    finish(&a);
    check(unpack(&a, root, &err) < 0 && strstr(err.msg, why) != NULL, name,
          "accepted, or the message \"%s\" lacks \"%s\"", err.msg, why);
    close(root);
}

static void bad_header(void)
{
    struct uk_error err = {0};
    int root;
    struct ar a = begin(&root);
    char junk[512];

    memset(junk, 'j', sizeof(junk));
    if (write(a.fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk))
        abort();
    check(!untar_is_tar(a.fd), "untar-not-tar", "junk recognised as a tar archive");
    check(unpack(&a, root, &err) < 0 && strstr(err.msg, "bad checksum") != NULL,
          "untar-bad-checksum", "\"%s\"", err.msg);
    close(root);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_untar.XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    kinds();
    long_names();
    refused("untar-dotdot", "a/../../etc/passwd", '0', NULL, "outside the root");
    refused("untar-absolute", "/etc/passwd", '0', NULL, "outside the root");
    refused("untar-hardlink-out", "h", '1', "../../etc/passwd", "unpack `h`");
    refused("untar-through-symlink", "esc/x", '2', "/tmp", "unpack `esc/x`");
    bad_header();
    fs_remove_tree(tmpdir);
    return check_status();
}
