/* instance_hooks.c: what other subsystems undo when an instance is removed (network: tap/veth, lease; container: overlay). */
#include <string.h>

#include "container/container.h"
#include "net/net.h"
#include "state.h"

/*
 * Called once per instance by `unikit rm` (and at the end of an auto-removed
 * attached run), after its processes are gone and its cgroup is removed,
 * before its state directory is. An attached run has undone all of it
 * already when it ended; this is for one whose supervisor was killed.
 */
void instance_cleanup_hooks(const struct instance *inst)
{
    /* The lease's record says which tap or veth and which ports were its. */
    if (inst->ip[0] != '\0')
        net_release(state_root(), inst->ip);
    if (strcmp(inst->runtime, "container") == 0)
        container_cleanup(inst->name);
}
