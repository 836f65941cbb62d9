/* state_json.c: struct instance to the flat JSON of state.json and back, through one field table. */
#include <stddef.h>
#include <string.h>

#include "json.h"
#include "state.h"

enum field_type { F_STR, F_I64, F_U64, F_INT, F_BOOL, F_STATUS };

struct field {
    const char *key;
    enum field_type type;
    size_t offset, size;
};

#define FIELD(key, type, member) {key, type, offsetof(struct instance, member), \
                                  sizeof(((struct instance *)0)->member)}

static const struct field fields[] = {
    FIELD("name", F_STR, name),
    FIELD("runtime", F_STR, runtime),
    FIELD("vmm", F_STR, vmm),
    FIELD("image", F_STR, image),
    FIELD("args", F_STR, args),
    FIELD("status", F_STATUS, status),
    FIELD("detached", F_BOOL, detached),
    FIELD("autoremove", F_BOOL, autoremove),
    FIELD("supervisor_pid", F_INT, supervisor_pid),
    FIELD("supervisor_start", F_U64, supervisor_start),
    FIELD("pid", F_INT, pid),
    FIELD("pid_start", F_U64, pid_start),
    FIELD("exit_code", F_INT, exit_code),
    FIELD("oom_killed", F_BOOL, oom_killed),
    FIELD("lost", F_BOOL, lost),
    FIELD("stop_requested", F_BOOL, stop_requested),
    FIELD("created_ns", F_I64, created_ns),
    FIELD("started_ns", F_I64, started_ns),
    FIELD("finished_ns", F_I64, finished_ns),
    FIELD("memory", F_U64, mem_bytes),
    FIELD("limit_memory", F_U64, limits.memory_bytes),
    FIELD("limit_cpu_quota_us", F_U64, limits.cpu_quota_us),
    FIELD("limit_cpu_period_us", F_U64, limits.cpu_period_us),
    FIELD("limit_pids", F_U64, limits.pids_max),
    FIELD("cgroup_version", F_INT, cgroup.version),
    FIELD("cgroup_memory", F_STR, cgroup.dir[CG_MEMORY]),
    FIELD("cgroup_cpu", F_STR, cgroup.dir[CG_CPU]),
    FIELD("cgroup_cpuacct", F_STR, cgroup.dir[CG_CPUACCT]),
    FIELD("cgroup_pids", F_STR, cgroup.dir[CG_PIDS]),
    FIELD("ip", F_STR, ip),
    FIELD("netif", F_STR, netif),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const status_names[] = {"created", "running", "exited"};

int state_write_json(const struct instance *inst, FILE *out)
{
    struct json_writer w;
    json_init(&w, out, true);
    json_begin_object(&w);
    for (size_t i = 0; i < NFIELDS; i++) {
        const struct field *f = &fields[i];
        const char *p = (const char *)inst + f->offset;
        json_key(&w, f->key);
        switch (f->type) {
        case F_STR: json_string(&w, p); break;
        case F_I64: json_int(&w, *(const int64_t *)p); break;
        case F_U64: json_int(&w, (int64_t) * (const uint64_t *)p); break;
        case F_INT: json_int(&w, *(const int *)p); break;
        case F_BOOL: json_bool(&w, *(const bool *)p); break;
        case F_STATUS: json_string(&w, status_names[*(const enum instance_status *)p]); break;
        }
    }
    json_end_object(&w);
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}

/* One member of the file: stored in its field; unknown keys (a newer unikit's) are ignored. */
static void take_member(void *ctx, const char *key, const char *str, int64_t num)
{
    struct instance *inst = ctx;
    for (size_t i = 0; i < NFIELDS; i++) {
        const struct field *f = &fields[i];
        char *p = (char *)inst + f->offset;
        if (strcmp(f->key, key) != 0)
            continue;
        switch (f->type) {
        case F_STR: snprintf(p, f->size, "%s", str); break;
        case F_I64: *(int64_t *)p = num; break;
        case F_U64: *(uint64_t *)p = (uint64_t)num; break;
        case F_INT: *(int *)p = (int)num; break;
        case F_BOOL: *(bool *)p = num != 0; break;
        case F_STATUS:
            for (int s = 0; s < 3; s++)
                if (strcmp(str, status_names[s]) == 0)
                    *(enum instance_status *)p = (enum instance_status)s;
            break;
        }
        return;
    }
}

int state_parse_json(const char *text, struct instance *inst)
{
    memset(inst, 0, sizeof(*inst));
    return json_read_flat(text, take_member, inst);
}
