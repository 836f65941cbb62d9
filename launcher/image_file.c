/* image_file.c: reading an image file into memory and checking it. */
#include "image.h"
#include "uefi_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads exactly len bytes from fd; returns 0, or -1 with errno set (EIO if the file shrank). */
static int read_all(int fd, uint8_t *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int image_read_file(const char *path, uint8_t **data, size_t *len,
                    struct image_info *out, struct uk_error *err)
{
    char why[256];
    struct stat st;
    uint8_t *buf = NULL;
    int fd, ret = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return uk_error_set(err, errno, "%s: cannot open", path);
    if (fstat(fd, &st) < 0) {
        uk_error_set(err, errno, "%s: cannot stat", path);
        goto out_close;
    }
    if (!S_ISREG(st.st_mode)) {
        uk_error_set(err, 0, "%s: not a regular file", path);
        goto out_close;
    }
    if ((uint64_t)st.st_size > IMAGE_MAX_FILE_SIZE) {
        uk_error_set(err, 0, "%s: %lld bytes is too large for an image (limit %u MiB)", path,
                     (long long)st.st_size, IMAGE_MAX_FILE_SIZE >> 20);
        goto out_close;
    }
    buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
    if (buf == NULL) {
        uk_error_set(err, errno, "%s: cannot allocate %lld bytes", path, (long long)st.st_size);
        goto out_close;
    }
    if (read_all(fd, buf, (size_t)st.st_size) < 0) {
        uk_error_set(err, errno, "%s: cannot read", path);
        goto out_free;
    }
    if ((out->kind == IMAGE_KIND_UEFI ? uefi_image_parse : image_parse)(buf, (size_t)st.st_size,
                                                                        out, why, sizeof(why)) < 0) {
        uk_error_set(err, 0, "%s: %s", path, why);
        goto out_free;
    }
    *data = buf;
    *len = (size_t)st.st_size;
    buf = NULL;
    ret = 0;
out_free:
    free(buf);
out_close:
    close(fd);
    return ret;
}
