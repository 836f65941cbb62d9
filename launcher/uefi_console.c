/* uefi_console.c: the guest console under OVMF, with the firmware's own output before the stub's mark dropped. */
#include "qemu_uefi.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Feeds (n) bytes to the mark matcher; returns the offset just past the mark, or -1. */
static ssize_t find_mark(const char *buf, size_t n, size_t *matched)
{
    static const char mark[] = UEFI_CONSOLE_MARK;
    const size_t len = sizeof(mark) - 1;

    for (size_t i = 0; i < n; i++) {
        if (buf[i] == mark[*matched])
            (*matched)++;
        else
            *matched = buf[i] == mark[0]; /* enough: no proper suffix of a partial match but ESC starts the mark */
        if (*matched == len)
            return (ssize_t)(i + 1);
    }
    return -1;
}

int uefi_console_relay(int from_fd, int to_fd, pid_t qemu, struct uk_error *err)
{
    long long deadline = now_ms() + UEFI_FIRMWARE_TIMEOUT_MS;
    bool seen = false;
    size_t matched = 0;
    char buf[4096];

    for (;;) {
        if (!seen) {
            long long left = deadline - now_ms();
            struct pollfd p = {.fd = from_fd, .events = POLLIN};
            int r = left > 0 ? poll(&p, 1, (int)left) : 0;
            if (r < 0 && errno == EINTR)
                continue;
            if (r == 0) {
                kill(qemu, SIGTERM);
                return uk_error_set(err, 0, "uefi: the firmware did not start the EFI "
                                    "application within %d s", UEFI_FIRMWARE_TIMEOUT_MS / 1000);
            }
        }
        ssize_t n = read(from_fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0; /* QEMU exited (or the pipe broke): nothing more to show */
        size_t start = 0;
        if (!seen) {
            ssize_t past = find_mark(buf, (size_t)n, &matched);
            if (past < 0)
                continue;
            seen = true;
            start = (size_t)past;
        }
        /* A console that cannot be written to must not stop the guest: keep draining. */
        (void)write_all(to_fd, buf + start, (size_t)n - start);
    }
}
