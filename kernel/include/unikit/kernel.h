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

/* Returns the value of kernel option (key) from the command line (e.g. "ip"), or NULL. */
const char *uk_kernel_option(const char *key);

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

/*
 * Turns (page), 4 KiB aligned and inside the first 4 MiB (the image and its
 * bss), into a guard page (guard = 1: any access faults, and the panic
 * report calls it a stack overflow) or back into memory (guard = 0).
 */
uk_result_t uk_page_guard(void *page, int guard);

/* Total RAM the kernel manages, and what is still free, in bytes. */
size_t uk_mem_total(void);
size_t uk_mem_free(void);

/* ---- block devices ---- */

/*
 * Disks are numbered 0.. in the order the launcher gave them (--disk).
 * Offsets and lengths of reads and writes are multiples of block_size.
 */
struct uk_block_info {
    uint64_t capacity;   /* bytes */
    uint64_t block_size; /* bytes, 512 */
    int read_only;
};

/* Returns how many disks there are. */
int uk_block_count(void);

/* Fills (*info) for disk (index). */
uk_result_t uk_block_info(int index, struct uk_block_info *info);

/* Synchronous calls: each returns when the device has answered. A write to a
 * read-only disk returns UK_EUNSPEC (the device's I/O error). */
uk_result_t uk_block_read(int index, uint64_t offset, void *buf, size_t len);
uk_result_t uk_block_write(int index, uint64_t offset, const void *buf, size_t len);
uk_result_t uk_block_flush(int index);
/* Copies the disk's id (at most 20 bytes) NUL-terminated into (buf). */
uk_result_t uk_block_get_id(int index, char *buf, size_t len);

/*
 * Asynchronous requests, several in flight: fill op, offset, buf and len,
 * uk_block_submit() (UK_EAGAIN: the queue is full, poll and retry), then
 * uk_block_poll() reaps completions, setting done and result, and
 * uk_block_wait() waits for one. The request must stay put until done.
 */
enum { UK_BLOCK_READ, UK_BLOCK_WRITE, UK_BLOCK_FLUSH, UK_BLOCK_GET_ID };

struct uk_block_req {
    int op;
    uint64_t offset;
    void *buf;
    size_t len;
    volatile int done;
    uk_result_t result;
    /* private to the driver: the request header and status byte the device sees */
    struct {
        uint32_t type, reserved;
        uint64_t sector;
    } hdr;
    volatile uint8_t status;
};

uk_result_t uk_block_submit(int index, struct uk_block_req *req);
int uk_block_poll(int index); /* returns how many requests completed */
uk_result_t uk_block_wait(int index, struct uk_block_req *req);

/* ---- network interfaces ---- */

/*
 * Interfaces are numbered 0.. in the order the launcher gave them. Frames
 * are Ethernet frames without the FCS, at most UK_NET_FRAME_MAX bytes.
 * Under unikit's VMM nothing leaves the guest until the next uk_wait()
 * (the wait is the kick: one exit for a whole batch); under QEMU a write
 * notifies the device when it asked to be.
 */
#define UK_NET_FRAME_MAX 1514

struct uk_net_info {
    uint8_t mac[6];
    int link_up;
};

/* Returns how many network interfaces there are. */
int uk_net_count(void);

/* Fills (*info) for interface (index). */
uk_result_t uk_net_info(int index, struct uk_net_info *info);

/* Queues the (len)-byte frame at (*frame) for sending (copied); UK_EAGAIN when the ring is full. */
uk_result_t uk_net_write(int index, const void *frame, size_t len);

/*
 * Copies the next received frame into (*buf) of (size) bytes, its length
 * into (*len); UK_EAGAIN when none has arrived.
 */
uk_result_t uk_net_read(int index, void *buf, size_t size, size_t *len);

/*
 * Returns 1, once, when the host asked the guest to stop gracefully (`unikit
 * stop` under unikit's VMM: the notice arrives with a uk_wait()); else 0.
 */
int uk_stop_requested(void);

/* ---- ending ---- */

/* Ends the guest with exit status (status & 0xff); see boot_abi.h. */
__attribute__((noreturn)) void uk_exit(int status);

/*
 * Prints "panic: " and the formatted message, the caller's backtrace with
 * function names, and ends the guest with status UK_EXIT_PANIC (255).
 */
__attribute__((noreturn, format(printf, 1, 2))) void uk_panic(const char *fmt, ...);

#endif /* UNIKIT_KERNEL_H */
