/* sched.h: the cooperative thread scheduler in ring 3 — threads, blocking with deadlines, wait queues. */
#ifndef LIBOS_SCHED_H
#define LIBOS_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCHED_NO_DEADLINE UINT64_MAX
#define SCHED_MAX_KEYS 32

struct thread;

/* A list of threads blocked on one object (semaphore, mutex, condition, join). */
struct wait_queue {
    struct thread *head, *tail;
};

struct thread {
    uint64_t rsp;             /* saved stack pointer while switched out */
    void *stack;              /* lowest address of the stack (its guard page) */
    size_t stack_bytes;
    int stack_slot;           /* index in the guarded pool, or -1 */
    enum { T_RUNNABLE, T_BLOCKED, T_DONE } state;
    uint64_t deadline;        /* wake-up time while blocked, or SCHED_NO_DEADLINE */
    bool timed_out;
    struct wait_queue *waiting_on;
    struct thread *wq_next;   /* in a wait queue */
    struct thread *run_next;  /* in the run queue */
    struct thread *all_next;  /* in the list of all threads */
    void *(*fn)(void *);
    void *arg, *result;
    bool detached;
    struct wait_queue joiners;
    void *keys[SCHED_MAX_KEYS];
    char name[16];
};

/* The running thread (the main thread before any other exists). */
struct thread *sched_current(void);

/*
 * Starts a thread running fn(arg) on a stack of (stack_bytes), made runnable
 * after the caller; returns NULL when no memory is left.
 */
struct thread *sched_spawn(const char *name, void *(*fn)(void *), void *arg, size_t stack_bytes);

/* Ends the running thread with (result); never returns. */
__attribute__((noreturn)) void sched_exit(void *result);

/* Lets every other runnable thread run once. */
void sched_yield_thread(void);

/*
 * Blocks the running thread on (wq) until sched_wake_one/all or until
 * monotonic (deadline); returns false if the deadline passed first.
 */
bool sched_block(struct wait_queue *wq, uint64_t deadline);

/* Makes the first (or every) thread blocked on (wq) runnable. */
void sched_wake_one(struct wait_queue *wq);
void sched_wake_all(struct wait_queue *wq);

/* Frees a finished thread's stack and record. */
void sched_reap(struct thread *t);

/*
 * Registers the function the idle loop calls before it sleeps (device
 * polling: it returns true when it made some thread runnable).
 */
void sched_set_poll(bool (*poll)(void));

#endif
