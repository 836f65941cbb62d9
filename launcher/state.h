/* state.h: instance state under ${UNIKIT_ROOT:-/run/unikit}/<name>/ — what every verb reads and the supervisor writes. */
#ifndef UNIKIT_STATE_H
#define UNIKIT_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

/*
 * One directory per instance, <root>/<name>/:
 *   state.json   everything below (config, pids, times, exit status, limits,
 *                cgroup, address), one flat JSON object; replaced whole
 *                (write state.json.tmp, fsync-free rename), so a reader never
 *                sees half of it and needs no lock;
 *   lock         flock(2)ed by every writer around read-modify-write;
 *   console.log  a detached instance's console (and its supervisor's messages).
 * Other subsystems may keep their own files there (a network lease, an
 * overlay upper directory): state_remove removes the whole directory.
 *
 * A name is taken by mkdir(<root>/<name>), which is atomic, so two `unikit run
 * --name X` cannot both win. An instance is "running" while its supervisor
 * (the `unikit run` process waiting for it) or its child (the VMM, QEMU or
 * the container's init) lives — pids are checked together with their start
 * time, so a reused pid is not mistaken for it; state_refresh turns one whose
 * processes vanished into "exited" (status 137 when nobody recorded one).
 */

#define STATE_DEFAULT_ROOT "/run/unikit"
#define STATE_ROOT_ENV "UNIKIT_ROOT"
#define INSTANCE_NAME_MAX 64 /* [A-Za-z0-9][A-Za-z0-9_.-]*, shorter than this */

enum instance_status { INSTANCE_CREATED, INSTANCE_RUNNING, INSTANCE_EXITED };

struct instance {
    char name[INSTANCE_NAME_MAX];
    char runtime[16];          /* "vm" or "container" */
    char vmm[8];               /* "kvm" or "qemu" for a VM */
    char image[PATH_MAX];
    char args[1024];           /* the guest's arguments, space-separated (display only) */
    uint64_t mem_bytes;        /* -m */
    struct cgroup_limits limits;
    struct cgroup cgroup;
    bool detached;
    bool autoremove;           /* removed when it ends (attached run without --name) */
    enum instance_status status;
    pid_t supervisor_pid;      /* the `unikit run` process waiting for it */
    uint64_t supervisor_start; /* its start time (/proc/PID/stat field 22), against pid reuse */
    pid_t pid;                 /* the VMM, QEMU or the container's init; 0 before it starts */
    uint64_t pid_start;
    int exit_code;             /* when INSTANCE_EXITED */
    bool oom_killed;           /* the cgroup's OOM killer ended it */
    bool lost;                 /* it vanished without anyone recording how (exit_code 137) */
    bool stop_requested;       /* `unikit stop` asked it to end */
    int64_t created_ns, started_ns, finished_ns; /* CLOCK_REALTIME; 0 when not yet */
    /* Filled by the network code when it attaches the instance: */
    char ip[64];               /* "10.88.0.2/24", or "" */
    char netif[32];            /* host side: tap or veth name, for the byte counters */
};

/* The state root: $UNIKIT_ROOT, else STATE_DEFAULT_ROOT. */
const char *state_root(void);

/* Writes <root>/<name>[/file] to (buf); returns 0, or -1 if it does not fit. */
int state_path(const char *name, const char *file, char *buf, size_t len);

/* True if (name) is a valid instance name. */
bool state_valid_name(const char *name);

/*
 * Takes inst->name (or, when it is "", a generated unique name written back
 * into it) by making its directory, and writes (*inst) there. Returns 0, or -1
 * with (*err) set: "name already in use" when the directory exists.
 */
int state_create(struct instance *inst, struct uk_error *err);

/* Returned by state_load when there is no instance of that name. */
#define STATE_NO_SUCH (-2)

/* Reads (name)'s state into (*inst). Returns 0, STATE_NO_SUCH, or -1 with (*err) set. */
int state_load(const char *name, struct instance *inst, struct uk_error *err);

/* Replaces (inst)'s state.json atomically; call with its lock held. Returns 0 or -1. */
int state_save(const struct instance *inst, struct uk_error *err);

/* flock(LOCK_EX)s (name)'s lock file; returns the descriptor for state_unlock, or -1. */
int state_lock(const char *name, struct uk_error *err);
void state_unlock(int fd);

/* Lock, load, (change)(inst, ctx), save, unlock. Returns 0, STATE_NO_SUCH or -1. */
int state_update(const char *name, void (*change)(struct instance *inst, void *ctx), void *ctx,
                 struct uk_error *err);

/* Removes (name)'s directory and everything in it. Returns 0 or -1. */
int state_remove(const char *name, struct uk_error *err);

/* The instance names under the root, sorted; (*names) freed with state_free_names. */
int state_list(char ***names, int *count, struct uk_error *err);
void state_free_names(char **names, int count);

/*
 * Corrects (*inst) in memory for processes that vanished: created or
 * running, but neither its supervisor nor its child alive, means exited
 * (lost, 137, when no status was recorded). Returns true if it changed.
 */
bool state_refresh(struct instance *inst);

/* True while (inst) is created or running (after state_refresh). */
bool instance_is_active(const struct instance *inst);

/* "running", "created", "exited". */
const char *instance_status_name(const struct instance *inst);

/* The start time of process (pid) (/proc/PID/stat field 22), 0 if it does not exist. */
uint64_t proc_start_time(pid_t pid);

/* True if (pid) is alive and started at (start) (any start when start is 0). */
bool proc_alive(pid_t pid, uint64_t start);

/* CLOCK_REALTIME in nanoseconds. */
int64_t state_now_ns(void);

/*
 * ---- hooks for other subsystems (instance_hooks.c) ----
 * Called by `unikit rm` (and by an auto-removed instance at its end) after
 * every process of (inst) is gone and its cgroup removed, before its state
 * directory is: the place to free the tap or veth, the address lease, the
 * overlay mounts. Must not fail: it reports what it could not undo on
 * stderr itself and carries on.
 */
void instance_cleanup_hooks(const struct instance *inst);

/* state_json.c: (inst) as the state file's JSON, and back. */
int state_write_json(const struct instance *inst, FILE *out);
int state_parse_json(const char *text, struct instance *inst);

#endif /* UNIKIT_STATE_H */
