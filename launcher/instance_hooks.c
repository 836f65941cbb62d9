/* instance_hooks.c: what other subsystems undo when an instance is removed (network: tap/veth, lease; container: overlay). */
#include "state.h"

/*
 * Called once per instance by `unikit rm` (and at the end of an auto-removed
 * attached run), after its processes are gone and its cgroup is removed,
 * before its state directory is. Fill in: release the tap or veth named in
 * inst->netif, the address lease, the container's overlay mounts.
 */
void instance_cleanup_hooks(const struct instance *inst)
{
    (void)inst;
}
