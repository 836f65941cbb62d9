/* console_fd.c: descriptors 0, 1 and 2 — the console. */
#include <fcntl.h>

#include "fd.h"
#include "libos.h"
#include "sched.h"

static ssize_t console_read(void *obj, void *buf, size_t len)
{
    (void)obj;
    if (len == 0)
        return 0;
    for (;;) { /* blocks until at least one byte has arrived */
        size_t n = uk_console_read(buf, len);
        if (n)
            return (ssize_t)n;
        sched_block(NULL, uk_clock_monotonic() + 1000000); /* poll the UART every ms */
    }
}

static ssize_t console_write(void *obj, const void *buf, size_t len)
{
    (void)obj;
    uk_console_write(buf, len);
    return (ssize_t)len;
}

static int console_fstat(void *obj, struct stat *st)
{
    (void)obj;
    *st = (struct stat){.st_mode = S_IFCHR | 0620, .st_blksize = 1024};
    return 0;
}

static int console_poll(void *obj)
{
    (void)obj;
    return FD_WRITABLE; /* TODO: readable needs a peek at the UART without consuming */
}

static const struct fd_ops console_ops = {
    .kind = "console",
    .read = console_read,
    .write = console_write,
    .fstat = console_fstat,
    .poll = console_poll,
};

void console_fd_init(void)
{
    fd_alloc(&console_ops, NULL, O_RDONLY);
    fd_alloc(&console_ops, NULL, O_WRONLY);
    fd_alloc(&console_ops, NULL, O_WRONLY);
}
