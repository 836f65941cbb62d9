/* glob.c: Redis-style glob matching for KEYS: * ? [set] [^set] [a-z] and backslash escapes, binary-safe. */
#include "kvstore.h"

/* Matches the bracket set at (*pat) (just past '[') against (c); moves (*pat, *pn) past the ']'. */
static int match_set(const char **pat, size_t *pn, unsigned char c)
{
    const char *p = *pat;
    size_t n = *pn;
    int negate = 0, hit = 0;
    if (n > 0 && *p == '^') {
        negate = 1;
        p++, n--;
    }
    while (n > 0 && *p != ']') {
        if (*p == '\\' && n >= 2) {
            p++, n--;
            hit |= (unsigned char)*p == c;
            p++, n--;
        } else if (n >= 3 && p[1] == '-' && p[2] != ']') {
            unsigned char lo = (unsigned char)p[0], hi = (unsigned char)p[2];
            if (lo > hi) {
                unsigned char t = lo;
                lo = hi;
                hi = t;
            }
            hit |= c >= lo && c <= hi;
            p += 3, n -= 3;
        } else {
            hit |= (unsigned char)*p == c;
            p++, n--;
        }
    }
    if (n > 0) /* the ']' */
        p++, n--;
    *pat = p;
    *pn = n;
    return negate ? !hit : hit;
}

int glob_match(const char *pat, size_t pn, const char *s, size_t sn)
{
    /* Iterative, with one backtrack point for the last '*': linear-ish, never exponential. */
    const char *star_p = NULL, *star_s = NULL;
    size_t star_pn = 0, star_sn = 0;

    for (;;) {
        if (pn > 0 && *pat == '*') {
            while (pn > 0 && *pat == '*')
                pat++, pn--;
            if (pn == 0)
                return 1;
            star_p = pat, star_pn = pn;
            star_s = s, star_sn = sn;
            continue;
        }
        if (sn == 0 && pn == 0)
            return 1;
        if (sn > 0 && pn > 0) {
            const char *p = pat;
            size_t n = pn;
            int ok;
            if (*p == '?') {
                ok = 1;
                p++, n--;
            } else if (*p == '[') {
                p++, n--;
                ok = match_set(&p, &n, (unsigned char)*s);
            } else {
                if (*p == '\\' && n >= 2)
                    p++, n--;
                ok = *p == *s;
                p++, n--;
            }
            if (ok) {
                pat = p, pn = n;
                s++, sn--;
                continue;
            }
        }
        if (star_p == NULL || star_sn == 0)
            return 0;
        /* Let the last '*' take one more byte, and try again from there. */
        star_s++, star_sn--;
        pat = star_p, pn = star_pn;
        s = star_s, sn = star_sn;
    }
}
