/* size.c: parsing and printing memory sizes. */
#include "size.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int suffix_shift(const char *s)
{
    static const char units[] = "KMGT";
    const char *u;

    if (*s == '\0')
        return 0;
    u = strchr(units, toupper((unsigned char)*s));
    if (u == NULL)
        return -1;
    s++;
    /* Accept "K", "KB", "KiB" (all binary). */
    if (*s == '\0' || strcasecmp(s, "b") == 0 || strcasecmp(s, "ib") == 0)
        return 10 * (int)(u - units + 1);
    return -1;
}

int size_parse(const char *text, uint64_t *bytes, struct uk_error *err)
{
    uint64_t value = 0;
    const char *p = text;
    int shift;

    if (!isdigit((unsigned char)*p))
        return uk_error_set(err, 0, "`%s` is not a size (expected a number like 32M, 1G, 512K)",
                            text);
    for (; isdigit((unsigned char)*p); p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return uk_error_set(err, 0, "size `%s` is too large", text);
        value = value * 10 + digit;
    }
    shift = suffix_shift(p);
    if (shift < 0)
        return uk_error_set(err, 0, "size `%s` has an unknown unit (use K, M, G or T)", text);
    if (shift > 0 && value > (UINT64_MAX >> shift))
        return uk_error_set(err, 0, "size `%s` is too large", text);
    *bytes = value << shift;
    return 0;
}

const char *size_format(uint64_t bytes, char *buf, unsigned buflen)
{
    static const char units[] = "KMGT";
    int unit = -1;

    while (unit < 3 && bytes != 0 && bytes % 1024 == 0) {
        bytes /= 1024;
        unit++;
    }
    if (unit < 0)
        snprintf(buf, buflen, "%llu", (unsigned long long)bytes);
    else
        snprintf(buf, buflen, "%llu%c", (unsigned long long)bytes, units[unit]);
    return buf;
}
