/* kernel.h: what the kernel's files offer each other, grouped by file (xv6's defs.h). */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unikit/boot_abi.h>
#include <unikit/kernel.h>

struct cmdline;
struct trap_frame;

// platform.c
enum platform { PLATFORM_QEMU, PLATFORM_UKVM };
extern enum platform platform;
void platform_init(const struct cmdline *cl);
void hypercall(int nr, void *arg);

// apic.c
void apic_init(void);
int apic_route_irq(int gsi); /* returns the vector, or -1 */
bool apic_sleep_until(uint64_t deadline_ns);
uint64_t apic_take_pending(void);

// console.c
void console_init(void);

// printk.c
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// clock.c
void clock_init(const struct cmdline *cl);
uint64_t clock_tsc_khz(void);

// mem.c
void kmem_init(const struct hvm_start_info *si);
bool kmem_is_ram(uintptr_t addr, size_t len);

// panic.c
__attribute__((noreturn)) void trap_report(struct trap_frame *tf);
void backtrace_print(uintptr_t rbp);

// devices.c
void devices_init(const struct cmdline *cl);
bool devices_have_work(void);
void devices_ack_interrupts(void);
struct virtio_dev;
void devices_register_irq(struct virtio_dev *dev);

// symbols.c
const char *symbol_lookup(uintptr_t addr, uintptr_t *offset);

// kstring.c: general-register helpers (never newlib's SSE memcpy in kernel code)
void *kmemset(void *dst, int c, size_t n);
void *kmemcpy(void *dst, const void *src, size_t n);
size_t kstrlen(const char *s);
int kstrcmp(const char *a, const char *b);
bool kparse_u64(const char *s, uint64_t *out);

/* Linker-script and ring0.S symbols. */
extern char _text[], _etext[], _end[];
extern char main_stack_guard[], main_stack_bottom[], main_stack_top[];
extern char trap_stack_bottom[], trap_stack_top[];
extern volatile uint64_t uk_irq_pending;

#endif
