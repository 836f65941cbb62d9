/* check.h: the unit tests' reporting: one `PASS name` or `FAIL name: why` line per case. */
#ifndef UNIKIT_TEST_CHECK_H
#define UNIKIT_TEST_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int check_failures;

/* Prints (text) on one line: control bytes and backslashes as \xNN, so a name never breaks a line. */
static inline void check_print_name(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            printf("\\x%02x", *p);
        else
            putchar(*p);
    }
}

/*
 * Reports the case (name): PASS when (ok), else FAIL with the printf-style
 * reason. Returns (ok), so a test can stop early on a broken precondition.
 */
static inline bool check(bool ok, const char *name, const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline bool check(bool ok, const char *name, const char *why_fmt, ...)
{
    va_list ap;
    char why[1024];

    fputs(ok ? "PASS " : "FAIL ", stdout);
    check_print_name(name);
    if (!ok) {
        check_failures++;
        va_start(ap, why_fmt);
        vsnprintf(why, sizeof(why), why_fmt, ap);
        va_end(ap);
        fputs(": ", stdout);
        check_print_name(why);
    }
    putchar('\n');
    fflush(stdout);
    return ok;
}

/* The test program's exit status: 0 when every case passed. */
static inline int check_status(void)
{
    return check_failures == 0 ? 0 : 1;
}

#endif /* UNIKIT_TEST_CHECK_H */
