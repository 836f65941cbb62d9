/* files.c: guest test — the tar file system at / (open, read, lseek, stat, directories) and the raw disks /dev/vd*. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_check.h"

/* newlib declares lstat only for a few targets; the libos has it. */
int lstat(const char *path, struct stat *st);

#define BIG_BYTES (3 * 1024 * 1024)
#define RAW_BYTES (1024 * 1024)
#define LONG_PATH "/long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd/" \
                  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.txt"
#define MARKER "unikit-files-marker"

static int failures;


/* A call that must fail with (err). */
#define FAILS(call, err) CHECK((errno = 0, (call) == -1) && errno == (err))

/* big.bin is records of "%015x\n", the record's index: byte (i) of it is computable. */
static char big_byte(long i)
{
    char rec[17];
    snprintf(rec, sizeof rec, "%015lx\n", i / 16);
    return rec[i % 16];
}

static int big_matches(const char *buf, long offset, long len)
{
    for (long i = 0; i < len; i++)
        if (buf[i] != big_byte(offset + i))
            return 0;
    return 1;
}

static char *slurp(const char *path, ssize_t *len)
{
    static char buf[4096];
    int fd = open(path, O_RDONLY);
    *len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    buf[*len > 0 ? *len : 0] = '\0';
    return buf;
}

static int has_text(const char *path, const char *want)
{
    ssize_t len;
    const char *got = slurp(path, &len);
    return len == (ssize_t)strlen(want) && strcmp(got, want) == 0;
}

