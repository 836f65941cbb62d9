/* sched.c: cooperative threads in ring 3 — run queue, blocking with deadlines, the idle loop, guarded stacks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libos.h"
#include "sched.h"

/*
 * Nothing preempts a thread: it runs until it blocks, yields or exits, so
 * the libos needs no locks, and ring 3 never needs interrupts off. When no
 * thread can run, the blocking thread itself runs the idle loop on its own
 * stack: expire deadlines, poll devices, then uk_wait() until the earliest
 * deadline.
 */

#define PAGE 4096
/*
 * Guard pages need 4 KiB mappings, which only the first 4 MiB have, so
 * guarded stacks come from this pool in the bss. A thread asking for more
 * than a slot (or when the pool is empty) gets pages from the page
 * allocator, without a guard page.
 */
#define POOL_SLOTS 12
#define POOL_SLOT_BYTES (128 * 1024) /* the first page of each slot is its guard */

void sched_switch(uint64_t *save_rsp, uint64_t next_rsp);
void sched_trampoline(void);
void sched_thread_start(struct thread *t);

static char stack_pool[POOL_SLOTS][POOL_SLOT_BYTES] __attribute__((aligned(PAGE)));
static bool slot_used[POOL_SLOTS];

static struct thread main_thread = {.state = T_RUNNABLE, .stack_slot = -1, .name = "main"};
static struct thread *current = &main_thread;
static struct thread *all_threads = &main_thread;
static struct thread *runq_head, *runq_tail;
static struct thread *zombies; /* detached and finished: freed from another stack */
static bool (*device_poll)(void);

struct thread *sched_current(void)
{
    return current;
}

void sched_set_poll(bool (*poll)(void))
{
    device_poll = poll;
}

static void runq_push(struct thread *t)
{
    t->run_next = NULL;
    if (runq_tail)
        runq_tail->run_next = t;
    else
        runq_head = t;
    runq_tail = t;
}

static struct thread *runq_pop(void)
{
    struct thread *t = runq_head;
    if (t) {
        runq_head = t->run_next;
        if (!runq_head)
            runq_tail = NULL;
    }
    return t;
}

static void wq_remove(struct wait_queue *wq, struct thread *t)
{
    struct thread **pp = &wq->head, *prev = NULL;
    while (*pp && *pp != t) {
        prev = *pp;
        pp = &(*pp)->wq_next;
    }
    if (!*pp)
        return;
    *pp = t->wq_next;
    if (wq->tail == t)
        wq->tail = prev;
    t->wq_next = NULL;
}

static void make_runnable(struct thread *t)
{
    if (t->waiting_on)
        wq_remove(t->waiting_on, t);
    t->waiting_on = NULL;
    t->state = T_RUNNABLE;
    runq_push(t);
}

/* Wakes blocked threads whose deadline passed; returns the earliest deadline left. */
static uint64_t expire_deadlines(void)
{
    uint64_t now = uk_clock_monotonic(), earliest = SCHED_NO_DEADLINE;
    for (struct thread *t = all_threads; t; t = t->all_next) {
        if (t->state != T_BLOCKED || t->deadline == SCHED_NO_DEADLINE)
            continue;
        if (t->deadline <= now) {
            t->timed_out = true;
            make_runnable(t);
        } else if (t->deadline < earliest) {
            earliest = t->deadline;
        }
    }
    return earliest;
}

static void free_zombies(void)
{
    while (zombies && zombies != current) {
        struct thread *z = zombies;
        zombies = z->run_next;
        sched_reap(z);
    }
}

/* Switches to the next runnable thread, idling until there is one. */
static void reschedule(void)
{
    for (;;) {
        uint64_t earliest = expire_deadlines();
        struct thread *next = runq_pop();
        if (next) {
            if (next != current) {
                struct thread *prev = current;
                int my_errno = errno; /* errno is one global in newlib: keep each thread's */
                current = next;
                sched_switch(&prev->rsp, next->rsp);
                /* back on prev's stack */
                errno = my_errno;
                free_zombies();
            }
            return;
        }
        if (device_poll && device_poll())
            continue;
        libos_idle(earliest);
    }
}

/*
 * Lets every other runnable thread run once. With none, it still lets the
 * world move: devices are polled, and at most once a millisecond the host
 * gets a non-blocking wait (one exit) — under unikit's VMM frames arrive only
 * in a wait, so a program that polls with a zero timeout would see none.
 */
