/* err.c: the VMM's one-line error messages. */
#include <stdio.h>
#include <string.h>

#include "vmm_internal.h"

int vmm_fail(int err, const char *fmt, ...)
{
    va_list ap;

    fputs("unikit: vmm: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (err != 0)
        fprintf(stderr, ": %s", strerror(err));
    fputc('\n', stderr);
    return -1;
}

void vmm_guest_error(const char *fmt, ...)
{
    va_list ap;

    fputs("unikit: vmm: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
