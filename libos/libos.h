/* libos.h: what the libos' files offer each other. */
#ifndef LIBOS_LIBOS_H
#define LIBOS_LIBOS_H

#include <errno.h>
#include <unikit/kernel.h>

/* Sets errno to (e) and returns -1, the POSIX failure convention. */
static inline int libos_fail(int e)
{
    errno = e;
    return -1;
}

// syscalls.c
int libos_is_console_fd(int fd);

#endif
