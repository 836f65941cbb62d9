/* error.c: filling and printing struct uk_error. */
#include "error.h"

#include <stdio.h>
#include <string.h>

int uk_error_set(struct uk_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;

    err->errnum = errnum;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

int uk_error_prefix(struct uk_error *err, const char *fmt, ...)
{
    char prefix[UK_ERROR_MSG_MAX];
    char old[UK_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
        memcpy(err->msg + sizeof(err->msg) - 4, "...", 4); /* show that it was cut */
    return -1;
}

void uk_error_print(const struct uk_error *err)
{
    if (err->errnum != 0)
        fprintf(stderr, "unikit: %s: %s\n", err->msg, strerror(err->errnum));
    else
        fprintf(stderr, "unikit: %s\n", err->msg);
}

void uk_warn(const char *fmt, ...)
{
    va_list ap;

    fputs("unikit: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
