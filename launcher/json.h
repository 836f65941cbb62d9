/* json.h: a tiny JSON writer (state files, inspect, ps --format json) and a reader for flat objects. */
#ifndef UNIKIT_JSON_H
#define UNIKIT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The writer puts one value after another on (out), adding the commas and
 * the quotes: json_begin_object, then json_key + a value for each member,
 * json_end_object. Nesting is up to JSON_MAX_DEPTH. Output errors stick to
 * the FILE (check ferror after the last call).
 */
#define JSON_MAX_DEPTH 8

struct json_writer {
    FILE *out;
    int depth;
    bool need_comma[JSON_MAX_DEPTH + 1];
    bool pretty;      /* newline and indent before each member */
    bool after_key;   /* the next value follows a key: no comma, no newline */
};

void json_init(struct json_writer *w, FILE *out, bool pretty);
void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s); /* NULL writes null */
void json_int(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* Shorthands: a key and its value. */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_int(struct json_writer *w, const char *key, int64_t v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);

/*
 * Reads (text), which must hold one object whose members are strings,
 * integers, true, false or null (what unikit's own state files hold), and
 * calls (member) once per member, in order: (str) is the decoded string (or
 * "true"/"false"/"null"/the number's text), (num) the integer (0 unless a
 * number or a boolean). Returns 0, or -1 at the first syntax error or
 * unsupported value (a nested object or array, a string longer than
 * JSON_MAX_STRING).
 */
#define JSON_MAX_STRING 4096
typedef void (*json_member_fn)(void *ctx, const char *key, const char *str, int64_t num);
int json_read_flat(const char *text, json_member_fn member, void *ctx);

#endif /* UNIKIT_JSON_H */
