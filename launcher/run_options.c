/* run_options.c: `unikit run` flags: one table, each flag checked as it is read. */
#include "run_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "firmware_options.h"
#include "lifecycle_options.h"
#include "net_options.h"
#include "size.h"

enum run_flag {
    FLAG_VMM,
    FLAG_ACCEL,
    FLAG_MEMORY,
    FLAG_ENV,
    FLAG_CONSOLE,
    FLAG_DISK,
    FLAG_NET,
    FLAG_IP,
    FLAG_GW,
    FLAG_MAC,
    FLAG_FIRMWARE,
    FLAG_MACHINE,
    FLAG_STATS,
    FLAG_USER,
    FLAG_DETACH,
    FLAG_NAME,
    FLAG_RUNTIME,
    FLAG_CPUS,
    FLAG_PIDS,
    FLAG_MEMORY_LIMIT,
    FLAG_PUBLISH,
    FLAG_HELP,
};

struct flag_spec {
    const char *short_name; /* "-m", or NULL */
    const char *long_name;  /* "--memory" */
    enum run_flag flag;
    int takes_value;
};

static const struct flag_spec flags[] = {
    {NULL, "--vmm", FLAG_VMM, 1},
    {NULL, "--accel", FLAG_ACCEL, 1},
    {"-m", "--memory", FLAG_MEMORY, 1},
    {"-e", "--env", FLAG_ENV, 1},
    {NULL, "--console", FLAG_CONSOLE, 1},
    {NULL, "--disk", FLAG_DISK, 1},
    {NULL, "--net", FLAG_NET, 1},
    {NULL, "--ip", FLAG_IP, 1},
    {NULL, "--gw", FLAG_GW, 1},
    {NULL, "--mac", FLAG_MAC, 1},
    {NULL, "--firmware", FLAG_FIRMWARE, 1},
    {NULL, "--machine", FLAG_MACHINE, 1},
    {NULL, "--stats", FLAG_STATS, 0},
    {NULL, "--user", FLAG_USER, 1},
    {"-d", "--detach", FLAG_DETACH, 0},
    {NULL, "--name", FLAG_NAME, 1},
    {NULL, "--runtime", FLAG_RUNTIME, 1},
    {NULL, "--cpus", FLAG_CPUS, 1},
    {NULL, "--pids", FLAG_PIDS, 1},
    {NULL, "--memory-limit", FLAG_MEMORY_LIMIT, 1},
    {"-p", "--publish", FLAG_PUBLISH, 1},
    {"-h", "--help", FLAG_HELP, 0},
};

/* Finds the flag (arg) names; (*inline_value) gets the text after "--name=" if any. */
static const struct flag_spec *find_flag(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        const struct flag_spec *f = &flags[i];
        size_t n = strlen(f->long_name);
        if (f->short_name && strcmp(arg, f->short_name) == 0)
            return f;
        if (strncmp(arg, f->long_name, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
            if (arg[n] == '=')
                *inline_value = arg + n + 1;
            return f;
        }
    }
    return NULL;
}

static int set_vmm(const char *value, struct run_config *cfg, struct uk_error *err)
{
    if (strcmp(value, "kvm") == 0)
        cfg->vmm = VMM_KVM;
    else if (strcmp(value, "qemu") == 0)
        cfg->vmm = VMM_QEMU;
    else
        return uk_error_set(err, 0, "run: --vmm `%s`: expected kvm or qemu", value);
    return 0;
}

static int set_accel(const char *value, struct run_config *cfg, struct uk_error *err)
{
    if (strcmp(value, "kvm") == 0)
        cfg->accel = ACCEL_KVM;
    else if (strcmp(value, "tcg") == 0)
        cfg->accel = ACCEL_TCG;
    else if (strcmp(value, "auto") == 0)
        cfg->accel = ACCEL_AUTO;
    else
        return uk_error_set(err, 0, "run: --accel `%s`: expected kvm, tcg or auto", value);
    return 0;
}

