/* cgroup_v1.c: the cgroup v1 backend: one directory per controller hierarchy (memory, cpu, cpuacct, pids). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"

static const char *const controller_names[CG_NCTL] = {
    [CG_MEMORY] = "memory", [CG_CPU] = "cpu", [CG_CPUACCT] = "cpuacct", [CG_PIDS] = "pids",
};

/* Memory is required (the guest's RAM is what the limit is for); the others are used when mounted. */
static int v1_create(struct cgroup *cg, const char *name, struct uk_error *err)
{
    for (int c = 0; c < CG_NCTL; c++) {
        char mnt[CGROUP_PATH_MAX], self[CGROUP_PATH_MAX], rel[CGROUP_PATH_MAX];
        if (cgroup_find_mount("cgroup", controller_names[c], mnt, sizeof(mnt)) < 0) {
            if (c == CG_MEMORY)
                return uk_error_set(err, 0, "cgroup: no v1 memory hierarchy is mounted");
            continue;
        }
        if (cgroup_self_path(controller_names[c], self, sizeof(self)) < 0)
            self[0] = '\0';
        if (snprintf(rel, sizeof(rel), "%s/unikit/%s", cgroup_parent(self), name) >=
                (int)sizeof(rel) ||
            snprintf(cg->dir[c], sizeof(cg->dir[c]), "%s%s", mnt, rel) >= (int)sizeof(cg->dir[c]))
            return uk_error_set(err, ENAMETOOLONG, "cgroup: %s directory for %s",
                                controller_names[c], name);
        int e = cgroup_mkdirs(mnt, rel + 1);
        if (e < 0)
            return uk_error_set(err, -e, "cgroup: create %s", cg->dir[c]);
    }
    return 0;
}

static int set(const struct cgroup *cg, enum cgroup_ctl c, const char *file, uint64_t v,
               bool optional, struct uk_error *err)
{
    char text[32];
    if (cg->dir[c][0] == '\0')
        return uk_error_set(err, 0, "cgroup: the %s controller is not mounted, so %s cannot be "
                            "limited", controller_names[c], controller_names[c]);
    snprintf(text, sizeof(text), "%" PRIu64, v);
    int e = cgroup_write(cg->dir[c], file, text);
    if (e == -ENOENT && optional)
        return 0;
    if (e < 0)
        return uk_error_set(err, -e, "cgroup: write %s to %s/%s", text, cg->dir[c], file);
    return 0;
}

static int v1_set_limits(const struct cgroup *cg, const struct cgroup_limits *l,
                         struct uk_error *err)
{
    if (l->memory_bytes != 0 &&
        (set(cg, CG_MEMORY, "memory.limit_in_bytes", l->memory_bytes, false, err) < 0 ||
         /* Where swap is accounted, memory+swap gets the same limit: no swapping past it. */
         set(cg, CG_MEMORY, "memory.memsw.limit_in_bytes", l->memory_bytes, true, err) < 0))
        return -1;
    if (l->cpu_quota_us != 0 &&
        (set(cg, CG_CPU, "cpu.cfs_period_us", l->cpu_period_us, false, err) < 0 ||
         set(cg, CG_CPU, "cpu.cfs_quota_us", l->cpu_quota_us, false, err) < 0))
        return -1;
    if (l->pids_max != 0 && set(cg, CG_PIDS, "pids.max", l->pids_max, false, err) < 0)
        return -1;
    return 0;
}

static int v1_enter(const struct cgroup *cg, pid_t pid)
{
    char text[16];
    cgroup_format_pid(pid, text);
    for (int c = 0; c < CG_NCTL; c++) {
        if (cg->dir[c][0] == '\0')
            continue;
        int e = cgroup_write(cg->dir[c], "cgroup.procs", text);
        if (e < 0)
            return e;
    }
    return 0;
}

static void v1_usage(const struct cgroup *cg, struct cgroup_usage *u)
{
    const char *mem = cg->dir[CG_MEMORY];
    u->memory_bytes = cgroup_read_u64(mem, "memory.usage_in_bytes", NULL);
    u->memory_limit = cgroup_read_u64(mem, "memory.limit_in_bytes", NULL);
    if (u->memory_limit >= (UINT64_C(1) << 62)) /* "unlimited" is PAGE_COUNTER_MAX pages */
        u->memory_limit = 0;
    u->oom_kills = cgroup_read_u64(mem, "memory.oom_control", "oom_kill");
    if (cg->dir[CG_CPUACCT][0])
        u->cpu_ns = cgroup_read_u64(cg->dir[CG_CPUACCT], "cpuacct.usage", NULL);
    if (cg->dir[CG_PIDS][0])
        u->pids = cgroup_read_u64(cg->dir[CG_PIDS], "pids.current", NULL);
}

static const char *v1_procs_dir(const struct cgroup *cg)
{
    return cg->dir[CG_MEMORY];
}

const struct cgroup_ops cgroup_v1_ops = {
    .version = 1,
    .create = v1_create,
    .set_limits = v1_set_limits,
    .enter = v1_enter,
    .usage = v1_usage,
    .procs_dir = v1_procs_dir,
};