static void test_open_and_read(void)
{
    struct stat st;
    char buf[64];
    CHECK(has_text("/index.html", "<h1>hello</h1>\n"));
    CHECK(has_text("index.html", "<h1>hello</h1>\n"));
    CHECK(has_text("//sub/./nested/../../index.html", "<h1>hello</h1>\n"));
    CHECK(has_text("/sub/nested/deep.txt", "deep\n"));
    CHECK(has_text(LONG_PATH, "long name\n"));
    CHECK(has_text("/link.txt", "<h1>hello</h1>\n"));
    CHECK(has_text("/hard.html", "<h1>hello</h1>\n"));
    CHECK(has_text("/implied/x.txt", "implied\n"));

    FAILS(open("/missing", O_RDONLY), ENOENT);
    FAILS(open("/sub/missing/x", O_RDONLY), ENOENT);
    FAILS(open("", O_RDONLY), ENOENT);
    FAILS(open("/index.html/", O_RDONLY), ENOTDIR);
    FAILS(open("/index.html/x", O_RDONLY), ENOTDIR);
    FAILS(open("/index.html", O_WRONLY), EROFS);
    FAILS(open("/index.html", O_RDWR), EROFS);
    FAILS(open("/index.html", O_RDONLY | O_TRUNC), EROFS);
    FAILS(open("/new.txt", O_WRONLY | O_CREAT, 0644), EROFS);
    FAILS(open("/nodir/new.txt", O_WRONLY | O_CREAT, 0644), ENOENT);
    FAILS(open("/index.html", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    FAILS(open("/index.html", O_RDONLY | O_DIRECTORY), ENOTDIR);
    FAILS(open("/sub", O_WRONLY), EISDIR);
    FAILS(open("/link.txt", O_RDONLY | O_NOFOLLOW), ELOOP);
    FAILS(unlink("/index.html"), EROFS);
    FAILS(unlink("/nodir/x"), ENOENT);
    FAILS(link("/index.html", "/copy.html"), EROFS);
    FAILS(link("/missing", "/copy.html"), ENOENT);
    FAILS(rename("/index.html", "/moved.html"), EROFS);
    FAILS(mkdir("/sub", 0755), EEXIST);
    FAILS(mkdir("/newdir", 0755), EROFS);
    FAILS(rmdir("/sub"), EROFS);
    FAILS(rmdir("/index.html"), ENOTDIR);
    CHECK(access("/index.html", R_OK) == 0);
    FAILS(access("/index.html", W_OK), EROFS);

    int fd = open("/index.html", O_RDONLY);
    CHECK(fd >= 0);
    FAILS(write(fd, "x", 1), EBADF);
    CHECK(read(fd, buf, 4) == 4 && memcmp(buf, "<h1>", 4) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 4);
    CHECK(lseek(fd, -3, SEEK_END) == 12 && read(fd, buf, sizeof buf) == 3 && memcmp(buf, "1>\n", 3) == 0);
    CHECK(read(fd, buf, sizeof buf) == 0);
    CHECK(lseek(fd, 100, SEEK_SET) == 100 && read(fd, buf, sizeof buf) == 0);
    FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
    FAILS(lseek(fd, 0, 42), EINVAL);
    CHECK(pread(fd, buf, 5, 4) == 5 && memcmp(buf, "hello", 5) == 0);
    CHECK(lseek(fd, 0, SEEK_CUR) == 100); /* pread leaves the offset alone */
    CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 15 && st.st_blksize == 512);
    CHECK((st.st_mode & 07777) == 0644);
    CHECK(fsync(fd) == 0);
    CHECK(close(fd) == 0);
    FAILS(close(fd), EBADF);

    /* stdio on top */
    FILE *f = fopen("/sub/nested/deep.txt", "r");
    CHECK(f && fgets(buf, sizeof buf, f) && strcmp(buf, "deep\n") == 0);
    if (f)
        fclose(f);
    CHECK(fopen("/index.html", "w") == NULL && errno == EROFS);
}

static void test_stat(void)
{
    struct stat st;
    CHECK(stat("/empty", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
    CHECK(has_text("/empty", ""));
    CHECK(stat("/dated.txt", &st) == 0 && st.st_mtime == 1600000000);
    CHECK(stat("/secret", &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK(stat("/run.sh", &st) == 0 && (st.st_mode & 07777) == 0755 && access("/run.sh", X_OK) == 0);
    FAILS(access("/index.html", X_OK), EACCES);
    CHECK(stat("/", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/sub", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750);
    CHECK(stat("/sub/", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/implied", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/link.txt", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 15);
    CHECK(lstat("/link.txt", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat(LONG_PATH, &st) == 0 && st.st_size == 10);
    CHECK(stat("/big.bin", &st) == 0 && st.st_size == BIG_BYTES && st.st_blocks == BIG_BYTES / 512);
    FAILS(stat("/missing", &st), ENOENT);
    FAILS(stat("/index.html/", &st), ENOTDIR);
}

static void test_big_file(void)
{
    char *buf = malloc(256 * 1024);
    int fd = open("/big.bin", O_RDONLY);
    CHECK(fd >= 0);
    long total = 0, ok = 1;
    ssize_t n;
    while ((n = read(fd, buf, 65536)) > 0) {
        ok &= big_matches(buf, total, n);
        total += n;
    }
    CHECK(n == 0 && total == BIG_BYTES && ok);
    CHECK(lseek(fd, 0, SEEK_END) == BIG_BYTES);
    CHECK(pread(fd, buf, 200000, 12345) == 200000 && big_matches(buf, 12345, 200000));
    CHECK(pread(fd, buf, 256 * 1024, BIG_BYTES - 1000) == 1000 && big_matches(buf, BIG_BYTES - 1000, 1000));
    ok = 1;
    for (long off = 777; off < 300000; off += 1013) { /* small reads: the block cache */
        n = pread(fd, buf, 100, off);
        ok &= n == 100 && big_matches(buf, off, 100);
    }
    CHECK(ok);
    CHECK(lseek(fd, 1000000, SEEK_SET) == 1000000 && read(fd, buf, 7) == 7 && big_matches(buf, 1000000, 7));
    CHECK(lseek(fd, 9, SEEK_CUR) == 1000016 && read(fd, buf, 16) == 16 && big_matches(buf, 1000016, 16));
    CHECK(close(fd) == 0);
    free(buf);
}

/* Lists (path) into (names), space-separated, in readdir order; returns the count or -1. */
static int list_dir(const char *path, char *names, size_t size)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int count = 0;
    struct dirent *e;
    names[0] = '\0';
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, "nested") == 0 && e->d_type != DT_DIR)
            return -1;
        if (strcmp(e->d_name, "b.txt") == 0 && e->d_type != DT_REG)
            return -1;
        snprintf(names + strlen(names), size - strlen(names), "%s%s", count ? " " : "", e->d_name);
        count++;
    }
    rewinddir(d);
    int again = 0;
    while (readdir(d))
        again++;
    closedir(d);
    return again == count ? count : -1;
}

static void test_directories(void)
{
    char names[512];
    CHECK(list_dir("/sub", names, sizeof names) == 4);
    CHECK(strstr(names, ". .. ") == names && strstr(names, "nested") && strstr(names, "b.txt"));
    int n = list_dir("/", names, sizeof names);
    printf("/: %s\n", names);
    CHECK(n >= 10 && strstr(names, "index.html") && strstr(names, "big.bin") && strstr(names, "long"));
    CHECK(list_dir("/sub/nested/", names, sizeof names) == 3 && strcmp(names, ". .. deep.txt") == 0);
    CHECK(opendir("/missing") == NULL && errno == ENOENT);
    CHECK(opendir("/index.html") == NULL && errno == ENOTDIR);

    int fd = open("/sub", O_RDONLY | O_DIRECTORY);
    char c;
    CHECK(fd >= 0);
    FAILS(read(fd, &c, 1), EISDIR);
    DIR *d = fdopendir(fd);
    CHECK(d && dirfd(d) == fd);
    struct dirent *e = d ? readdir(d) : NULL;
    CHECK(e && strcmp(e->d_name, ".") == 0 && e->d_type == DT_DIR);
    long pos = d ? telldir(d) : 0;
    e = d ? readdir(d) : NULL;
    char second[256];
    snprintf(second, sizeof second, "%s", e ? e->d_name : "");
    if (d) {
        seekdir(d, pos);
        e = readdir(d);
        CHECK(e && strcmp(e->d_name, second) == 0);
        CHECK(closedir(d) == 0);
    }
}

static void test_raw_disk(void)
{
    enum { LARGE = 300 * 1024 };
    char *buf = malloc(LARGE), *back = malloc(LARGE);
    struct stat st;
    int fd = open("/dev/vdb", O_RDWR);
    CHECK(fd >= 0);
    CHECK(fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && st.st_size == RAW_BYTES && st.st_blksize == 512);
    CHECK(stat("/dev/vdb", &st) == 0 && S_ISBLK(st.st_mode));

    /* unaligned: the sectors around the write keep their bytes (zeros, written first: runs share the image) */
    memset(back, 0, 8192);
    CHECK(pwrite(fd, back, 8192, 0) == 8192);
    for (size_t i = 0; i < 3000; i++)
        buf[i] = (char)('A' + i % 26);
    CHECK(pwrite(fd, buf, 3000, 1000) == 3000);
    CHECK(pread(fd, back, 5000, 0) == 5000);
    int zero = 1;
    for (int i = 0; i < 1000; i++)
        zero &= back[i] == 0 && back[4000 + i] == 0;
    CHECK(zero && memcmp(back + 1000, buf, 3000) == 0);
    CHECK(pwrite(fd, "x", 1, 511) == 1 && pread(fd, back, 3, 510) == 3 && memcmp(back, "\0x\0", 3) == 0);

    /* the file offset: read, write, lseek */
    CHECK(lseek(fd, 4097, SEEK_SET) == 4097 && write(fd, MARKER, strlen(MARKER)) == (ssize_t)strlen(MARKER));
    CHECK(lseek(fd, 0, SEEK_CUR) == 4097 + (off_t)strlen(MARKER));
    CHECK(lseek(fd, -(off_t)strlen(MARKER), SEEK_CUR) == 4097 && read(fd, back, strlen(MARKER)) ==
          (ssize_t)strlen(MARKER) && memcmp(back, MARKER, strlen(MARKER)) == 0);
    CHECK(lseek(fd, 0, SEEK_END) == RAW_BYTES);
    FAILS(lseek(fd, -1, SEEK_SET), EINVAL);

    /* large and unaligned, more than one request */
    for (size_t i = 0; i < LARGE; i++)
        buf[i] = (char)(i * 13 + i / 511);
    CHECK(pwrite(fd, buf, LARGE, 65536 + 3) == (ssize_t)LARGE);
    CHECK(pread(fd, back, LARGE, 65536 + 3) == (ssize_t)LARGE && memcmp(buf, back, LARGE) == 0);

    /* the end of the disk */
    CHECK(pwrite(fd, buf, 300, RAW_BYTES - 100) == 100);
    CHECK(pread(fd, back, 300, RAW_BYTES - 100) == 100 && memcmp(back, buf, 100) == 0);
    FAILS(pwrite(fd, buf, 1, RAW_BYTES), ENOSPC);
    CHECK(lseek(fd, 0, SEEK_END) == RAW_BYTES);
    FAILS(write(fd, buf, 10), ENOSPC);
    CHECK(read(fd, back, 10) == 0);
    CHECK(pread(fd, back, 10, RAW_BYTES + 5000) == 0);
    FAILS(pread(fd, back, 10, -1), EINVAL);
    CHECK(fsync(fd) == 0);
    CHECK(close(fd) == 0);

    /* the read-only disk and the raw view of disk 0 */
    FAILS(open("/dev/vdc", O_RDWR), EROFS);
    FAILS(open("/dev/vdc", O_WRONLY), EROFS);
    fd = open("/dev/vdc", O_RDONLY);
    CHECK(fd >= 0 && read(fd, back, 9) == 9 && memcmp(back, "unikit-ro", 9) == 0);
    FAILS(write(fd, "x", 1), EBADF);
    close(fd);
    FAILS(open("/dev/vda", O_RDWR), EROFS);
    fd = open("/dev/vda", O_RDONLY);
    CHECK(fd >= 0 && pread(fd, back, 6, 257) == 6 && memcmp(back, "ustar", 5) == 0);
    close(fd);
    FAILS(open("/dev/vdz", O_RDONLY), ENOENT);
    free(buf);
    free(back);
}

/* Usage: files tar | files notar — disk 0 a tar archive (then /dev/vdb raw, /dev/vdc read-only, if given) or refused. */
int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "tar";
    if (strcmp(mode, "tar") == 0) {
        test_open_and_read();
        test_stat();
        test_big_file();
        test_directories();
        int fd = open("/dev/vdb", O_RDONLY);
        if (fd >= 0) {
            close(fd);
            test_raw_disk();
        }
    } else {
        char names[64];
        struct stat st;
        FAILS(open("/index.html", O_RDONLY), ENOENT);
        FAILS(stat("/sub", &st), ENOENT);
        CHECK(list_dir("/", names, sizeof names) == 2 && strcmp(names, ". ..") == 0);
        int fd = open("/dev/vda", O_RDONLY);
        CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISBLK(st.st_mode));
        printf("/dev/vda: %lld bytes\n", (long long)st.st_size);
    }
    if (!failures)
        printf("SUCCESS\n");
    return failures ? 1 : 0;
}
