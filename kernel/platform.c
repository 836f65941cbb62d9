/* platform.c: which host we run under (QEMU or unikit's VMM), hypercalls, exit and waiting. */
#include "cmdline.h"
#include "io.h"
#include "kernel.h"
#include "ring0/layout.h"

enum platform platform = PLATFORM_QEMU;

void platform_init(const struct cmdline *cl)
{
    const char *p = cmdline_kopt(cl, "platform", 0);
    if (p && kstrcmp(p, "ukvm") == 0)
        platform = PLATFORM_UKVM;
}

/* One 32-bit port write carrying the argument's address; the VMM fills in results. */
void hypercall(int nr, void *arg)
{
    outl((uint16_t)UK_HC_PORT(nr), (uint32_t)(uintptr_t)arg);
}

void uk_exit(int status)
{
    status &= 0xff;
    if (platform == PLATFORM_UKVM) {
        struct uk_hc_exit hc = {.status = (uint64_t)status};
        hypercall(UK_HC_EXIT, &hc);
    }
    /* QEMU: the status byte for the launcher, then isa-debug-exit. */
    outb(UK_PORT_EXIT_STATUS, (uint8_t)status);
    outl(UK_PORT_QEMU_EXIT, (uint32_t)status);
    /* Neither device present (another PVH host): reset through the i8042. */
    outb(0x64, 0xfe);
    kprintf("unikit: no way to power off; halting\n");
    for (;;)
        ring0_call(SYS_HALT, 0, 0);
}

static volatile int stop_pending;

int uk_stop_requested(void)
{
    int was = stop_pending;
    stop_pending = 0;
    return was;
}

void uk_wait(uint64_t deadline_ns)
{
    if (platform == PLATFORM_UKVM) {
        /* We accept stop notices (boot_abi.h): the libos turns one into SIGTERM. */
        struct uk_hc_wait hc = {.deadline_ns = deadline_ns, .now_ns = uk_clock_monotonic(),
                                .ready = UK_WAIT_ACCEPTS_STOP};
        hypercall(UK_HC_WAIT, &hc);
        if (hc.ready & UK_WAIT_STOP_REQUESTED)
            stop_pending = 1;
        return;
    }
    /* Under QEMU: sleep on interrupts (apic.c), or spin where there are none. */
    while (uk_clock_monotonic() < deadline_ns && !devices_have_work()) {
        if (uk_irq_pending) {
            /*
             * Lower every device's line for the next edge — on timer wakes too:
             * devices sharing an edge-triggered line can leave it high after a
             * completion that came between two acknowledgements.
             */
            apic_take_pending();
            devices_ack_interrupts();
            return;
        }
        if (!apic_sleep_until(deadline_ns))
            cpu_relax();
    }
}
