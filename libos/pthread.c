/* pthread.c: a pthread subset on the cooperative scheduler — threads, mutexes, conditions, once, keys. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "libos.h"
#include "sched.h"

/*
 * newlib's pthread types are 32-bit handles: small indices into the tables
 * below. A statically initialised mutex or condition (0xffffffff) gets its
 * object on first use. Nothing here needs a lock: threads are cooperative.
 */
#define MAX_THREADS 256
#define MAX_OBJECTS 1024
#define STATIC_INIT 0xffffffffu
#define DEFAULT_STACK (124 * 1024) /* fits a guarded slot of the scheduler's pool */

struct mutex {
    struct thread *owner;
    int depth, type;
    struct wait_queue waiters;
};

struct cond {
    struct wait_queue waiters;
};

static struct thread *threads[MAX_THREADS] = {NULL};
static void *objects[MAX_OBJECTS];
static void (*key_destructors[SCHED_MAX_KEYS])(void *);
static bool key_used[SCHED_MAX_KEYS];

static uint32_t handle_of(struct thread *t)
{
    for (uint32_t i = 0; i < MAX_THREADS; i++)
        if (threads[i] == t)
            return i;
    for (uint32_t i = 1; i < MAX_THREADS; i++)
        if (!threads[i]) {
            threads[i] = t;
            return i;
        }
    return 0;
}

static struct thread *thread_of(pthread_t h)
{
    if (!threads[0])
        threads[0] = sched_current(); /* the main thread is handle 0 */
    return h < MAX_THREADS ? threads[h] : NULL;
}

/* ---- threads ---- */

int pthread_attr_init(pthread_attr_t *attr)
{
    *attr = (pthread_attr_t){.is_initialized = 1, .stacksize = DEFAULT_STACK,
                             .detachstate = PTHREAD_CREATE_JOINABLE};
    return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
    attr->is_initialized = 0;
    return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
    if (size < 16384 || size > (64u << 20))
        return EINVAL;
    attr->stacksize = (int)size;
    return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
    *size = (size_t)attr->stacksize;
    return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
    if (state != PTHREAD_CREATE_DETACHED && state != PTHREAD_CREATE_JOINABLE)
        return EINVAL;
    attr->detachstate = state;
    return 0;
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    thread_of(0);
    size_t stack = attr && attr->is_initialized ? (size_t)attr->stacksize : DEFAULT_STACK;
    struct thread *t = sched_spawn("pthread", fn, arg, stack);
    if (!t)
        return EAGAIN;
    uint32_t h = handle_of(t);
    if (!h) {
        t->detached = true; /* no handle left: it runs, but cannot be joined */
        return EAGAIN;
    }
    t->detached = attr && attr->is_initialized && attr->detachstate == PTHREAD_CREATE_DETACHED;
    *out = h;
    return 0;
}

pthread_t pthread_self(void)
{
    thread_of(0);
    return handle_of(sched_current());
}

int pthread_equal(pthread_t a, pthread_t b)
{
    return a == b;
}

int pthread_join(pthread_t h, void **result)
{
    struct thread *t = thread_of(h);
    if (!t || h == 0)
        return ESRCH;
    if (t == sched_current())
        return EDEADLK;
    if (t->detached)
        return EINVAL;
    while (t->state != T_DONE)
        sched_block(&t->joiners, SCHED_NO_DEADLINE);
    if (result)
        *result = t->result;
    threads[h] = NULL;
    sched_reap(t);
    return 0;
}

int pthread_detach(pthread_t h)
{
    struct thread *t = thread_of(h);
    if (!t || h == 0)
        return ESRCH;
    if (t->state == T_DONE) {
        threads[h] = NULL;
        sched_reap(t);
        return 0;
    }
    t->detached = true;
    threads[h] = NULL;
    return 0;
}

void pthread_exit(void *result)
{
    struct thread *t = sched_current();
    for (int k = 0; k < SCHED_MAX_KEYS; k++) {
        if (key_used[k] && key_destructors[k] && t->keys[k]) {
            void *v = t->keys[k];
            t->keys[k] = NULL;
            key_destructors[k](v);
        }
    }
    sched_exit(result);
}

void pthread_yield(void)
{
    sched_yield_thread();
}

/* ---- object handles ---- */

static void *object_get(uint32_t *handle, size_t size)
{
    if (*handle == STATIC_INIT) {
        for (uint32_t i = 1; i < MAX_OBJECTS; i++) {
            if (!objects[i]) {
                objects[i] = calloc(1, size);
                if (!objects[i])
                    return NULL;
                *handle = i;
                return objects[i];
            }
        }
        return NULL;
    }
    return *handle < MAX_OBJECTS ? objects[*handle] : NULL;
}

