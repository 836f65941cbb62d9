/* kernel.h: the one contract between the kernel and the libos (console, clock, wait, memory, exit). */
#ifndef UNIKIT_KERNEL_H
#define UNIKIT_KERNEL_H

/*
 * The libos (newlib's system calls, later lwIP's port and the file system) is
 * written against this header alone. Everything here runs at CPL 3, in the
 * one address space the image shares with the application; none of these
 * calls is thread-safe by itself, the libos' scheduler is cooperative.
 *
 * Errors: calls that can fail return a uk_result_t, stated once here:
 *   UK_OK      success;
 *   UK_EAGAIN  nothing to do now, try again after uk_wait();
 *   UK_EINVAL  an argument is out of range;
 *   UK_EUNSPEC anything else (the device or the host failed).
 */

#include <stddef.h>
#include <stdint.h>

typedef enum {
    UK_OK = 0,
    UK_EAGAIN,
    UK_EINVAL,
    UK_EUNSPEC,
} uk_result_t;

/* ---- entry ---- */

/*
 * The libos' entry point: the kernel calls it once, after the console, the
 * clock and memory are up, with the application's argv and environment as
 * the command line carried them (both NULL-terminated). It must not return.
 */
void uk_app_main(int argc, char **argv, char **envp);

/* ---- console ---- */

/* Writes (len) bytes from (*buf) to the console, all of them, in one piece. */
void uk_console_write(const void *buf, size_t len);

/*
 * Reads up to (len) bytes that have already arrived on the console into
 * (*buf) and returns how many; returns 0 at once when none has.
 */
size_t uk_console_read(void *buf, size_t len);

/* ---- clock ---- */

/* Returns monotonic time in nanoseconds since boot (TSC, no VM exit). */
uint64_t uk_clock_monotonic(void);

/* Returns wall-clock time in nanoseconds since the Unix epoch. */
uint64_t uk_clock_wall(void);

/* ---- waiting ---- */

/*
 * Idles until monotonic time (deadline_ns) has passed or an event (a device
 * interrupt, a hypercall wake-up) arrives, whichever is first; may return
 * early. Callers re-check their condition and the clock.
 */
void uk_wait(uint64_t deadline_ns);

/* ---- memory ---- */

/*
 * Moves the end of the heap by (increment) bytes and returns the old end, as
 * sbrk does; returns NULL (and leaves the heap alone) when the heap would
 * run into the pages handed out by uk_pages_alloc or past RAM.
 */
void *uk_heap_grow(intptr_t increment);

/*
 * Returns (npages) contiguous 4 KiB pages, zeroed, or NULL when memory is
 * exhausted. uk_pages_free() gives back exactly what one call returned.
 */
void *uk_pages_alloc(size_t npages);
void uk_pages_free(void *pages, size_t npages);

/* Total RAM the kernel manages, and what is still free, in bytes. */
size_t uk_mem_total(void);
size_t uk_mem_free(void);

/* ---- ending ---- */

/* Ends the guest with exit status (status & 0xff); see boot_abi.h. */
__attribute__((noreturn)) void uk_exit(int status);

/*
 * Prints "panic: " and the formatted message, the caller's backtrace with
 * function names, and ends the guest with status UK_EXIT_PANIC (255).
 */
__attribute__((noreturn, format(printf, 1, 2))) void uk_panic(const char *fmt, ...);

#endif /* UNIKIT_KERNEL_H */
