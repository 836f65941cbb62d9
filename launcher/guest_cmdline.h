/* guest_cmdline.h: encoding the guest command line (kernel options, environment, argv). */
#ifndef UNIKIT_GUEST_CMDLINE_H
#define UNIKIT_GUEST_CMDLINE_H

#include <stddef.h>

#include "error.h"
#include "run_config.h"

/*
 * The format is boot_abi.h's: "KOPT... -- ENV... -- ARG...", tokens separated
 * by single spaces, each token percent-encoded so that spaces, "--", empty
 * strings and any other byte survive. Every section is written, even when
 * empty, so the decoder never has to guess.
 */

/* The three sections, each an array of C strings. */
struct guest_cmdline {
    const char *const *kopts; /* "key=value" kernel options */
    int nkopts;
    const char *const *env;   /* "NAME=value" */
    int nenv;
    const char *const *argv;  /* argv[0] (the application's name), argv[1], ... */
    int argc;
};

/*
 * Writes the percent-encoded form of (token) to (out) if it fits in (cap)
 * bytes with its NUL. Returns the encoded length without the NUL, whether or
 * not it fitted.
 */
size_t guest_cmdline_encode_token(const char *token, char *out, size_t cap);

/*
 * Encodes (*in) into (out), NUL-terminated. Returns 0, or -1 with (*err) set
 * when the result would not fit in (cap) bytes.
 */
int guest_cmdline_encode(const struct guest_cmdline *in, char *out, size_t cap,
                         struct uk_error *err);

/*
 * Builds the command line for (*cfg) under (platform) ("qemu" or "ukvm"):
 * kernel options tsc_khz= (when known), wallclock= and platform=, then the
 * (nextra) options in (extra_kopts) (a backend's devices, such as
 * "virtio_mmio.device=512@0xd0000000:5"; may be NULL), then cfg->env, then
 * argv[0] = the image's file name without ".elf", then cfg->argv. (out)
 * holds at most UK_CMDLINE_MAX bytes with the NUL; a longer command line is
 * an error.
 */
int guest_cmdline_build(const struct run_config *cfg, const char *platform,
                        const char *const *extra_kopts, int nextra, char *out, size_t cap,
                        struct uk_error *err);

/* The application's name for (image_path): its last component without ".elf", ".efi" or ".img". */
void guest_cmdline_app_name(const char *image_path, char *out, size_t cap);

#endif /* UNIKIT_GUEST_CMDLINE_H */
