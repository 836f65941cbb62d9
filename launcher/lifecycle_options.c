/* lifecycle_options.c: checking `unikit run`'s instance flags (--name, --runtime, --cpus, --pids, --memory-limit). */
#include "lifecycle_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "size.h"
#include "state.h"

int cpus_parse(const char *text, uint64_t period_us, uint64_t *quota_us)
{
    uint64_t whole = 0, frac = 0, scale = 1;
    const char *p = text;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((whole = whole * 10 + (uint64_t)(*p - '0')) > 1024)
            return -1;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            if (scale == 1000)
                return -1;
            frac = frac * 10 + (uint64_t)(*p - '0');
            scale *= 10;
        }
    }
    if (*p != '\0')
        return -1;
    /* The kernel's minimum quota is 1 ms. */
    uint64_t q = whole * period_us + frac * period_us / scale;
    if (q < 1000 || whole * scale + frac > 1024 * scale)
        return -1;
    *quota_us = q;
    return 0;
}

int lifecycle_option(const char *long_name, const char *value, struct run_config *cfg,
                     struct uk_error *err)
{
    if (strcmp(long_name, "--name") == 0) {
        if (!state_valid_name(value))
            return uk_error_set(err, 0, "run: --name `%s`: expected 1 to %d of [A-Za-z0-9_.-], "
                                "starting with a letter or digit", value, INSTANCE_NAME_MAX - 1);
        cfg->name = value;
    } else if (strcmp(long_name, "--runtime") == 0) {
        if (strcmp(value, "vm") == 0)
            cfg->runtime = RUNTIME_VM;
        else if (strcmp(value, "container") == 0)
            cfg->runtime = RUNTIME_CONTAINER;
        else
            return uk_error_set(err, 0, "run: --runtime `%s`: expected vm or container", value);
    } else if (strcmp(long_name, "--cpus") == 0) {
        if (cpus_parse(value, RUN_CPU_PERIOD_US, &cfg->cpu_quota_us) < 0)
            return uk_error_set(err, 0, "run: --cpus `%s`: expected a number of CPUs from 0.01 "
                                "to 1024, like 0.5 or 2", value);
        cfg->cpu_period_us = RUN_CPU_PERIOD_US;
    } else if (strcmp(long_name, "--pids") == 0) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(value, &end, 10);
        if (errno || end == value || *end || value[0] == '-' || n == 0 || n > 4194304)
            return uk_error_set(err, 0, "run: --pids `%s`: expected a number of processes from "
                                "1 to 4194304", value);
        cfg->pids_max = n;
    } else if (strcmp(long_name, "--memory-limit") == 0) {
        uint64_t bytes;
        if (size_parse(value, &bytes, err) < 0)
            return uk_error_prefix(err, "run: --memory-limit");
        if (bytes < (UINT64_C(4) << 20))
            return uk_error_set(err, 0, "run: --memory-limit %s: at least 4M", value);
        cfg->memory_limit = bytes;
    }
    return 0;
}
