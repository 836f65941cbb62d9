/* test_exitcode.c: unit tests of launcher/exitcode.c (how QEMU's end becomes unikit's exit status). */
#include <signal.h>
#include <string.h>

#include <unikit/boot_abi.h>

#include "check.h"
#include "exitcode.h"

/* One row: how QEMU ended, the status we want, and a word the message must have ("" for none). */
struct row {
    const char *name;
    struct qemu_outcome outcome;
    int want;
    const char *why_part;
};

static const struct row rows[] = {
    {"status byte 0", {.exited = true, .exit_code = 1, .have_status = true, .status = 0}, 0, ""},
    {"status byte 42", {.exited = true, .exit_code = 85, .have_status = true, .status = 42}, 42, ""},
    /* 200 << 1 | 1 = 401 wraps to 145 in an exit code; the byte keeps 200. */
    {"status byte 200", {.exited = true, .exit_code = 145, .have_status = true, .status = 200},
     200, ""},
    {"status byte 255 (panic)", {.exited = true, .exit_code = 255, .have_status = true,
     .status = 255}, 255, ""},
    {"status byte wins over a signal", {.exited = false, .term_signal = SIGKILL,
     .have_status = true, .status = 3}, 3, ""},
    {"debug-exit without byte: 85 -> 42", {.exited = true, .exit_code = 85}, 42, ""},
    {"debug-exit without byte: 3 -> 1", {.exited = true, .exit_code = 3}, 1, ""},
    {"debug-exit without byte capture: 1 -> 0", {.exited = true, .exit_code = 1}, 0, ""},
    {"debug-exit with byte capture but no byte: 85 -> 42", {.exited = true, .exit_code = 85,
     .status_captured = true}, 42, ""},
    {"debug-exit without byte: 255 -> 127", {.exited = true, .exit_code = 255}, 127, ""},
    {"qemu exit 0 without byte (triple fault)", {.exited = true, .exit_code = 0},
     UK_EXIT_PANIC, "without an exit status"},
    {"qemu exit 1 without the byte it captures (its own error)", {.exited = true,
     .exit_code = 1, .status_captured = true},
     UK_EXIT_LAUNCHER, "qemu: failed"},
    {"qemu exit 2", {.exited = true, .exit_code = 2}, UK_EXIT_LAUNCHER, "status 2"},
    {"qemu killed by SIGKILL", {.exited = false, .term_signal = SIGKILL}, 128 + SIGKILL,
     "killed by signal 9"},
    {"qemu stopped by a forwarded SIGTERM", {.exited = true, .exit_code = 0,
     .forwarded_signal = SIGTERM}, 128 + SIGTERM, "stopped by signal 15"},
};

int main(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        char why[256], name[128];
        int got = exitcode_from_qemu(&r->outcome, why, sizeof(why));
        bool why_ok = r->why_part[0] == '\0' ? why[0] == '\0' : strstr(why, r->why_part) != NULL;

        snprintf(name, sizeof(name), "exitcode %s", r->name);
        check(got == r->want && why_ok, name, "got %d (\"%s\"), expected %d (\"%s\")", got, why,
              r->want, r->why_part);
    }
    return check_status();
}
