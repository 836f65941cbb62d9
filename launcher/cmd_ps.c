/* cmd_ps.c: `unikit ps`: the instances, one line each (or JSON). */
#include <string.h>

#include "json.h"
#include "verb_common.h"
#include "verbs.h"

void cmd_ps_usage(FILE *out)
{
    fprintf(out, "Usage: unikit ps [-a] [--format table|json]\n"
                 "\n"
                 "Lists the running instances (with -a, the exited ones too): name, runtime,\n"
                 "image, state, uptime, address and memory in use (from its cgroup).\n");
}

/* "running", "exited (0)", "exited (137, OOM-killed)". */
static const char *state_text(const struct instance *inst, char *buf, size_t len)
{
    if (inst->status != INSTANCE_EXITED)
        return instance_status_name(inst);
    snprintf(buf, len, "exited (%d%s)", inst->exit_code,
             inst->oom_killed ? ", OOM-killed" : inst->lost ? ", lost" : "");
    return buf;
}

static void print_json(struct json_writer *w, const struct instance *inst, uint64_t mem)
{
    json_begin_object(w);
    json_kv_string(w, "name", inst->name);
    json_kv_string(w, "runtime", inst->runtime);
    json_kv_string(w, "image", inst->image);
    json_kv_string(w, "state", instance_status_name(inst));
    if (inst->status == INSTANCE_EXITED)
        json_kv_int(w, "exit_code", inst->exit_code);
    else
        json_kv_int(w, "uptime_s", (state_now_ns() - inst->started_ns) / 1000000000);
    json_kv_bool(w, "oom_killed", inst->oom_killed);
    json_kv_string(w, "ip", inst->ip);
    json_kv_int(w, "memory_bytes", (int64_t)mem);
    json_end_object(w);
}

int cmd_ps(int argc, char **argv)
{
    bool all = false, json = false;
    struct uk_error err = {0};
    char **names;
    int n;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (verb_is_help(a)) {
            cmd_ps_usage(stdout);
            return 0;
        } else if (strcmp(a, "-a") == 0 || strcmp(a, "--all") == 0) {
            all = true;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") != 0 && strcmp(f, "table") != 0) {
                uk_warn("ps: --format `%s`: expected table or json", f);
                return VERB_EXIT_LAUNCHER;
            }
            json = strcmp(f, "json") == 0;
        } else {
            uk_warn("ps: unknown argument `%s` (see `unikit ps --help`)", a);
            return VERB_EXIT_LAUNCHER;
        }
    }
    if (state_list(&names, &n, &err) < 0) {
        uk_error_print(&err);
        return VERB_EXIT_LAUNCHER;
    }
    struct json_writer w;
    json_init(&w, stdout, false);
    if (json)
        json_begin_array(&w);
    else
        printf("%-20s %-9s %-24s %-26s %-7s %-18s %s\n", "NAME", "RUNTIME", "IMAGE", "STATE",
               "UPTIME", "IP", "MEMORY");
    for (int i = 0; i < n; i++) {
        struct instance inst;
        struct cgroup_usage u;
        char st[48], up[16], mem[16];
        if (state_load(names[i], &inst, &err) != 0)
            continue; /* removed meanwhile, or not ours */
        if (state_refresh(&inst) && verb_prune_lost(&inst))
            continue;
        if (!all && !instance_is_active(&inst))
            continue;
        cgroup_usage(&inst.cgroup, &u);
        if (json) {
            print_json(&w, &inst, u.memory_bytes);
            continue;
        }
        const char *image = strrchr(inst.image, '/') ? strrchr(inst.image, '/') + 1 : inst.image;
        printf("%-20s %-9s %-24s %-26s %-7s %-18s %s\n", inst.name, inst.runtime, image,
               state_text(&inst, st, sizeof(st)),
               inst.status == INSTANCE_EXITED
                   ? "-"
                   : format_duration(state_now_ns() - inst.started_ns, up, sizeof(up)),
               inst.ip[0] ? inst.ip : "-",
               instance_is_active(&inst) ? format_bytes(u.memory_bytes, mem, sizeof(mem)) : "-");
    }
    if (json) {
        json_end_array(&w);
        putchar('\n');
    }
    state_free_names(names, n);
    return 0;
}
