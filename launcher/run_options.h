/* run_options.h: parsing `unikit run`'s flags into a struct run_config (pure, unit-tested). */
#ifndef UNIKIT_RUN_OPTIONS_H
#define UNIKIT_RUN_OPTIONS_H

#include "error.h"
#include "run_config.h"

/* What run_options_parse found. */
enum run_parse_result {
    RUN_PARSE_ERROR = -1, /* (*err) says why */
    RUN_PARSE_OK = 0,     /* (*cfg) is ready for the image check */
    RUN_PARSE_HELP = 1,   /* --help was asked for */
};

/*
 * Parses (argv[1..argc-1]) (argv[0] is "run") into (*cfg): options, then
 * IMAGE, then the guest's ARGS, which are never taken as options, even when
 * they look like one ("--" before IMAGE ends the options early too).
 * cfg->env points into a new array, and a "--disk PATH:ro" path is a copy
 * (run_options_free releases both, whatever the result); every other string
 * points into (argv). Defaults: RUN_DEFAULT_VMM, ACCEL_AUTO, RUN_DEFAULT_MEM,
 * console on stdout, no disks.
 */
enum run_parse_result run_options_parse(int argc, char **argv, struct run_config *cfg,
                                        struct uk_error *err);

/* Releases what run_options_parse allocated in (*cfg). */
void run_options_free(struct run_config *cfg);

/*
 * Checks that the image in cfg->image_info fits in cfg->mem_bytes with
 * RUN_MEM_HEADROOM to spare. Returns 0, or -1 with (*err) naming the image.
 */
int run_options_check_memory(const struct run_config *cfg, struct uk_error *err);

#endif /* UNIKIT_RUN_OPTIONS_H */
