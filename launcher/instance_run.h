/* instance_run.h: `unikit run`'s side of instance state: record the instance, put its child in the cgroup, record the end. */
#ifndef UNIKIT_INSTANCE_RUN_H
#define UNIKIT_INSTANCE_RUN_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "run_config.h"
#include "state.h"

/*
 * The cgroup memory limit of a VM when --memory-limit is not given: its RAM
 * (-m) plus what the VMM process itself uses besides — measured here from the
 * cgroup (memory.usage_in_bytes, idle guest): unikit's VMM ≈ 0.9 MiB beyond
 * the guest RAM it touched, QEMU (TCG, microvm) ≈ 17 MiB (its code, the TCG
 * translation cache, its heap; more under load). The margins are generous on purpose:
 * the limit is to catch a VMM gone wrong, while a guest running out of its
 * own RAM is the guest's business (its malloc fails inside).
 */
#define INSTANCE_VMM_OVERHEAD (UINT64_C(32) << 20)
#define INSTANCE_QEMU_OVERHEAD (UINT64_C(256) << 20)

/* One run's instance: what the backends' hooks below reach through cfg->instance. */
struct run_instance {
    struct instance inst;
    bool has_cgroup;
    int ready_fd; /* -d: written once the child has started (detach.c), else -1 */
};

/*
 * Records (cfg) as a new instance (state_create) and makes its cgroup.
 * Returns 1 when recorded (cfg->instance then points at (ri)), 0 when the
 * run goes unrecorded (an attached run without --name, -d or limits, whose
 * state root cannot be written: a user without root), -1 with (*err) set.
 * Such a plain attached run is recorded without a cgroup when none can be
 * made; any run with -d, --name or a limit fails instead.
 */
int instance_run_begin(struct run_config *cfg, struct run_instance *ri, struct uk_error *err);

/* In the backend's child before the guest starts (async-signal-safe): join the cgroup. 0 or -errno. */
int instance_child_enter(const struct run_config *cfg);

/* In the backend's parent once the child (VMM, QEMU, init) exists: record its pid. */
void instance_child_started(const struct run_config *cfg, pid_t pid);

/*
 * The end: records (status), the time and whether the cgroup's OOM killer
 * struck, removes the cgroup, and removes the whole instance when it was to
 * be auto-removed. Returns the status to exit with.
 */
int instance_run_end(struct run_instance *ri, int status);

#endif /* UNIKIT_INSTANCE_RUN_H */
