/* cmd_inspect.c: `unikit inspect`: everything recorded about an instance, as JSON. */
#include "json.h"
#include "verb_common.h"
#include "verbs.h"

void cmd_inspect_usage(FILE *out)
{
    fprintf(out, "Usage: unikit inspect NAME...\n"
                 "\n"
                 "Prints each instance as a JSON object: name, runtime, image, state, pids,\n"
                 "exit code, OOM kill, address, limits, cgroup, and its times (RFC 3339, UTC).\n"
                 "Exits 1 when an instance does not exist.\n");
}

static void put_time(struct json_writer *w, const char *key, int64_t ns)
{
    char buf[48];
    json_key(w, key);
    if (ns > 0)
        json_string(w, format_time(ns, buf, sizeof(buf)));
    else
        json_null(w);
}

static void put_instance(struct json_writer *w, const struct instance *inst)
{
    json_begin_object(w);
    json_kv_string(w, "name", inst->name);
    json_kv_string(w, "runtime", inst->runtime);
    if (inst->vmm[0])
        json_kv_string(w, "vmm", inst->vmm);
    json_kv_string(w, "image", inst->image);
    json_kv_string(w, "args", inst->args);
    json_kv_string(w, "state", instance_status_name(inst));
    json_kv_bool(w, "detached", inst->detached);
    json_kv_int(w, "pid", instance_is_active(inst) ? inst->pid : 0);
    json_kv_int(w, "supervisor_pid", instance_is_active(inst) ? inst->supervisor_pid : 0);
    json_key(w, "exit_code");
    if (inst->status == INSTANCE_EXITED)
        json_int(w, inst->exit_code);
    else
        json_null(w);
    json_kv_bool(w, "oom_killed", inst->oom_killed);
    json_kv_bool(w, "lost", inst->lost);
    json_kv_string(w, "ip", inst->ip);
    json_kv_string(w, "netif", inst->netif);
    json_key(w, "limits");
    json_begin_object(w);
    json_kv_int(w, "memory_bytes", (int64_t)inst->limits.memory_bytes);
    json_kv_int(w, "guest_memory_bytes", (int64_t)inst->mem_bytes);
    json_kv_int(w, "cpu_quota_us", (int64_t)inst->limits.cpu_quota_us);
    json_kv_int(w, "cpu_period_us", (int64_t)inst->limits.cpu_period_us);
    json_kv_int(w, "pids", (int64_t)inst->limits.pids_max);
    json_end_object(w);
    json_key(w, "cgroup");
    json_begin_object(w);
    json_kv_int(w, "version", inst->cgroup.version);
    json_kv_string(w, "path", cgroup_display_path(&inst->cgroup));
    if (inst->cgroup.version == 1) {
        json_kv_string(w, "cpu", inst->cgroup.dir[CG_CPU]);
        json_kv_string(w, "cpuacct", inst->cgroup.dir[CG_CPUACCT]);
        json_kv_string(w, "pids", inst->cgroup.dir[CG_PIDS]);
    }
    json_end_object(w);
    put_time(w, "created", inst->created_ns);
    put_time(w, "started", inst->started_ns);
    put_time(w, "finished", inst->finished_ns);
    json_end_object(w);
}

int cmd_inspect(int argc, char **argv)
{
    int status = 0;
    if (argc < 2) {
        cmd_inspect_usage(stderr);
        return VERB_EXIT_LAUNCHER;
    }
    for (int i = 1; i < argc; i++) {
        struct instance inst;
        struct json_writer w;
        if (verb_is_help(argv[i])) {
            cmd_inspect_usage(stdout);
            return 0;
        }
        int rc = verb_load("inspect", argv[i], &inst);
        if (rc != 0) {
            status = rc;
            continue;
        }
        json_init(&w, stdout, true);
        put_instance(&w, &inst);
        putchar('\n');
    }
    return status;
}
