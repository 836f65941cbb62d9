/* idle.c: how the libos waits — the kernel's wait, then any stop notice delivered as SIGTERM. */
#include <signal.h>

#include "libos.h"

void libos_idle(uint64_t deadline_ns)
{
    uk_wait(deadline_ns);
    /* The app's SIGTERM handler runs here, in normal context; by default the guest exits 143. */
    if (uk_stop_requested())
        raise(SIGTERM);
}
