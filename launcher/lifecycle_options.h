/* lifecycle_options.h: `unikit run`'s instance flags: --name, --runtime, --cpus, --pids, --memory-limit. */
#ifndef UNIKIT_LIFECYCLE_OPTIONS_H
#define UNIKIT_LIFECYCLE_OPTIONS_H

#include "error.h"
#include "run_config.h"

/* Checks (value) for the flag (long_name) and stores it in (*cfg); 0, or -1 with (*err) set. */
int lifecycle_option(const char *long_name, const char *value, struct run_config *cfg,
                     struct uk_error *err);

/* Parses "0.5", "2", "1.25" (up to 3 decimals, > 0, at most 1024) into a quota of (period_us). */
int cpus_parse(const char *text, uint64_t period_us, uint64_t *quota_us);

#endif /* UNIKIT_LIFECYCLE_OPTIONS_H */
