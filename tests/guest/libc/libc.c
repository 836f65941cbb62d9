/* libc.c: guest test — newlib's system-call glue: errors as POSIX says, strtod, qsort, getenv, stdio. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <unistd.h>

#include "guest_check.h"

static int failures;


static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    struct stat st;
    errno = 0;
    CHECK(open("/etc/passwd", O_RDONLY) == -1 && errno == ENOENT);
    CHECK(fopen("/nonexistent", "r") == NULL && errno == ENOENT);
    CHECK(isatty(1) == 1 && isatty(2) == 1);
    CHECK(isatty(7) == 0 && errno == EBADF);
    CHECK(fstat(1, &st) == 0 && S_ISCHR(st.st_mode));
    CHECK(fstat(9, &st) == -1 && errno == EBADF);
    CHECK(lseek(1, 0, SEEK_SET) == -1 && errno == ESPIPE);
    CHECK(write(5, "x", 1) == -1 && errno == EBADF);
    CHECK(close(42) == -1 && errno == EBADF);
    CHECK(getpid() == 1);
    CHECK(fork() == -1 && errno == ENOSYS);
    CHECK(kill(getpid(), 0) == 0);
    CHECK(kill(99, SIGTERM) == -1 && errno == ESRCH);
    CHECK(sbrk(0) != (void *)-1);
    CHECK(sbrk((intptr_t)1 << 40) == (void *)-1 && errno == ENOMEM);

    struct tms t;
    CHECK(times(&t) != (clock_t)-1);

    char *end;
    double d = strtod("3.25e2xyz", &end);
    CHECK(d == 325.0 && strcmp(end, "xyz") == 0);
    CHECK(strtol("-0x1f", NULL, 16) == -31);

    int v[] = {5, -3, 9, 0, 42, 7, -11, 3};
    qsort(v, sizeof v / sizeof v[0], sizeof v[0], compare_ints);
    for (size_t i = 1; i < sizeof v / sizeof v[0]; i++)
        CHECK(v[i - 1] <= v[i]);

    CHECK(getenv("LIBC_TEST") && strcmp(getenv("LIBC_TEST"), "yes") == 0);
    CHECK(getenv("NOT_SET_ANYWHERE") == NULL);
    CHECK(setenv("NEW_VAR", "1", 1) == 0 && strcmp(getenv("NEW_VAR"), "1") == 0);

    char buf[64];
    snprintf(buf, sizeof buf, "%zu %lld %.3f %s", (size_t)12, -5LL, 2.5, "ok");
    CHECK(strcmp(buf, "12 -5 2.500 ok") == 0);

    fprintf(stderr, "stderr works\n");
    if (failures == 0)
        printf("SUCCESS\n");
    return failures ? 1 : 0;
}
