/* libos.h: what the libos' files offer each other. */
#ifndef LIBOS_LIBOS_H
#define LIBOS_LIBOS_H

#include <errno.h>
#include <stdint.h>
#include <unikit/kernel.h>

/* Sets errno to (e) and returns -1, the POSIX failure convention. */
static inline int libos_fail(int e)
{
    errno = e;
    return -1;
}

// console_fd.c
void console_fd_init(void);

// files.c
/* Mounts the tar archive on disk 0 at / (tarfs.h), if there is a disk. */
void files_init(void);

// lwip/net_init.c
void net_init(void);

// idle.c
/* Waits until (deadline_ns) or an event; the one place the libos blocks. */
void libos_idle(uint64_t deadline_ns);

#endif