void sched_yield_thread(void)
{
    static uint64_t last_host_poll;
    if (!runq_head) {
        uint64_t now = uk_clock_monotonic();
        if (now - last_host_poll >= 1000000) {
            last_host_poll = now;
            libos_idle(0);
        }
        if (device_poll)
            device_poll();
        expire_deadlines();
        if (!runq_head)
            return;
    }
    runq_push(current);
    reschedule();
}

bool sched_block(struct wait_queue *wq, uint64_t deadline)
{
    struct thread *t = current;
    t->state = T_BLOCKED;
    t->deadline = deadline;
    t->timed_out = false;
    t->waiting_on = wq;
    t->wq_next = NULL;
    if (wq) {
        if (wq->tail)
            wq->tail->wq_next = t;
        else
            wq->head = t;
        wq->tail = t;
    }
    reschedule();
    return !t->timed_out;
}

void sched_wake_one(struct wait_queue *wq)
{
    if (wq->head)
        make_runnable(wq->head);
}

void sched_wake_all(struct wait_queue *wq)
{
    while (wq->head)
        make_runnable(wq->head);
}

/* ---- creating and ending threads ---- */

static void *stack_alloc(size_t bytes, int *slot)
{
    *slot = -1;
    if (bytes <= POOL_SLOT_BYTES - PAGE) {
        for (int i = 0; i < POOL_SLOTS; i++) {
            if (!slot_used[i] && uk_page_guard(stack_pool[i], 1) == UK_OK) {
                slot_used[i] = true;
                *slot = i;
                return stack_pool[i];
            }
        }
    }
    /* No guarded slot left (or too big): pages without a guard. */
    return uk_pages_alloc((bytes + PAGE - 1) / PAGE);
}

struct thread *sched_spawn(const char *name, void *(*fn)(void *), void *arg, size_t stack_bytes)
{
    free_zombies();
    if (stack_bytes < 16 * 1024)
        stack_bytes = 16 * 1024;
    struct thread *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->stack = stack_alloc(stack_bytes, &t->stack_slot);
    if (!t->stack) {
        free(t);
        return NULL;
    }
    t->stack_bytes = t->stack_slot >= 0 ? POOL_SLOT_BYTES : (stack_bytes + PAGE - 1) / PAGE * PAGE;
    t->fn = fn;
    t->arg = arg;
    t->deadline = SCHED_NO_DEADLINE;
    strncpy(t->name, name ? name : "thread", sizeof t->name - 1);
    /* The frame sched_switch pops: r15 r14 r13 r12 rbx rbp, then the return address. */
    /* The top is 16-byte aligned: after `ret` pops the trampoline's address the
     * trampoline runs with %rsp = top, so its `call` enters C as the ABI wants. */
    uint64_t *sp = (uint64_t *)((char *)t->stack + t->stack_bytes);
    *--sp = (uint64_t)(uintptr_t)sched_trampoline;
    *--sp = 0;                      /* rbp: the end of backtraces */
    *--sp = 0;                      /* rbx */
    *--sp = (uint64_t)(uintptr_t)t; /* r12: the thread */
    *--sp = 0;
    *--sp = 0;
    *--sp = 0;
    t->rsp = (uint64_t)(uintptr_t)sp;
    t->all_next = all_threads;
    all_threads = t;
    t->state = T_RUNNABLE;
    runq_push(t);
    return t;
}

void sched_thread_start(struct thread *t)
{
    sched_exit(t->fn(t->arg));
}

void sched_exit(void *result)
{
    struct thread *t = current;
    if (t == &main_thread)
        exit(0); /* pthread_exit in main: the process ends with it here */
    t->result = result;
    t->state = T_DONE;
    sched_wake_all(&t->joiners);
    if (t->detached) {
        t->run_next = zombies;
        zombies = t;
    }
    reschedule();
    uk_panic("sched: a finished thread was scheduled");
}

void sched_reap(struct thread *t)
{
    for (struct thread **pp = &all_threads; *pp; pp = &(*pp)->all_next) {
        if (*pp == t) {
            *pp = t->all_next;
            break;
        }
    }
    if (t->stack_slot >= 0) {
        uk_page_guard(stack_pool[t->stack_slot], 0);
        slot_used[t->stack_slot] = false;
    } else {
        uk_pages_free(t->stack, t->stack_bytes / PAGE);
    }
    free(t);
}
