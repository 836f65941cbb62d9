/* guest_check.h: the CHECK macro every guest test uses — prints the failed condition, counts it, goes on. */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <errno.h>
#include <stdio.h>

/* Each test defines `static int failures;` once and prints SUCCESS when it stays 0. */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: %s (line %d, errno %d)\n", #cond, __LINE__, errno);                      \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#endif
