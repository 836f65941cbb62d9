/* printk.c: a small formatted printer for kernel messages (no newlib, no heap). */
#include "kernel.h"

struct sink {
    char *buf;
    size_t size, len;
};

static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->size)
        s->buf[s->len] = c;
    s->len++;
}

static void put_str(struct sink *s, const char *str, int width, bool left)
{
    int n = (int)kstrlen(str);
    for (int i = n; !left && i < width; i++)
        put(s, ' ');
    while (*str)
        put(s, *str++);
    for (int i = n; left && i < width; i++)
        put(s, ' ');
}

static void put_num(struct sink *s, uint64_t v, unsigned base, int width, char pad, bool neg)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        tmp[n++] = '-';
    for (int i = n; i < width; i++)
        put(s, pad);
    while (n)
        put(s, tmp[--n]);
}

/* Supports %s %c %d %i %u %x %p %% with l/ll/z sizes, width, '0' and '-'. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&s, *fmt);
            continue;
        }
        fmt++;
        bool left = false;
        char pad = ' ';
        if (*fmt == '-') {
            left = true;
            fmt++;
        }
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        int width = 0;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        int longs = 0;
        while (*fmt == 'l' || *fmt == 'z') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *str = va_arg(ap, const char *);
            put_str(&s, str ? str : "(null)", width, left);
            break;
        }
        case 'c':
            put(&s, (char)va_arg(ap, int));
            break;
        case 'd':
        case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(&s, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_num(&s, v, *fmt == 'u' ? 10 : 16, width, pad, false);
            break;
        }
        case 'p':
            put(&s, '0');
            put(&s, 'x');
            put_num(&s, (uintptr_t)va_arg(ap, void *), 16, 16, '0', false);
            break;
        case '%':
            put(&s, '%');
            break;
        default:
            put(&s, '%');
            if (*fmt)
                put(&s, *fmt);
            else
                fmt--;
        }
    }
    if (size)
        buf[s.len < size ? s.len : size - 1] = '\0';
    return (int)s.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* Formats into one buffer and writes it with one console call (one exit under unikit's VMM). */
void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1;
    uk_console_write(buf, (size_t)n);
}
