/* apic.c: interrupts under a generic hypervisor — local APIC timer, IOAPIC routing, and halting until one arrives. */
#include "io.h"
#include "kernel.h"
#include "ring0/layout.h"

/*
 * Ring 3 programs the local APIC and the IOAPIC through their MMIO pages
 * (mapped user-accessible, uncached); the ring-0 stub of each vector only
 * sets its bit in uk_irq_pending and sends EOI (ring0.S). Device lines are
 * routed edge-triggered: the driver acknowledges the device before it
 * sleeps again, so the next completion makes a new edge.
 */

#define LAPIC_BASE 0xfee00000UL
#define LAPIC_TPR 0x080
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LVT_MASKED 0x10000

#define IOAPIC_BASE 0xfec00000UL
#define IOAPIC_REDIRECTION(n) (0x10 + 2 * (n))

#define VECTOR_TIMER R0_IRQ_BASE            /* 32 */
#define VECTOR_FIRST_DEVICE (R0_IRQ_BASE + 1) /* 33.. */
#define VECTOR_SPURIOUS (R0_IRQ_BASE + 15)  /* 47: low nibble 0xf */

static bool apic_on;
static uint64_t ticks_per_ms; /* local APIC timer ticks at divide-by-1 */
static int next_device_vector = VECTOR_FIRST_DEVICE;

static void lapic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static uint32_t lapic_read(unsigned reg)
{
    return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static void ioapic_write(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)IOAPIC_BASE = reg;
    *(volatile uint32_t *)(IOAPIC_BASE + 0x10) = v;
}

/* Measures the timer against the TSC for 200 us (the clock is calibrated already). */
static void calibrate_timer(void)
{
    lapic_write(LAPIC_TIMER_DIVIDE, 0xb); /* divide by 1 */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
    uint64_t start = uk_clock_monotonic();
    while (uk_clock_monotonic() - start < 200000)
        cpu_relax();
    uint32_t left = lapic_read(LAPIC_TIMER_CURRENT);
    uint64_t elapsed_ns = uk_clock_monotonic() - start;
    lapic_write(LAPIC_TIMER_INITIAL, 0);
    ticks_per_ms = (uint64_t)(0xffffffffu - left) * 1000000 / (elapsed_ns ? elapsed_ns : 1);
}

void apic_init(void)
{
    uint32_t r[4];
    if (platform != PLATFORM_QEMU)
        return; /* unikit's VMM has no interrupt controller: it has the wait hypercall */
    cpuid(1, 0, r);
    if (!(r[3] & (1u << 9)))
        return; /* no local APIC: uk_wait() keeps polling */
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, 0x100 | VECTOR_SPURIOUS);
    calibrate_timer();
    if (ticks_per_ms == 0)
        return;
    apic_on = true;
}

int apic_route_irq(int gsi)
{
    if (!apic_on || gsi < 0 || gsi > 23 || next_device_vector >= VECTOR_SPURIOUS)
        return -1;
    int vector = next_device_vector++;
    ioapic_write(IOAPIC_REDIRECTION(gsi) + 1, 0); /* destination: APIC 0 */
    ioapic_write(IOAPIC_REDIRECTION(gsi), (uint32_t)vector); /* edge, active high, fixed */
    return vector;
}

/*
 * Sleeps until an interrupt or (deadline_ns): arms the timer, then halts in
 * ring 0 (SYS_HALT checks uk_irq_pending with interrupts off first, so a
 * wake-up that came in meanwhile is not lost). Returns false when interrupts
 * are not available and the caller must poll.
 */
bool apic_sleep_until(uint64_t deadline_ns)
{
    if (!apic_on)
        return false;
    uint64_t now = uk_clock_monotonic();
    if (deadline_ns <= now)
        return true;
    uint64_t ms_left = (deadline_ns - now) / 1000000;
    uint64_t ticks = ms_left > 1000 ? 1000 * ticks_per_ms
                                    : (deadline_ns - now) * ticks_per_ms / 1000000 + 1;
    if (ticks > 0xffffffffu)
        ticks = 0xffffffffu;
    lapic_write(LAPIC_LVT_TIMER, VECTOR_TIMER); /* one-shot */
    lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)ticks);
    ring0_call(SYS_HALT, 0, 0);
    return true;
}

/* Takes the pending bits (atomically) and returns them: bit 0 timer, bit v-32 device vector v. */
uint64_t apic_take_pending(void)
{
    return __atomic_exchange_n(&uk_irq_pending, 0, __ATOMIC_SEQ_CST);
}
