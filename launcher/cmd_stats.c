/* cmd_stats.c: `unikit stats`: memory, CPU, pids and network bytes of running instances, from their cgroups and interfaces. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/net.h"
#include "verb_common.h"
#include "verbs.h"

void cmd_stats_usage(FILE *out)
{
    fprintf(out, "Usage: unikit stats [--no-stream] [NAME...]\n"
                 "\n"
                 "Shows each running instance (or those named): memory used and its limit, CPU\n"
                 "use over the last second (100%% = one CPU), processes, and the bytes its network\n"
                 "interface received and sent. Refreshes every second until interrupted; with\n"
                 "--no-stream, prints one sample. Exits 1 when a named instance does not exist.\n");
}

struct sample {
    struct instance inst;
    struct cgroup_usage u;
    uint64_t t_ns;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void take(struct sample *s)
{
    cgroup_usage(&s->inst.cgroup, &s->u);
    s->t_ns = mono_ns();
}

static void print_row(const struct sample *a, const struct sample *b)
{
    char used[16], limit[16], rx[16], tx[16];
    uint64_t in, out;
    double dt = (double)(b->t_ns - a->t_ns);
    double cpu = dt > 0 && b->u.cpu_ns >= a->u.cpu_ns ? 100.0 * (double)(b->u.cpu_ns - a->u.cpu_ns) / dt : 0;

    netif_bytes(b->inst.netif, &in, &out);
    printf("%-20s %7.2f%% %10s / %-10s %5llu %10s / %s\n", b->inst.name, cpu,
           format_bytes(b->u.memory_bytes, used, sizeof(used)),
           b->u.memory_limit ? format_bytes(b->u.memory_limit, limit, sizeof(limit)) : "-",
           (unsigned long long)b->u.pids, format_bytes(in, rx, sizeof(rx)),
           format_bytes(out, tx, sizeof(tx)));
}

/* The instances to show: those named, or every running one. */
static int select_instances(int argc, char **argv, struct sample **out, int *count)
{
    struct uk_error err;
    char **names = argv;
    int n = argc, listed = 0, status = 0;

    if (argc == 0) {
        if (state_list(&names, &n, &err) < 0) {
            uk_error_print(&err);
            return VERB_EXIT_LAUNCHER;
        }
        listed = 1;
    }
    struct sample *s = calloc((size_t)n + 1, sizeof(*s));
    *count = 0;
    for (int i = 0; s && i < n; i++) {
        if (listed) {
            if (state_load(names[i], &s[*count].inst, &err) != 0)
                continue;
            state_refresh(&s[*count].inst);
        } else {
            int rc = verb_load("stats", names[i], &s[*count].inst);
            if (rc != 0) {
                status = rc;
                continue;
            }
        }
        if (instance_is_active(&s[*count].inst))
            (*count)++;
    }
    if (listed)
        state_free_names(names, n);
    *out = s;
    return status;
}

int cmd_stats(int argc, char **argv)
{
    bool stream = true;
    int i = 1, count;
    struct sample *a = NULL, *b;

    for (; i < argc && argv[i][0] == '-'; i++) {
        if (verb_is_help(argv[i])) {
            cmd_stats_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--no-stream") == 0) {
            stream = false;
        } else {
            uk_warn("stats: unknown option `%s` (see `unikit stats --help`)", argv[i]);
            return VERB_EXIT_LAUNCHER;
        }
    }
    struct uk_error err = {0};
    if (netns_enter_from_env(&err) < 0) { /* where the instances' taps and veths are */
        uk_error_print(&err);
        return VERB_EXIT_LAUNCHER;
    }
    int status = select_instances(argc - i, argv + i, &a, &count);
    if (a == NULL)
        return VERB_EXIT_LAUNCHER;
    b = calloc((size_t)count + 1, sizeof(*b));
    const struct timespec second = {1, 0};
    for (int k = 0; k < count; k++)
        take(&a[k]);
    do {
        nanosleep(&second, NULL);
        printf("%-20s %8s %23s %5s %19s\n", "NAME", "CPU", "MEMORY / LIMIT", "PIDS",
               "NET IN / OUT");
        for (int k = 0; b && k < count; k++) {
            b[k] = a[k];
            take(&b[k]);
            print_row(&a[k], &b[k]);
            a[k] = b[k];
        }
        fflush(stdout);
    } while (stream);
    free(a);
    free(b);
    return status;
}
