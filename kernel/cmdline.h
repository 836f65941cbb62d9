/* cmdline.h: decoding the boot command line (format in boot_abi.h); pure C, unit-tested on the host. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_MAX_TOKENS 4096

struct cmdline {
    int nkopt, nenv, nargs;
    char **kopt; /* nkopt "key=value" options, then NULL */
    char **env;  /* nenv "NAME=value" entries, then NULL */
    char **argv; /* nargs arguments (at least argv[0]), then NULL */
    char *slots[CMDLINE_MAX_TOKENS + 4];
};

/*
 * Splits and decodes the NUL-terminated command line in (*buf) in place and
 * fills (*out), whose arrays point into (buf). Returns 0, or -1 when a token
 * has a malformed %-escape or there are more than CMDLINE_MAX_TOKENS tokens;
 * then (*why) says which.
 */
int cmdline_parse(char *buf, struct cmdline *out, const char **why);

/*
 * Returns the value of kernel option (key) ("key=value"), or NULL. For
 * repeated keys, (nth) picks the occurrence (0 = first).
 */
const char *cmdline_kopt(const struct cmdline *cl, const char *key, int nth);

#endif