/* --user UID[:GID], numeric; the group defaults to the uid. */
static int set_user(const char *value, struct run_config *cfg, struct uk_error *err)
{
    char *end;
    errno = 0;
    unsigned long uid = strtoul(value, &end, 10), gid = uid;
    if (end != value && *end == ':') {
        const char *g = end + 1;
        gid = strtoul(g, &end, 10);
        if (end == g)
            end = (char *)g - 1; /* an empty GID is malformed */
    }
    if (errno || end == value || *end || value[0] == '-' || uid > 0xfffffffeUL || gid > 0xfffffffeUL)
        return uk_error_set(err, 0, "run: --user '%s': expected UID[:GID], numbers below 4294967295",
                            value);
    cfg->drop_user = true;
    cfg->user_uid = (unsigned)uid;
    cfg->user_gid = (unsigned)gid;
    return 0;
}

static int set_memory(const char *value, struct run_config *cfg, struct uk_error *err)
{
    uint64_t bytes;

    if (size_parse(value, &bytes, err) < 0)
        return uk_error_prefix(err, "run: -m");
    if (bytes < RUN_MIN_MEM || bytes > RUN_MAX_MEM)
        return uk_error_set(err, 0, "run: -m %s: guest memory must be between 4M and 3G", value);
    if (bytes % 4096 != 0)
        return uk_error_set(err, 0, "run: -m %s: guest memory must be a multiple of 4K", value);
    cfg->mem_bytes = bytes;
    return 0;
}

static int add_env(const char *value, struct run_config *cfg, const char **env,
                   struct uk_error *err)
{
    const char *eq = strchr(value, '=');

    if (eq == NULL || eq == value)
        return uk_error_set(err, 0, "run: -e `%s`: expected KEY=VALUE", value);
    env[cfg->nenv++] = value;
    return 0;
}

/* --disk PATH or PATH:ro; PATH itself is checked when the run is prepared. */
static int add_disk(const char *value, struct run_config *cfg, struct uk_error *err)
{
    static const char ro_suffix[] = ":ro";
    size_t n = strlen(value), ns = sizeof(ro_suffix) - 1;
    struct disk_config *d;

    if (cfg->ndisks == RUN_MAX_DISKS)
        return uk_error_set(err, 0, "run: --disk `%s`: at most %d disks", value, RUN_MAX_DISKS);
    d = &cfg->disks[cfg->ndisks];
    d->ro = n >= ns && strcmp(value + n - ns, ro_suffix) == 0;
    if (d->ro) {
        /* The path is the argument without its suffix: keep a copy (run_options_free). */
        char *path = strndup(value, n - ns);
        if (path == NULL)
            return uk_error_set(err, errno, "run: --disk `%s`", value);
        d->path = path;
        d->path_owned = true;
    } else {
        d->path = value;
    }
    if (d->path[0] == '\0') {
        free((void *)d->path);
        return uk_error_set(err, 0, "run: --disk needs a file name (PATH or PATH:ro)");
    }
    cfg->ndisks++;
    return 0;
}

static int apply_flag(const struct flag_spec *f, const char *value, struct run_config *cfg,
                      const char **env, struct uk_error *err)
{
    switch (f->flag) {
    case FLAG_VMM: return set_vmm(value, cfg, err);
    case FLAG_ACCEL: return set_accel(value, cfg, err);
    case FLAG_MEMORY: return set_memory(value, cfg, err);
    case FLAG_USER: return set_user(value, cfg, err);
    case FLAG_ENV: return add_env(value, cfg, env, err);
    case FLAG_CONSOLE:
        if (value[0] == '\0')
            return uk_error_set(err, 0, "run: --console needs a file name");
        cfg->console_path = value;
        return 0;
    case FLAG_DISK: return add_disk(value, cfg, err);
    case FLAG_NET: return net_option_net(value, &cfg->net, err);
    case FLAG_IP: return net_option_ip(value, &cfg->net, err);
    case FLAG_GW: return net_option_gw(value, &cfg->net, err);
    case FLAG_MAC: return net_option_mac(value, &cfg->net, err);
    case FLAG_FIRMWARE: return firmware_option(value, cfg, err);
    case FLAG_MACHINE: return machine_option(value, cfg, err);
    case FLAG_STATS: cfg->stats = true; return 0;
    case FLAG_DETACH: cfg->detach = true; return 0;
    case FLAG_NAME:
    case FLAG_RUNTIME:
    case FLAG_CPUS:
    case FLAG_PIDS:
    case FLAG_MEMORY_LIMIT: return lifecycle_option(f->long_name, value, cfg, err);
    case FLAG_PUBLISH: return net_option_publish(value, cfg, err);
    case FLAG_HELP: return 0;
    }
    return 0;
}

