/* verb_common.c: loading an instance with one message for "no such", waiting for its end, formatting figures. */
#include "verb_common.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool verb_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int verb_load(const char *verb, const char *name, struct instance *inst)
{
    struct uk_error err = {0};
    int rc = state_load(name, inst, &err);
    if (rc == STATE_NO_SUCH) {
        uk_warn("%s: no such instance: %s", verb, name);
        return VERB_EXIT_NO_SUCH;
    }
    if (rc < 0) {
        uk_error_print(&err);
        return VERB_EXIT_LAUNCHER;
    }
    state_refresh(inst);
    return 0;
}

bool verb_wait_inactive(const char *name, long timeout_ms)
{
    const struct timespec tick = {0, 20 * 1000 * 1000};
    struct uk_error err;
    struct instance inst;

    for (long waited = 0;; waited += 20) {
        if (state_load(name, &inst, &err) != 0)
            return true; /* removed meanwhile */
        state_refresh(&inst);
        if (!instance_is_active(&inst))
            return true;
        if (waited >= timeout_ms)
            return false;
        nanosleep(&tick, NULL);
    }
}

bool verb_prune_lost(const struct instance *inst)
{
    struct uk_error err;
    struct instance now;

    if (!inst->autoremove || !inst->lost)
        return false;
    int fd = state_lock(inst->name, &err);
    if (fd < 0)
        return false;
    /* Checked again under the lock: another unikit may be at it too. */
    bool prune = state_load(inst->name, &now, &err) == 0 && state_refresh(&now) && now.lost &&
                 cgroup_destroy(&now.cgroup, &err) == 0;
    if (prune) {
        instance_cleanup_hooks(&now);
        prune = state_remove(inst->name, &err) == 0;
    }
    state_unlock(fd);
    return prune;
}

pid_t instance_signal_target(const struct instance *inst)
{
    if (inst->pid > 0 && proc_alive(inst->pid, inst->pid_start))
        return inst->pid;
    return proc_alive(inst->supervisor_pid, inst->supervisor_start) ? inst->supervisor_pid : 0;
}

const char *format_duration(int64_t ns, char *buf, size_t len)
{
    int64_t s = ns / 1000000000;
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, len, "%" PRId64 "s", s);
    else if (s < 7200)
        snprintf(buf, len, "%" PRId64 "m", s / 60);
    else if (s < 172800)
        snprintf(buf, len, "%" PRId64 "h", s / 3600);
    else
        snprintf(buf, len, "%" PRId64 "d", s / 86400);
    return buf;
}

const char *format_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
    return buf;
}

const char *format_time(int64_t ns, char *buf, size_t len)
{
    struct tm tm;
    time_t t = (time_t)(ns / 1000000000);
    if (ns <= 0) {
        snprintf(buf, len, "%s", "");
        return buf;
    }
    gmtime_r(&t, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%09" PRId64 "Z", ns % 1000000000);
    return buf;
}

/*
 * (netif)'s byte counters from /proc/net/dev, which shows the network
 * namespace this process is in (sysfs would show the one it was mounted in):
 * `unikit stats` steps into $UNIKIT_NETNS first, where the taps and veths are.
 */
static void read_counters(const char *netif, uint64_t *rx_bytes, uint64_t *tx_bytes)
{
    char line[512];
    size_t len = strlen(netif);
    FILE *f = fopen("/proc/net/dev", "re");
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line;
        while (*p == ' ')
            p++;
        if (strncmp(p, netif, len) != 0 || p[len] != ':')
            continue;
        unsigned long long v[9];
        if (sscanf(p + len + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 9) {
            *rx_bytes = v[0];
            *tx_bytes = v[8];
        }
        break;
    }
    fclose(f);
}

void netif_bytes(const char *netif, uint64_t *rx, uint64_t *tx)
{
    *rx = *tx = 0;
    if (netif[0] == '\0' || strchr(netif, '/') != NULL)
        return;
    /* The host side's counters: what it received is what the guest sent. */
    read_counters(netif, tx, rx);
}
