/* cgroup_v2.c: the cgroup v2 backend: one directory in the unified tree, memory, cpu and pids enabled down to it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"

/*
 * Controllers reach a cgroup only when each ancestor lists them in its
 * cgroup.subtree_control; we enable them from the parent down to `unikit`.
 * (Writing subtree_control fails with EBUSY in a cgroup that has member
 * processes, hence the parent at the tree's root by default.)
 */
static int enable_in(const char *dir, struct uk_error *err)
{
    int e = cgroup_write(dir, "cgroup.subtree_control", "+memory +cpu +pids");
    if (e == -ENOENT || e == -EINVAL) /* a controller missing: memory alone must do */
        e = cgroup_write(dir, "cgroup.subtree_control", "+memory");
    if (e < 0)
        return uk_error_set(err, -e, "cgroup: enable controllers in %s", dir);
    return 0;
}

/* (rel) is "/parent.../unikit/NAME": every directory above NAME, the root included. */
static int enable_controllers(const char *mnt, const char *rel, struct uk_error *err)
{
    char dir[CGROUP_PATH_MAX];
    const char *last = strrchr(rel, '/');

    if (enable_in(mnt, err) < 0)
        return -1;
    for (const char *p = strchr(rel + 1, '/'); p != NULL && p <= last; p = strchr(p + 1, '/')) {
        if (snprintf(dir, sizeof(dir), "%s%.*s", mnt, (int)(p - rel), rel) >= (int)sizeof(dir))
            return uk_error_set(err, ENAMETOOLONG, "cgroup: %s%s", mnt, rel);
        if (enable_in(dir, err) < 0)
            return -1;
    }
    return 0;
}

static int v2_create(struct cgroup *cg, const char *name, struct uk_error *err)
{
    char mnt[CGROUP_PATH_MAX], rel[CGROUP_PATH_MAX];

    if (cgroup_find_mount("cgroup2", NULL, mnt, sizeof(mnt)) < 0)
        return uk_error_set(err, 0, "cgroup: no cgroup2 mount");
    if (snprintf(rel, sizeof(rel), "%s/unikit/%s", cgroup_parent(""), name) >= (int)sizeof(rel) ||
        snprintf(cg->dir[0], sizeof(cg->dir[0]), "%s%s", mnt, rel) >= (int)sizeof(cg->dir[0]))
        return uk_error_set(err, ENAMETOOLONG, "cgroup: directory for %s", name);
    /* Make the parents, enable the controllers in them, then make the instance's own. */
    char *last = strrchr(rel, '/');
    *last = '\0';
    int e = cgroup_mkdirs(mnt, rel + 1);
    if (e < 0)
        return uk_error_set(err, -e, "cgroup: create %s%s", mnt, rel);
    *last = '/';
    if (enable_controllers(mnt, rel, err) < 0)
        return -1;
    e = cgroup_mkdirs(mnt, rel + 1);
    if (e < 0)
        return uk_error_set(err, -e, "cgroup: create %s", cg->dir[0]);
    return 0;
}

static int set(const struct cgroup *cg, const char *file, const char *text, struct uk_error *err)
{
    int e = cgroup_write(cg->dir[0], file, text);
    if (e < 0)
        return uk_error_set(err, -e, "cgroup: write %s to %s/%s", text, cg->dir[0], file);
    return 0;
}

static int v2_set_limits(const struct cgroup *cg, const struct cgroup_limits *l,
                         struct uk_error *err)
{
    char text[48];
    if (l->memory_bytes != 0) {
        snprintf(text, sizeof(text), "%" PRIu64, l->memory_bytes);
        if (set(cg, "memory.max", text, err) < 0)
            return -1;
        /* No swapping past the limit either (the file exists only with swap accounting). */
        (void)cgroup_write(cg->dir[0], "memory.swap.max", "0");
    }
    if (l->cpu_quota_us != 0) {
        snprintf(text, sizeof(text), "%" PRIu64 " %" PRIu64, l->cpu_quota_us, l->cpu_period_us);
        if (set(cg, "cpu.max", text, err) < 0)
            return -1;
    }
    if (l->pids_max != 0) {
        snprintf(text, sizeof(text), "%" PRIu64, l->pids_max);
        if (set(cg, "pids.max", text, err) < 0)
            return -1;
    }
    return 0;
}

static int v2_enter(const struct cgroup *cg, pid_t pid)
{
    char text[16];
    cgroup_format_pid(pid, text);
    return cgroup_write(cg->dir[0], "cgroup.procs", text);
}

static void v2_usage(const struct cgroup *cg, struct cgroup_usage *u)
{
    const char *d = cg->dir[0];
    u->memory_bytes = cgroup_read_u64(d, "memory.current", NULL);
    u->memory_limit = cgroup_read_u64(d, "memory.max", NULL); /* "max" reads as 0 */
    u->oom_kills = cgroup_read_u64(d, "memory.events", "oom_kill");
    u->cpu_ns = cgroup_read_u64(d, "cpu.stat", "usage_usec") * 1000;
    u->pids = cgroup_read_u64(d, "pids.current", NULL);
}

static const char *v2_procs_dir(const struct cgroup *cg)
{
    return cg->dir[0];
}

const struct cgroup_ops cgroup_v2_ops = {
    .version = 2,
    .create = v2_create,
    .set_limits = v2_set_limits,
    .enter = v2_enter,
    .usage = v2_usage,
    .procs_dir = v2_procs_dir,
};
