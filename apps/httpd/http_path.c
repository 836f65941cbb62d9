/* http_path.c: turns a request target into a clean path below the site root (percent-decoding, dot segments). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"

int http_path(const char *target, size_t len, char *out, size_t size, int *trailing_slash)
{
    char decoded[HTTP_MAX_PATH];
    size_t dn = 0;

    if (len == 0 || target[0] != '/')
        return 400;
    for (size_t i = 0; i < len && target[i] != '?' && target[i] != '#'; i++) {
        char c = target[i];
        if (c == '%') {
            if (i + 2 >= len || !isxdigit((unsigned char)target[i + 1]) || !isxdigit((unsigned char)target[i + 2]))
                return 400;
            char hex[3] = {target[i + 1], target[i + 2], '\0'};
            c = (char)strtol(hex, NULL, 16);
            i += 2;
        }
        if (c == '\0')
            return 400;
        if (dn + 1 >= sizeof(decoded))
            return 414;
        decoded[dn++] = c;
    }

    /* Rebuild segment by segment: "." and empty segments vanish, ".." drops the last one. */
    size_t on = 0;
    size_t i = 0;
    *trailing_slash = 0;
    while (i < dn) {
        while (i < dn && decoded[i] == '/')
            i++;
        size_t s = i;
        while (i < dn && decoded[i] != '/')
            i++;
        size_t seg = i - s;
        *trailing_slash = (i == dn && seg == 0) || (seg == 1 && decoded[s] == '.') ||
                          (seg == 2 && decoded[s] == '.' && decoded[s + 1] == '.');
        if (seg == 0 || (seg == 1 && decoded[s] == '.'))
            continue;
        if (seg == 2 && decoded[s] == '.' && decoded[s + 1] == '.') {
            if (on == 0)
                return 403;
            while (on > 0 && out[on - 1] != '/')
                on--;
            on--; /* the '/' before the dropped segment */
            continue;
        }
        if (on + 1 + seg + 1 > size)
            return 414;
        out[on++] = '/';
        memcpy(out + on, decoded + s, seg);
        on += seg;
    }
    if (on == 0) {
        out[on++] = '/';
        *trailing_slash = 1;
    }
    out[on] = '\0';
    return 0;
}
