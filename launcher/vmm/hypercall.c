/* hypercall.c: the guest's hypercalls (boot_abi.h): console write, exit, wait. */
#include <errno.h>
#include <string.h>

#include "unikit/boot_abi.h"
#include "vmm_internal.h"

/*
 * A hypercall is a 32-bit `out` to UK_HC_PORT(nr) carrying the
 * guest-physical address of its argument struct. The struct is copied in
 * through the checked accessor, acted on, and its result fields copied back,
 * so the guest never sees a half-updated struct and we never read a field
 * twice.
 */

static int hc_console_write(struct vmm *vmm, void *arg_p)
{
    struct uk_hc_console_write arg;
    memcpy(&arg, arg_p, sizeof arg);
    const void *bytes = gpa_ptr(&vmm->mem, arg.data, arg.len);
    if (bytes == NULL) {
        arg.ret = -EFAULT;
    } else {
        console_flush_uart(vmm);
        int rc = console_write(vmm, bytes, arg.len);
        arg.ret = rc < 0 ? rc : (int64_t)arg.len;
    }
    memcpy((uint8_t *)arg_p + offsetof(struct uk_hc_console_write, ret),
           &arg.ret, sizeof arg.ret);
    return 0;
}

static int hc_exit(struct vmm *vmm, void *arg_p)
{
    struct uk_hc_exit arg;
    memcpy(&arg, arg_p, sizeof arg);
    vmm_stop(vmm, (int)(arg.status & 0xff));
    return 0;
}

static int hc_wait(struct vmm *vmm, void *arg_p)
{
    struct uk_hc_wait arg;
    memcpy(&arg, arg_p, sizeof arg);
    uint64_t ready = 0;
    if (arg.ready & UK_WAIT_ACCEPTS_STOP)
        signals_accept_stop();
    /* A stop notice already waiting: do not block, deliver it. */
    uint64_t deadline = signals_stop_notice_pending() ? 0 : arg.deadline_ns;
    if (wait_for_work(vmm, deadline, arg.now_ns, &ready) < 0)
        return -1;
    if (signals_take_stop_notice())
        ready |= UK_WAIT_STOP_REQUESTED;
    memcpy((uint8_t *)arg_p + offsetof(struct uk_hc_wait, ready), &ready,
           sizeof ready);
    return 0;
}

static const struct {
    size_t arg_size;
    int (*call)(struct vmm *vmm, void *arg_p);
    const char *name;
} hypercalls[UK_HC_COUNT] = {
    [UK_HC_CONSOLE_WRITE] = {sizeof(struct uk_hc_console_write),
                             hc_console_write, "console write"},
    [UK_HC_EXIT] = {sizeof(struct uk_hc_exit), hc_exit, "exit"},
    [UK_HC_WAIT] = {sizeof(struct uk_hc_wait), hc_wait, "wait"},
};

static int hypercall_io(struct vmm *vmm, void *ctx, uint64_t nr,
                        bool is_write, uint8_t *data, unsigned size)
{
    (void)ctx;
    if (!is_write || size != 4) {
        vmm_guest_error("hypercall %s: expected a 32-bit out, got a %u-byte "
                        "%s", hypercalls[nr].name, size,
                        is_write ? "out" : "in");
        vcpu_dump(vmm, "bad hypercall");
        vmm_stop(vmm, UK_EXIT_PANIC);
        return 0;
    }
    uint32_t gpa;
    memcpy(&gpa, data, sizeof gpa);
    void *arg_p = (gpa & 7) == 0
                      ? gpa_ptr(&vmm->mem, gpa, hypercalls[nr].arg_size)
                      : NULL;
    if (arg_p == NULL) {
        vmm_guest_error("hypercall %s: argument at 0x%x is misaligned or "
                        "outside guest memory", hypercalls[nr].name, gpa);
        vcpu_dump(vmm, "bad hypercall");
        vmm_stop(vmm, UK_EXIT_PANIC);
        return 0;
    }
    return hypercalls[nr].call(vmm, arg_p);
}

int hypercall_register(struct vmm *vmm)
{
    return io_register(&vmm->pio, UK_HC_PORT_BASE, UK_HC_COUNT, hypercall_io,
                       NULL, "hypercalls");
}
