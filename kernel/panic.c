/* panic.c: the panic report — exception or message, registers, fault address, symbolised backtrace. */
#include "kernel.h"
#include "io.h"
#include "ring0/layout.h"
#include "trap.h"

#define BACKTRACE_MAX 24
#define PF_PRESENT 0x1
#define PF_WRITE 0x2
#define PF_USER 0x4
#define PF_FETCH 0x10

static const char *const exception_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded",
    "invalid opcode", "device not available", "double fault", "coprocessor segment overrun",
    "invalid TSS", "segment not present", "stack-segment fault", "general protection fault",
    "page fault", "reserved (15)", "x87 floating-point error", "alignment check",
    "machine check", "SIMD floating-point error", "virtualization exception",
    "control protection", "reserved (22)", "reserved (23)", "reserved (24)", "reserved (25)",
    "reserved (26)", "reserved (27)", "hypervisor injection", "VMM communication",
    "security exception", "reserved (31)",
};

static volatile int panicking;

static void print_symbol(const char *prefix, uintptr_t addr)
{
    uintptr_t off;
    const char *name = symbol_lookup(addr, &off);
    if (name)
        kprintf("%s0x%016lx <%s+0x%lx>\n", prefix, addr, name, off);
    else
        kprintf("%s0x%016lx <?>\n", prefix, addr);
}

static bool in_stack_guard(uintptr_t addr);

static bool frame_readable(uintptr_t rbp)
{
    if (rbp & 7 || in_stack_guard(rbp) || in_stack_guard(rbp + 15))
        return false;
    return kmem_is_ram(rbp, 16);
}

/*
 * Walks the frame-pointer chain from (rbp): each frame holds [saved rbp,
 * return address]. Runs of one return address (deep recursion) print once.
 */
void backtrace_print(uintptr_t rbp)
{
    uintptr_t last = 0;
    int repeats = 0, printed = 0;
    kprintf("backtrace:\n");
    for (int depth = 0; depth < 4096 && printed < BACKTRACE_MAX; depth++) {
        if (!rbp || !frame_readable(rbp))
            break;
        const uintptr_t *frame = (const uintptr_t *)rbp;
        uintptr_t ret = frame[1];
        if (ret < (uintptr_t)_text || ret >= (uintptr_t)_etext)
            break;
        if (ret == last) {
            repeats++;
        } else {
            if (repeats)
                kprintf("      ... the same frame %d more times\n", repeats);
            repeats = 0;
            char prefix[16];
            ksnprintf(prefix, sizeof prefix, "  #%-2d ", depth);
            print_symbol(prefix, ret);
            printed++;
            last = ret;
        }
        if (frame[0] <= rbp)
            break; /* frames must move up the stack */
        rbp = frame[0];
    }
    if (repeats)
        kprintf("      ... the same frame %d more times\n", repeats);
}

/*
 * A function that has not yet set up its frame — a frameless leaf (GCC
 * omits the frame where nothing needs it, even with -fno-omit-frame-pointer)
 * or one faulting in its prologue — leaves %rbp at its caller's frame, so the
 * walk from %rbp would skip the caller. Find the return address on the
 * stack instead: at [rsp], or at [rsp+8] right after `push %rbp`.
 */
static void print_caller_before_frame(const struct trap_frame *tf)
{
    static const uint8_t prologue[4] = {0x55, 0x48, 0x89, 0xe5}; /* push %rbp; mov %rsp,%rbp */
    uintptr_t off;
    if (!symbol_lookup(tf->rip, &off) || !frame_readable(tf->rsp & ~7UL))
        return;
    const uint8_t *start = (const uint8_t *)(tf->rip - off);
    bool has_prologue = true;
    for (int i = 0; i < 4; i++)
        has_prologue = has_prologue && start[i] == prologue[i];
    if (has_prologue && off >= 4)
        return; /* the frame is set up: the walk from %rbp finds the caller */
    uintptr_t ret = ((const uintptr_t *)tf->rsp)[has_prologue && off >= 1 ? 1 : 0];
    if (ret >= (uintptr_t)_text && ret < (uintptr_t)_etext)
        print_symbol("called from ", ret);
}

