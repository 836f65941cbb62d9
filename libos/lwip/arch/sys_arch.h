/* sys_arch.h: lwIP's OS types for unikit — semaphores, mutexes, mailboxes and threads of the libos scheduler. */
#ifndef UNIKIT_LWIP_SYS_ARCH_H
#define UNIKIT_LWIP_SYS_ARCH_H

struct uk_lwip_sem;
struct uk_lwip_mbox;
struct thread;

typedef struct uk_lwip_sem *sys_sem_t;
typedef struct uk_lwip_sem *sys_mutex_t; /* a binary semaphore */
typedef struct uk_lwip_mbox *sys_mbox_t;
typedef struct thread *sys_thread_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL

#endif
