/* crash.c: guest test — each argument makes one kind of fatal error, for the panic report tests. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* noinline keeps each crash in a function of its own, so the report can name it. */
/* Volatile, so the compiler cannot see the values and drop the "undefined" operations. */
static int *volatile null_pointer = NULL;
static volatile int zero = 0, one = 1;

__attribute__((noinline)) static void write_through_null(void)
{
    *null_pointer = 42;
}

/* Recurses while (limit) is not reached, which never happens: the guard page stops it. */
__attribute__((noinline)) static int recurse_forever(int depth, volatile int *limit)
{
    volatile char pad[256];
    pad[0] = (char)depth;
    if (depth == *limit)
        return 0;
    return recurse_forever(depth + 1, limit) + pad[0];
}

__attribute__((noinline)) static int divide(int a, int b)
{
    return a / b;
}

__attribute__((noinline)) static void invalid_opcode(void)
{
    __asm__ volatile("ud2");
}

__attribute__((noinline)) static void general_protection(void)
{
    volatile long *noncanonical = (long *)0x8000000000000000UL;
    *noncanonical = 1;
}

static void *recurse_in_thread(void *arg)
{
    volatile int never = -1;
    (void)arg;
    recurse_forever(0, &never);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    printf("crash: %s\n", what);
    if (!strcmp(what, "null"))
        write_through_null();
    else if (!strcmp(what, "stack"))
    {
        volatile int never = -1;
        return recurse_forever(0, &never);
    }
    else if (!strcmp(what, "thread-stack")) {
        pthread_t t;
        pthread_create(&t, NULL, recurse_in_thread, NULL);
        pthread_join(t, NULL);
    } else if (!strcmp(what, "divide"))
        return divide(one, zero);
    else if (!strcmp(what, "ud2"))
        invalid_opcode();
    else if (!strcmp(what, "gp"))
        general_protection();
    else if (!strcmp(what, "abort"))
        abort();
    else if (!strcmp(what, "assert"))
        assert(argc == 42);
    printf("crash: nothing crashed\n");
    return 3;
}
