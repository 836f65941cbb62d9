/* instance_run.c: recording a run as an instance: state and cgroup at the start, pid, exit status and OOM at the end. */
#include "instance_run.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The run asks for something only a recorded instance gives. */
static bool needs_state(const struct run_config *cfg)
{
    return cfg->detach || cfg->name != NULL || cfg->cpu_quota_us != 0 || cfg->pids_max != 0 ||
           cfg->memory_limit != 0 || cfg->runtime == RUNTIME_CONTAINER;
}

static void describe(const struct run_config *cfg, struct instance *inst)
{
    memset(inst, 0, sizeof(*inst));
    if (cfg->name)
        snprintf(inst->name, sizeof(inst->name), "%s", cfg->name);
    snprintf(inst->runtime, sizeof(inst->runtime), "%s",
             cfg->runtime == RUNTIME_CONTAINER ? "container" : "vm");
    if (cfg->runtime == RUNTIME_VM)
        snprintf(inst->vmm, sizeof(inst->vmm), "%s", cfg->vmm == VMM_QEMU ? "qemu" : "kvm");
    if (realpath(cfg->image, inst->image) == NULL)
        snprintf(inst->image, sizeof(inst->image), "%s", cfg->image);
    size_t n = 0;
    for (int i = 0; i < cfg->nargs && n < sizeof(inst->args); i++)
        n += (size_t)snprintf(inst->args + n, sizeof(inst->args) - n, "%s%s", i ? " " : "",
                              cfg->argv[i]);
    inst->mem_bytes = cfg->mem_bytes;
    inst->limits.memory_bytes = cfg->memory_limit;
    if (inst->limits.memory_bytes == 0 && cfg->runtime == RUNTIME_VM)
        inst->limits.memory_bytes = cfg->mem_bytes + (cfg->vmm == VMM_QEMU ? INSTANCE_QEMU_OVERHEAD
                                                                           : INSTANCE_VMM_OVERHEAD);
    if (inst->limits.memory_bytes == 0)
        inst->limits.memory_bytes = cfg->mem_bytes; /* a container: -m is its limit */
    inst->limits.cpu_quota_us = cfg->cpu_quota_us;
    inst->limits.cpu_period_us = cfg->cpu_period_us;
    inst->limits.pids_max = cfg->pids_max;
    inst->detached = cfg->detach;
    inst->autoremove = !cfg->detach && cfg->name == NULL;
    inst->status = INSTANCE_CREATED;
    inst->created_ns = state_now_ns();
}

static void set_cgroup(struct instance *inst, void *ctx)
{
    inst->cgroup = *(const struct cgroup *)ctx;
}

static void set_running(struct instance *inst, void *ctx)
{
    (void)ctx;
    inst->status = INSTANCE_RUNNING;
    inst->supervisor_pid = getpid();
    inst->supervisor_start = proc_start_time(getpid());
    inst->started_ns = state_now_ns();
}

int instance_run_begin(struct run_config *cfg, struct run_instance *ri, struct uk_error *err)
{
    struct cgroup cg;

    ri->has_cgroup = false;
    ri->ready_fd = -1;
    describe(cfg, &ri->inst);
    if (state_create(&ri->inst, err) < 0) {
        bool denied = err->errnum == EACCES || err->errnum == EROFS || err->errnum == EPERM;
        return denied && !needs_state(cfg) ? 0 : -1;
    }
    /* A plain attached run goes on without a cgroup where there is none to have (no
     * permission, or no cgroup mount: `ip netns exec` remounts /sys without them). */
    if (cgroup_create(&cg, ri->inst.name, &ri->inst.limits, err) < 0) {
        if (needs_state(cfg)) {
            struct uk_error ignored;
            state_remove(ri->inst.name, &ignored);
            return -1;
        }
    } else {
        ri->has_cgroup = true;
        ri->inst.cgroup = cg;
    }
    if (state_update(ri->inst.name, set_cgroup, &ri->inst.cgroup, err) < 0 ||
        state_update(ri->inst.name, set_running, NULL, err) < 0) {
        struct uk_error ignored;
        cgroup_destroy(&ri->inst.cgroup, &ignored);
        state_remove(ri->inst.name, &ignored);
        return -1;
    }
    set_running(&ri->inst, NULL);
    cfg->instance = ri;
    return 1;
}

int instance_child_enter(const struct run_config *cfg)
{
    if (cfg->instance == NULL || !cfg->instance->has_cgroup)
        return 0;
    return cgroup_enter(&cfg->instance->inst.cgroup, 0);
}

static void set_child(struct instance *inst, void *ctx)
{
    pid_t pid = *(const pid_t *)ctx;
    inst->pid = pid;
    inst->pid_start = proc_start_time(pid);
}

void instance_child_started(const struct run_config *cfg, pid_t pid)
{
    struct uk_error err;
    struct run_instance *ri = cfg->instance;

    if (ri == NULL)
        return;
    ri->inst.pid = pid;
    if (state_update(ri->inst.name, set_child, &pid, &err) < 0)
        uk_error_print(&err); /* the run goes on; ps shows the supervisor's pid only */
    if (ri->ready_fd >= 0) {
        (void)!write(ri->ready_fd, "", 1);
        close(ri->ready_fd);
        ri->ready_fd = -1;
    }
}

struct end_info {
    int status;
    bool oom;
};

static void set_exited(struct instance *inst, void *ctx)
{
    const struct end_info *e = ctx;
    inst->status = INSTANCE_EXITED;
    inst->exit_code = e->status;
    inst->oom_killed = e->oom;
    inst->finished_ns = state_now_ns();
}

int instance_run_end(struct run_instance *ri, int status)
{
    struct end_info e = {.status = status};
    struct uk_error err;
    struct cgroup_usage u;

    if (ri->ready_fd >= 0) {
        close(ri->ready_fd); /* it never started: detach.c reads the end of file */
        ri->ready_fd = -1;
    }
    if (ri->has_cgroup) {
        cgroup_usage(&ri->inst.cgroup, &u);
        /* The OOM killer's SIGKILL ends the VMM (137) or QEMU (125: unikit run's mapping);
         * either way the cgroup counted it. */
        e.oom = u.oom_kills > 0;
        if (e.oom)
            uk_warn("run: %s: killed by the cgroup's OOM killer (memory limit %llu bytes)",
                    ri->inst.name, (unsigned long long)ri->inst.limits.memory_bytes);
        if (cgroup_destroy(&ri->inst.cgroup, &err) < 0)
            uk_error_print(&err);
    }
    if (ri->inst.autoremove) {
        instance_cleanup_hooks(&ri->inst);
        if (state_remove(ri->inst.name, &err) < 0)
            uk_error_print(&err);
    } else if (state_update(ri->inst.name, set_exited, &e, &err) < 0) {
        uk_error_print(&err);
    }
    return status;
}
