/* exitcode.c: the exit-status mapping of the QEMU backend (pure, unit-tested). */
#include "exitcode.h"

#include <stdio.h>
#include <string.h>

#include <unikit/boot_abi.h>

int exitcode_from_qemu(const struct qemu_outcome *o, char *why, size_t whylen)
{
    if (whylen > 0)
        why[0] = '\0';
    if (o->have_status)
        return o->status;
    /* Ended by a signal before the guest exited: 128 + the signal, as a shell (and the own VMM) says. */
    if (o->forwarded_signal != 0) {
        snprintf(why, whylen, "qemu: stopped by signal %d (%s) before the guest exited",
                 o->forwarded_signal, strsignal(o->forwarded_signal));
        return 128 + o->forwarded_signal;
    }
    if (!o->exited) {
        snprintf(why, whylen, "qemu: killed by signal %d (%s)", o->term_signal,
                 strsignal(o->term_signal));
        return 128 + o->term_signal;
    }
    if (o->exit_code == 0) {
        snprintf(why, whylen, "guest stopped without an exit status (triple fault or shutdown?)");
        return UK_EXIT_PANIC;
    }
    if (o->exit_code == 1 && o->status_captured) {
        snprintf(why, whylen, "qemu: failed (exit status 1; its message is above)");
        return UK_EXIT_LAUNCHER;
    }
    if (o->exit_code % 2 == 1)
        return o->exit_code >> 1;
    snprintf(why, whylen, "qemu: exited with status %d", o->exit_code);
    return UK_EXIT_LAUNCHER;
}