static void object_free(uint32_t *handle)
{
    if (*handle < MAX_OBJECTS && *handle) {
        free(objects[*handle]);
        objects[*handle] = NULL;
    }
    *handle = 0;
}

/* ---- mutexes ---- */

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
    *attr = (pthread_mutexattr_t){.is_initialized = 1, .type = PTHREAD_MUTEX_DEFAULT};
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
    attr->is_initialized = 0;
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
    if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_DEFAULT)
        return EINVAL;
    attr->type = type;
    return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    *m = STATIC_INIT;
    struct mutex *mx = object_get(m, sizeof *mx);
    if (!mx)
        return ENOMEM;
    mx->type = attr && attr->is_initialized ? attr->type : PTHREAD_MUTEX_DEFAULT;
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
    struct mutex *mx = object_get(m, sizeof *mx);
    if (mx && mx->owner)
        return EBUSY;
    object_free(m);
    return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    struct mutex *mx = object_get(m, sizeof *mx);
    struct thread *self = sched_current();
    if (!mx)
        return EINVAL;
    if (mx->owner == self) {
        if (mx->type == PTHREAD_MUTEX_RECURSIVE) {
            mx->depth++;
            return 0;
        }
        return mx->type == PTHREAD_MUTEX_ERRORCHECK ? EDEADLK : EBUSY;
    }
    if (mx->owner)
        return EBUSY;
    mx->owner = self;
    mx->depth = 1;
    return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    int r;
    struct mutex *mx = object_get(m, sizeof *mx);
    if (!mx)
        return EINVAL;
    while ((r = pthread_mutex_trylock(m)) == EBUSY) {
        if (mx->owner == sched_current())
            return EDEADLK; /* a normal mutex locked twice would hang forever */
        sched_block(&mx->waiters, SCHED_NO_DEADLINE);
    }
    return r;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    struct mutex *mx = object_get(m, sizeof *mx);
    if (!mx || mx->owner != sched_current())
        return EPERM;
    if (--mx->depth == 0) {
        mx->owner = NULL;
        sched_wake_one(&mx->waiters);
    }
    return 0;
}

/* ---- condition variables ---- */

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    (void)attr;
    *c = STATIC_INIT;
    return object_get(c, sizeof(struct cond)) ? 0 : ENOMEM;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
    object_free(c);
    return 0;
}

static uint64_t timespec_to_monotonic(const struct timespec *abstime)
{
    /* pthread_cond_timedwait's clock is CLOCK_REALTIME. */
    uint64_t when = (uint64_t)abstime->tv_sec * 1000000000ull + (uint64_t)abstime->tv_nsec;
    uint64_t wall = uk_clock_wall(), mono = uk_clock_monotonic();
    return when <= wall ? mono : mono + (when - wall);
}

static int cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline)
{
    struct cond *cv = object_get(c, sizeof *cv);
    struct mutex *mx = object_get(m, sizeof *mx);
    if (!cv || !mx || mx->owner != sched_current())
        return EINVAL;
    int depth = mx->depth;
    mx->depth = 1;
    pthread_mutex_unlock(m);
    bool woken = sched_block(&cv->waiters, deadline);
    pthread_mutex_lock(m);
    mx->depth = depth;
    return woken ? 0 : ETIMEDOUT;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return cond_wait_until(c, m, SCHED_NO_DEADLINE);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    if (!abstime || abstime->tv_nsec < 0 || abstime->tv_nsec >= 1000000000)
        return EINVAL;
    return cond_wait_until(c, m, timespec_to_monotonic(abstime));
}

int pthread_cond_signal(pthread_cond_t *c)
{
    struct cond *cv = object_get(c, sizeof *cv);
    if (cv)
        sched_wake_one(&cv->waiters);
    return cv ? 0 : EINVAL;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    struct cond *cv = object_get(c, sizeof *cv);
    if (cv)
        sched_wake_all(&cv->waiters);
    return cv ? 0 : EINVAL;
}

/* ---- once and keys ---- */

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
    if (!once->init_executed) {
        once->init_executed = 1;
        fn();
    }
    return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    for (int k = 0; k < SCHED_MAX_KEYS; k++) {
        if (!key_used[k]) {
            key_used[k] = true;
            key_destructors[k] = destructor;
            *key = (pthread_key_t)k;
            return 0;
        }
    }
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
    if (key >= SCHED_MAX_KEYS || !key_used[key])
        return EINVAL;
    key_used[key] = false;
    return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
    return key < SCHED_MAX_KEYS ? sched_current()->keys[key] : NULL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
    if (key >= SCHED_MAX_KEYS || !key_used[key])
        return EINVAL;
    sched_current()->keys[key] = (void *)(uintptr_t)value;
    return 0;
}

/* POSIX sched_yield(): lets the other runnable threads run. */
int sched_yield(void)
{
    sched_yield_thread();
    return 0;
}
