/* exitcode.h: turning how QEMU ended into `unikit run`'s exit status. */
#ifndef UNIKIT_EXITCODE_H
#define UNIKIT_EXITCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a QEMU process ended, as the launcher observed it. */
struct qemu_outcome {
    bool exited;          /* exited normally (else killed by term_signal) */
    int exit_code;        /* WEXITSTATUS, when exited */
    int term_signal;      /* WTERMSIG, when killed */
    bool status_captured; /* QEMU had the status-byte device (qemu_status_port_usable) */
    bool have_status;     /* the guest wrote a status byte to UK_PORT_EXIT_STATUS */
    uint8_t status;       /* the last byte it wrote */
    int forwarded_signal; /* a signal the launcher passed on to QEMU, 0 if none */
};

/*
 * The mapping (boot_abi.h, "Exit status"):
 *   - a status byte was written: that byte (0..255), however QEMU ended;
 *   - QEMU exited 1 while the byte was being captured but none came: QEMU's
 *     own failure (it exits 1 on a bad option or a missing file; an image
 *     that does isa-debug-exit(0) without writing the byte looks the same,
 *     but our kernel always writes it): UK_EXIT_LAUNCHER, with a message;
 *   - QEMU exited with an odd code 2n+1 (isa-debug-exit without the byte): n;
 *   - QEMU exited 0 without a status byte: the guest stopped some other way
 *     (triple fault or shutdown): UK_EXIT_PANIC, with a message;
 *   - QEMU exited with another even code, or was killed by a signal:
 *     UK_EXIT_LAUNCHER, with a message.
 * Returns the status; (why) gets a message (or "" when there is nothing to say).
 */
int exitcode_from_qemu(const struct qemu_outcome *o, char *why, size_t whylen);

#endif /* UNIKIT_EXITCODE_H */
