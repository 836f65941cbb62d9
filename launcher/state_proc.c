/* state_proc.c: is an instance still alive? Process start times, and turning vanished instances into exited ones. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

uint64_t proc_start_time(pid_t pid)
{
    char path[64], buf[1024];
    if (pid <= 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) may hold spaces and parentheses: count from the last ')'. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return 0; /* gone, or a zombie: it has exited */
    p++; /* the space before field 3 */
    for (int field = 3; field < 22 && p; field++)
        p = strchr(p + 1, ' ');
    if (p == NULL)
        return 0;
    return strtoull(p + 1, NULL, 10);
}

bool proc_alive(pid_t pid, uint64_t start)
{
    uint64_t now = proc_start_time(pid);
    return now != 0 && (start == 0 || now == start);
}

bool state_refresh(struct instance *inst)
{
    if (inst->status == INSTANCE_EXITED)
        return false;
    if (proc_alive(inst->supervisor_pid, inst->supervisor_start) ||
        (inst->pid > 0 && proc_alive(inst->pid, inst->pid_start)))
        return false;
    inst->status = INSTANCE_EXITED;
    inst->exit_code = 128 + SIGKILL;
    inst->lost = true;
    return true;
}

bool instance_is_active(const struct instance *inst)
{
    return inst->status != INSTANCE_EXITED;
}

const char *instance_status_name(const struct instance *inst)
{
    switch (inst->status) {
    case INSTANCE_CREATED: return "created";
    case INSTANCE_RUNNING: return "running";
    case INSTANCE_EXITED: return "exited";
    }
    return "unknown";
}
