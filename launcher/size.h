/* size.h: parsing memory sizes given on the command line ("32M", "1G", "4096"). */
#ifndef UNIKIT_SIZE_H
#define UNIKIT_SIZE_H

#include <stdint.h>

#include "error.h"

/*
 * Parses (text) as a size in bytes: decimal digits, optionally followed by one
 * binary suffix K, M, G or T (either case, an optional trailing "iB" or "B"
 * allowed: "512K", "32M", "1GiB"). Stores the size in (*bytes); returns 0, or
 * -1 with (*err) saying why (empty, not a number, unknown suffix, overflow).
 */
int size_parse(const char *text, uint64_t *bytes, struct uk_error *err);

/* Writes (bytes) to (buf) the short way ("32M", "1536K", "100") and returns buf. */
const char *size_format(uint64_t bytes, char *buf, unsigned buflen);

#endif /* UNIKIT_SIZE_H */