static void print_registers(const struct trap_frame *tf)
{
    kprintf("rax %016lx rbx %016lx rcx %016lx\n", tf->rax, tf->rbx, tf->rcx);
    kprintf("rdx %016lx rsi %016lx rdi %016lx\n", tf->rdx, tf->rsi, tf->rdi);
    kprintf("rbp %016lx rsp %016lx r8  %016lx\n", tf->rbp, tf->rsp, tf->r8);
    kprintf("r9  %016lx r10 %016lx r11 %016lx\n", tf->r9, tf->r10, tf->r11);
    kprintf("r12 %016lx r13 %016lx r14 %016lx\n", tf->r12, tf->r13, tf->r14);
    kprintf("r15 %016lx rflags %08lx cs %lx ss %lx error %lx\n", tf->r15, tf->rflags, tf->cs,
            tf->ss, tf->error);
}

#define MAX_GUARDS 64
static uintptr_t guard_pages[MAX_GUARDS];

uk_result_t uk_page_guard(void *page, int guard)
{
    uintptr_t p = (uintptr_t)page;
    int slot = -1;
    if (p & 0xfff)
        return UK_EINVAL;
    for (int i = 0; i < MAX_GUARDS; i++) {
        if (guard_pages[i] == (guard ? 0 : p)) {
            slot = i;
            break;
        }
    }
    if (slot < 0)
        return guard ? UK_EUNSPEC : UK_EINVAL;
    if (ring0_call(SYS_PAGE_SET, (long)p, guard ? 0 : 1) != 0)
        return UK_EINVAL;
    guard_pages[slot] = guard ? p : 0;
    return UK_OK;
}

static bool in_stack_guard(uintptr_t addr)
{
    if (addr >= (uintptr_t)main_stack_guard && addr < (uintptr_t)main_stack_bottom)
        return true;
    for (int i = 0; i < MAX_GUARDS; i++)
        if (guard_pages[i] && addr >= guard_pages[i] && addr < guard_pages[i] + 4096)
            return true;
    return false;
}

void trap_report(struct trap_frame *tf)
{
    const char *name = tf->vector < 32 ? exception_names[tf->vector] : "unexpected interrupt";
    if (panicking++) {
        kprintf("\npanic: %s while writing the panic report (rip 0x%lx)\n", name, tf->rip);
        uk_exit(UK_EXIT_PANIC);
    }
    kprintf("\n");
    if (tf->vector == 14 && in_stack_guard(tf->cr2)) {
        kprintf("panic: stack overflow: page fault at 0x%016lx in the guard page below a stack\n",
                tf->cr2);
    } else if (tf->vector == 14) {
        kprintf("panic: page fault: %s %s at 0x%016lx (%s)\n",
                tf->error & PF_USER ? "user" : "kernel",
                tf->error & PF_FETCH ? "instruction fetch" : tf->error & PF_WRITE ? "write" : "read",
                tf->cr2, tf->error & PF_PRESENT ? "protection violation" : "page not present");
    } else {
        kprintf("panic: %s (vector %lu)\n", name, tf->vector);
    }
    print_symbol("rip ", tf->rip);
    if (tf->vector == 14)
        kprintf("fault address 0x%016lx\n", tf->cr2);
    print_registers(tf);
    print_caller_before_frame(tf);
    backtrace_print(tf->rbp);
    uk_exit(UK_EXIT_PANIC);
}

void uk_panic(const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    if (panicking++)
        uk_exit(UK_EXIT_PANIC);
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kprintf("\npanic: %s\n", msg);
    print_symbol("called from ", (uintptr_t)__builtin_return_address(0));
    backtrace_print((uintptr_t)__builtin_frame_address(0));
    uk_exit(UK_EXIT_PANIC);
}
