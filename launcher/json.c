/* json.c: writing JSON values with commas and escapes; reading the flat objects unikit writes. */
#include "json.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json_writer *w, FILE *out, bool pretty)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->pretty = pretty;
}

/* Before any value or key: the comma after the previous member, and the indent. */
static void before_item(struct json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->need_comma[w->depth])
        fputc(',', w->out);
    w->need_comma[w->depth] = true;
    if (w->pretty && w->depth > 0)
        fprintf(w->out, "\n%*s", 2 * w->depth, "");
}

static void open_nest(struct json_writer *w, char c)
{
    before_item(w);
    fputc(c, w->out);
    if (w->depth < JSON_MAX_DEPTH)
        w->depth++;
    w->need_comma[w->depth] = false;
}

static void close_nest(struct json_writer *w, char c)
{
    bool had_items = w->need_comma[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (w->pretty && had_items)
        fprintf(w->out, "\n%*s", 2 * w->depth, "");
    fputc(c, w->out);
}

void json_begin_object(struct json_writer *w) { open_nest(w, '{'); }
void json_end_object(struct json_writer *w) { close_nest(w, '}'); }
void json_begin_array(struct json_writer *w) { open_nest(w, '['); }
void json_end_array(struct json_writer *w) { close_nest(w, ']'); }

static void put_escaped(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
    before_item(w);
    put_escaped(w->out, key);
    fputs(w->pretty ? ": " : ":", w->out);
    w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
    before_item(w);
    if (s == NULL)
        fputs("null", w->out);
    else
        put_escaped(w->out, s);
}

void json_int(struct json_writer *w, int64_t v)
{
    before_item(w);
    fprintf(w->out, "%" PRId64, v);
}

void json_bool(struct json_writer *w, bool v)
{
    before_item(w);
    fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
    before_item(w);
    fputs("null", w->out);
}

void json_kv_string(struct json_writer *w, const char *key, const char *s)
{
    json_key(w, key);
    json_string(w, s);
}

void json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_int(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, bool v)
{
    json_key(w, key);
    json_bool(w, v);
}

/* ---- reading ---- */

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* Decodes the string at (p) (just after its opening quote) into (buf); returns the end or NULL. */
static const char *read_string(const char *p, char *buf)
{
    size_t n = 0;
    for (; *p != '"'; p++) {
        char c = *p;
        if (c == '\0' || n + 1 >= JSON_MAX_STRING)
            return NULL;
        if (c == '\\') {
            p++;
            switch (*p) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case '"': case '\\': case '/': c = *p; break;
            case 'u': {
                char hex[5] = {0};
                for (int i = 0; i < 4; i++)
                    if (!isxdigit((unsigned char)(hex[i] = p[1 + i])))
                        return NULL;
                long v = strtol(hex, NULL, 16);
                if (v > 0x7f)
                    return NULL; /* unikit writes \u only for control characters */
                c = (char)v;
                p += 4;
                break;
            }
            default: return NULL;
            }
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    return p + 1;
}

/* A scalar that is not a string: an integer, true, false or null. */
static const char *read_scalar(const char *p, char *buf, int64_t *num)
{
    size_t n = strcspn(p, ",} \t\r\n");
    if (n == 0 || n >= 32)
        return NULL;
    memcpy(buf, p, n);
    buf[n] = '\0';
    *num = 0;
    if (strcmp(buf, "true") == 0)
        *num = 1;
    else if (strcmp(buf, "false") != 0 && strcmp(buf, "null") != 0) {
        char *end;
        *num = strtoll(buf, &end, 10);
        if (*end != '\0')
            return NULL;
    }
    return p + n;
}

int json_read_flat(const char *text, json_member_fn member, void *ctx)
{
    char *key = malloc(JSON_MAX_STRING), *val = malloc(JSON_MAX_STRING);
    const char *p = skip_space(text);
    int rc = -1;

    if (key == NULL || val == NULL || *p++ != '{')
        goto out;
    p = skip_space(p);
    if (*p == '}') {
        rc = 0;
        goto out;
    }
    for (;;) {
        int64_t num = 0;
        if (*p++ != '"' || (p = read_string(p, key)) == NULL)
            goto out;
        p = skip_space(p);
        if (*p++ != ':')
            goto out;
        p = skip_space(p);
        if (*p == '"')
            p = read_string(p + 1, val);
        else
            p = read_scalar(p, val, &num);
        if (p == NULL)
            goto out;
        member(ctx, key, val, num);
        p = skip_space(p);
        if (*p == '}')
            break;
        if (*p++ != ',')
            goto out;
        p = skip_space(p);
    }
    rc = 0;
out:
    free(key);
    free(val);
    return rc;
}
