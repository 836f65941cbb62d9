/* idle.c: how the libos waits — for now straight to the kernel; the thread scheduler hooks in here. */
#include "libos.h"

void libos_idle(uint64_t deadline_ns)
{
    uk_wait(deadline_ns);
}
