/* cgroup.h: one cgroup per instance — create with limits, enter, read usage, remove — on v1 or v2. */
#ifndef UNIKIT_CGROUP_H
#define UNIKIT_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/*
 * Which cgroup hierarchy is used is decided once per process (cgroup_detect):
 *   - v1 when a v1 hierarchy carries the memory controller (plain v1, and the
 *     hybrid layout with v1 controllers beside an empty v2 tree, as on
 *     systemd's "hybrid" hosts): one directory per controller (memory, cpu,
 *     cpuacct, pids), which may coincide when controllers share a mount;
 *   - else v2 when a cgroup2 mount offers the memory controller: one
 *     directory, with memory, cpu and pids enabled down to it.
 * An instance's cgroup is named `unikit/<name>` below a parent: by default
 * the caller's own cgroup in each v1 hierarchy (so that whatever contains
 * the caller also contains its instances), the root of a v2 tree (whose
 * no-internal-processes rule forbids nesting under a cgroup with members);
 * UNIKIT_CGROUP_PARENT=/path (relative to each hierarchy's root) replaces it.
 * The directories are recorded in the instance's state, so any later
 * `unikit` call finds them without detecting again.
 */

enum cgroup_ctl { CG_MEMORY, CG_CPU, CG_CPUACCT, CG_PIDS, CG_NCTL };
#define CGROUP_PATH_MAX 512

struct cgroup {
    int version; /* 1 or 2; 0 when the instance has none */
    /* v1: the directory in each controller's hierarchy; v2: dir[0] only. */
    char dir[CG_NCTL][CGROUP_PATH_MAX];
};

/* Limits; 0 means none (unlimited). */
struct cgroup_limits {
    uint64_t memory_bytes;  /* memory (and memory+swap where there is such a file) */
    uint64_t cpu_quota_us;  /* CPU time per period: --cpus 0.5 is 50000 in 100000 */
    uint64_t cpu_period_us;
    uint64_t pids_max;
};

/* What the cgroup reports now; a figure it cannot read is left 0. */
struct cgroup_usage {
    uint64_t memory_bytes;
    uint64_t memory_limit; /* 0: unlimited */
    uint64_t cpu_ns;       /* CPU time used since creation */
    uint64_t pids;
    uint64_t oom_kills;    /* processes the OOM killer killed in it */
};

/* A backend (cgroup_v1.c, cgroup_v2.c); the caller goes through the functions below. */
struct cgroup_ops {
    int version;
    /* Fills cg->dir for (name) and makes the directories. */
    int (*create)(struct cgroup *cg, const char *name, struct uk_error *err);
    int (*set_limits)(const struct cgroup *cg, const struct cgroup_limits *l,
                      struct uk_error *err);
    /* Moves process (pid) in; async-signal-safe (called between fork and exec). Returns -errno. */
    int (*enter)(const struct cgroup *cg, pid_t pid);
    void (*usage)(const struct cgroup *cg, struct cgroup_usage *u);
    /* The directory whose cgroup.procs lists the members (any one hierarchy). */
    const char *(*procs_dir)(const struct cgroup *cg);
};

extern const struct cgroup_ops cgroup_v1_ops, cgroup_v2_ops;

/* Which backend this host uses (detected once); NULL with (*err) when neither works. */
const struct cgroup_ops *cgroup_detect(struct uk_error *err);

/*
 * Creates the cgroup `unikit/<name>` with (limits) on this host's backend,
 * filling (*cg). Returns 0, or -1 with (*err) set and nothing left behind.
 */
int cgroup_create(struct cgroup *cg, const char *name, const struct cgroup_limits *limits,
                  struct uk_error *err);

/* Moves (pid) (0: the caller) into (cg); async-signal-safe. Returns 0 or -errno. */
int cgroup_enter(const struct cgroup *cg, pid_t pid);

/* Reads (cg)'s figures into (*u) (zeroed first). */
void cgroup_usage(const struct cgroup *cg, struct cgroup_usage *u);

/* Sends (sig) to every process in (cg); returns how many there were. */
int cgroup_signal_all(const struct cgroup *cg, int sig);

/*
 * Removes (cg)'s directories, first killing what is left in it (SIGKILL)
 * and waiting up to a second for the kernel to let go of it. A directory
 * already gone is fine. Returns 0, or -1 with (*err) set.
 */
int cgroup_destroy(const struct cgroup *cg, struct uk_error *err);

/* The path to show for (cg) (inspect): the memory directory on v1. */
const char *cgroup_display_path(const struct cgroup *cg);

/* ---- shared by the backends (cgroup.c) ---- */

/* Writes (value) to (dir)/(file); returns 0 or -errno (async-signal-safe). */
int cgroup_write(const char *dir, const char *file, const char *value);
/* Reads (dir)/(file) into (buf); returns bytes read or -errno. */
int cgroup_read(const char *dir, const char *file, char *buf, size_t len);
/* The number in (dir)/(file), or the value after "(key) " in it when (key) is set; 0 if unreadable. */
uint64_t cgroup_read_u64(const char *dir, const char *file, const char *key);
/* The parent to create instances under (UNIKIT_CGROUP_PARENT or (fallback)), without a trailing "/". */
const char *cgroup_parent(const char *fallback);
/* mkdir -p for (path) below (root), which exists; returns 0 or -errno. */
int cgroup_mkdirs(const char *root, const char *path);
/* The mount point of a (fstype) mount ("cgroup", "cgroup2") whose super options include
 * (option) (NULL: any); returns 0 or -1. */
int cgroup_find_mount(const char *fstype, const char *option, char *out, size_t len);
/* The caller's cgroup path in the hierarchy of (controller) (v2: ""), from /proc/self/cgroup. */
int cgroup_self_path(const char *controller, char *out, size_t len);
/* Formats (pid) into (buf) (16 bytes) without stdio; async-signal-safe. */
void cgroup_format_pid(pid_t pid, char *buf);

#endif /* UNIKIT_CGROUP_H */
