/* error.h: errors with context, returned by library code and printed by main. */
#ifndef UNIKIT_ERROR_H
#define UNIKIT_ERROR_H

#include <stdarg.h>

/*
 * Library code never prints: a function that fails fills a struct uk_error
 * with one line of context ("qemu: fork" or "hello.elf: not an ELF file") and
 * the errno that caused it (0 when none did), then returns -1. Only the verb
 * that called it (cmd_*.c, on main's behalf) prints the message, with
 * uk_error_print, and chooses the exit status.
 *
 * Printed, a message reads "unikit: <context>: <strerror(errnum)>", or
 * "unikit: <context>" when errnum is 0.
 */

#define UK_ERROR_MSG_MAX 512

struct uk_error {
    int errnum;                  /* errno of the failure, 0 if none */
    char msg[UK_ERROR_MSG_MAX];  /* context, without the "unikit: " prefix */
};

/* Sets (*err) to errnum and the printf-style message; returns -1. */
int uk_error_set(struct uk_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in (*err) with "<printf-style text>: "; returns -1. */
int uk_error_prefix(struct uk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes (*err) to stderr as one line "unikit: msg[: strerror]". */
void uk_error_print(const struct uk_error *err);

/* Writes one line "unikit: <printf-style text>" to stderr (for verbs' own messages). */
void uk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* UNIKIT_ERROR_H */