enum run_parse_result run_options_parse(int argc, char **argv, struct run_config *cfg,
                                        struct uk_error *err)
{
    const char **env;
    bool vmm_given = false, mem_given = false; /* --firmware uefi changes their defaults */
    int i;

    memset(cfg, 0, sizeof(*cfg));
    cfg->vmm = RUN_DEFAULT_VMM;
    cfg->accel = ACCEL_AUTO;
    cfg->mem_bytes = RUN_DEFAULT_MEM;
    env = calloc((size_t)argc + 1, sizeof(*env)); /* at most one -e per argument */
    if (env == NULL)
        return uk_error_set(err, errno, "run: cannot allocate the environment");
    cfg->env = env;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *value;
        const struct flag_spec *f;

        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break; /* IMAGE ("-" alone is a file name) */
        f = find_flag(arg, &value);
        if (f == NULL)
            return uk_error_set(err, 0, "run: unknown option `%s` (see `unikit run --help`)",
                                arg);
        if (f->flag == FLAG_HELP)
            return RUN_PARSE_HELP;
        if (!f->takes_value && value != NULL)
            return uk_error_set(err, 0, "run: %s takes no value", f->long_name);
        if (f->takes_value && value == NULL) {
            if (i + 1 >= argc)
                return uk_error_set(err, 0, "run: %s needs a value", arg);
            value = argv[++i];
        }
        if (apply_flag(f, value, cfg, env, err) < 0)
            return RUN_PARSE_ERROR;
        vmm_given |= f->flag == FLAG_VMM;
        mem_given |= f->flag == FLAG_MEMORY;
    }
    if (net_options_finish(&cfg->net, err) < 0 || net_ports_finish(cfg, err) < 0)
        return RUN_PARSE_ERROR;
    if (firmware_options_finish(cfg, vmm_given, mem_given, err) < 0)
        return RUN_PARSE_ERROR;
    /* One virtio-mmio transport each: QEMU's microvm has RUN_MAX_DISKS. */
    if (cfg->net.kind != NET_NONE && cfg->ndisks == RUN_MAX_DISKS)
        return uk_error_set(err, 0, "run: at most %d virtio devices: %d disks with --net",
                            RUN_MAX_DISKS, RUN_MAX_DISKS - 1);
    if (i >= argc)
        return uk_error_set(err, 0, "run: no IMAGE given (see `unikit run --help`)");
    cfg->image = argv[i];
    cfg->argv = (const char *const *)&argv[i + 1];
    cfg->nargs = argc - i - 1;
    return RUN_PARSE_OK;
}

void run_options_free(struct run_config *cfg)
{
    free((void *)cfg->env);
    cfg->env = NULL;
    cfg->nenv = 0;
    for (int i = 0; i < cfg->ndisks; i++)
        if (cfg->disks[i].path_owned)
            free((void *)cfg->disks[i].path);
    cfg->ndisks = 0;
}

int run_options_check_memory(const struct run_config *cfg, struct uk_error *err)
{
    uint64_t need = cfg->image_info.mem_highest + RUN_MEM_HEADROOM;
    char have[24], want[24];

    if (need <= cfg->mem_bytes)
        return 0;
    /* Round the need up to the next MiB so that the advice is a usable -m value. */
    need = (need + (1u << 20) - 1) & ~(uint64_t)((1u << 20) - 1);
    return uk_error_set(err, 0, "%s: needs at least %s of guest memory (its segments end at "
                        "0x%llx, plus 1M for the kernel's own use), but -m gives %s",
                        cfg->image, size_format(need, want, sizeof(want)),
                        (unsigned long long)cfg->image_info.mem_highest,
                        size_format(cfg->mem_bytes, have, sizeof(have)));
}
