/* cc.h: lwIP's compiler and platform glue for unikit (newlib, x86_64, the unikit kernel). */
#ifndef UNIKIT_LWIP_CC_H
#define UNIKIT_LWIP_CC_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/types.h>

/* newlib has ssize_t but no SSIZE_MAX; without it lwIP would typedef its own. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#define LWIP_RAND() ((u32_t)rand())

void uk_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        printf x;             \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) uk_panic("lwIP assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)

#endif
