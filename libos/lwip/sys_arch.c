/* sys_arch.c: lwIP's OS layer on the libos' cooperative scheduler — semaphores, mutexes, mailboxes, threads, time. */
#include <stdlib.h>

#include "lwip/err.h"
#include "lwip/sys.h"

#include "../libos.h"
#include "../sched.h"

/* Nothing preempts a thread, so a count and a wait queue make a semaphore. */
struct uk_lwip_sem {
    unsigned count;
    struct wait_queue waiters;
};

struct uk_lwip_mbox {
    void **slots;
    unsigned size, head, count;
    struct wait_queue not_empty, not_full;
};

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return (u32_t)(uk_clock_monotonic() / 1000000);
}

static uint64_t deadline_after_ms(u32_t timeout_ms)
{
    return timeout_ms ? uk_clock_monotonic() + (uint64_t)timeout_ms * 1000000 : SCHED_NO_DEADLINE;
}

static u32_t ms_since(uint64_t start_ns)
{
    return (u32_t)((uk_clock_monotonic() - start_ns) / 1000000);
}

/* ---- semaphores ---- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    *sem = calloc(1, sizeof **sem);
    if (!*sem)
        return ERR_MEM;
    (*sem)->count = count;
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
    free(*sem);
    *sem = NULL;
}

int sys_sem_valid(sys_sem_t *sem)
{
    return sem && *sem;
}

void sys_sem_set_invalid(sys_sem_t *sem)
{
    *sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
    (*sem)->count++;
    sched_wake_one(&(*sem)->waiters);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout_ms)
{
    uint64_t start = uk_clock_monotonic(), deadline = deadline_after_ms(timeout_ms);
    while ((*sem)->count == 0) {
        if (!sched_block(&(*sem)->waiters, deadline) && (*sem)->count == 0)
            return SYS_ARCH_TIMEOUT;
    }
    (*sem)->count--;
    return ms_since(start);
}

/* ---- mutexes: binary semaphores ---- */

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    return sys_sem_new(mutex, 1);
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    sys_sem_free(mutex);
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    sys_arch_sem_wait(mutex, 0);
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    sys_sem_signal(mutex);
}

int sys_mutex_valid(sys_mutex_t *mutex)
{
    return sys_sem_valid(mutex);
}

void sys_mutex_set_invalid(sys_mutex_t *mutex)
{
    sys_sem_set_invalid(mutex);
}

/* ---- mailboxes: bounded FIFOs of pointers ---- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    struct uk_lwip_mbox *m = calloc(1, sizeof *m);
    if (!m)
        return ERR_MEM;
    m->size = size > 0 ? (unsigned)size : 128;
    m->slots = calloc(m->size, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return ERR_MEM;
    }
    *mbox = m;
    return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    free((*mbox)->slots);
    free(*mbox);
    *mbox = NULL;
}

int sys_mbox_valid(sys_mbox_t *mbox)
{
    return mbox && *mbox;
}

void sys_mbox_set_invalid(sys_mbox_t *mbox)
{
    *mbox = NULL;
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    struct uk_lwip_mbox *m = *mbox;
    if (m->count == m->size)
        return ERR_MEM;
    m->slots[(m->head + m->count) % m->size] = msg;
    m->count++;
    sched_wake_one(&m->not_empty);
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    while (sys_mbox_trypost(mbox, msg) != ERR_OK)
        sched_block(&(*mbox)->not_full, SCHED_NO_DEADLINE);
}

static void *mbox_take(struct uk_lwip_mbox *m)
{
    void *msg = m->slots[m->head];
    m->head = (m->head + 1) % m->size;
    m->count--;
    sched_wake_one(&m->not_full);
    return msg;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    if ((*mbox)->count == 0)
        return SYS_MBOX_EMPTY;
    void *got = mbox_take(*mbox);
    if (msg)
        *msg = got;
    return 0;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout_ms)
{
    struct uk_lwip_mbox *m = *mbox;
    uint64_t start = uk_clock_monotonic(), deadline = deadline_after_ms(timeout_ms);
    while (m->count == 0) {
        if (!sched_block(&m->not_empty, deadline) && m->count == 0)
            return SYS_ARCH_TIMEOUT;
    }
    void *got = mbox_take(m);
    if (msg)
        *msg = got;
    return ms_since(start);
}

/* ---- threads ---- */

struct thread_start {
    lwip_thread_fn fn;
    void *arg;
};

static void *run_lwip_thread(void *p)
{
    struct thread_start start = *(struct thread_start *)p;
    free(p);
    start.fn(start.arg);
    return NULL;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
    (void)prio;
    struct thread_start *start = malloc(sizeof *start);
    if (!start)
        uk_panic("lwip: no memory to start thread %s", name);
    *start = (struct thread_start){fn, arg};
    struct thread *t = sched_spawn(name, run_lwip_thread, start,
                                   stacksize > 0 ? (size_t)stacksize : 64 * 1024);
    if (!t)
        uk_panic("lwip: cannot start thread %s", name);
    t->detached = true;
    return t;
}
