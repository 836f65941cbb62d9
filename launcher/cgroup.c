/* cgroup.c: choosing the cgroup backend once, and what both backends share (files, mounts, removal). */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const struct cgroup_ops *cgroup_detect(struct uk_error *err)
{
    static const struct cgroup_ops *chosen;
    char dir[CGROUP_PATH_MAX], ctl[256];

    if (chosen != NULL)
        return chosen;
    /* v1 first: on a hybrid host the v2 tree exists but holds no controllers. */
    if (cgroup_find_mount("cgroup", "memory", dir, sizeof(dir)) == 0) {
        chosen = &cgroup_v1_ops;
    } else if (cgroup_find_mount("cgroup2", NULL, dir, sizeof(dir)) == 0 &&
               cgroup_read(dir, "cgroup.controllers", ctl, sizeof(ctl)) > 0 &&
               strstr(ctl, "memory") != NULL) {
        chosen = &cgroup_v2_ops;
    } else {
        uk_error_set(err, 0, "cgroup: no memory controller on this host (neither a v1 "
                             "memory hierarchy nor a cgroup2 mount offering it)");
    }
    return chosen;
}

static const struct cgroup_ops *ops_of(const struct cgroup *cg)
{
    return cg->version == 1 ? &cgroup_v1_ops : cg->version == 2 ? &cgroup_v2_ops : NULL;
}

int cgroup_create(struct cgroup *cg, const char *name, const struct cgroup_limits *limits,
                  struct uk_error *err)
{
    const struct cgroup_ops *ops = cgroup_detect(err);
    struct uk_error ignored;

    memset(cg, 0, sizeof(*cg));
    if (ops == NULL)
        return -1;
    cg->version = ops->version;
    if (ops->create(cg, name, err) < 0)
        goto fail;
    if (ops->set_limits(cg, limits, err) < 0)
        goto fail;
    return 0;
fail:
    cgroup_destroy(cg, &ignored);
    memset(cg, 0, sizeof(*cg));
    return -1;
}

int cgroup_enter(const struct cgroup *cg, pid_t pid)
{
    const struct cgroup_ops *ops = ops_of(cg);
    return ops ? ops->enter(cg, pid != 0 ? pid : getpid()) : 0;
}

void cgroup_usage(const struct cgroup *cg, struct cgroup_usage *u)
{
    const struct cgroup_ops *ops = ops_of(cg);
    memset(u, 0, sizeof(*u));
    if (ops)
        ops->usage(cg, u);
}

int cgroup_signal_all(const struct cgroup *cg, int sig)
{
    const struct cgroup_ops *ops = ops_of(cg);
    char path[CGROUP_PATH_MAX + 16];
    int n = 0;
    long pid;

    if (ops == NULL)
        return 0;
    snprintf(path, sizeof(path), "%s/cgroup.procs", ops->procs_dir(cg));
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return 0;
    while (fscanf(f, "%ld", &pid) == 1) {
        kill((pid_t)pid, sig);
        n++;
    }
    fclose(f);
    return n;
}

int cgroup_destroy(const struct cgroup *cg, struct uk_error *err)
{
    const struct timespec tick = {0, 10 * 1000 * 1000};

    for (int c = 0; c < CG_NCTL; c++) {
        const char *dir = cg->dir[c];
        if (dir[0] == '\0')
            continue;
        /* rmdir fails with EBUSY while a member remains, or for a moment after the last left. */
        for (int tries = 0;; tries++) {
            if (rmdir(dir) == 0 || errno == ENOENT)
                break;
            if (errno != EBUSY || tries == 100)
                return uk_error_set(err, errno, "cgroup: remove %s", dir);
            cgroup_signal_all(cg, SIGKILL);
            nanosleep(&tick, NULL);
        }
    }
    return 0;
}

const char *cgroup_display_path(const struct cgroup *cg)
{
    return cg->dir[CG_MEMORY];
}

/* ---- shared helpers ---- */

int cgroup_write(const char *dir, const char *file, const char *value)
{
    char path[CGROUP_PATH_MAX + 64];
    size_t n = strlen(dir), m = strlen(file), v = strlen(value);

    if (n + m + 2 > sizeof(path))
        return -ENAMETOOLONG;
    memcpy(path, dir, n);
    path[n] = '/';
    memcpy(path + n + 1, file, m + 1);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, value, v);
    int e = w < 0 ? -errno : 0;
    close(fd);
    return e;
}

int cgroup_read(const char *dir, const char *file, char *buf, size_t len)
{
    char path[CGROUP_PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, len - 1);
    int e = errno;
    close(fd);
    if (n < 0)
        return -e;
    buf[n] = '\0';
    return (int)n;
}

uint64_t cgroup_read_u64(const char *dir, const char *file, const char *key)
{
    char buf[4096];
    const char *p = buf;

    if (cgroup_read(dir, file, buf, sizeof(buf)) <= 0)
        return 0;
    if (key != NULL) {
        size_t k = strlen(key);
        for (p = buf; p != NULL; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
            if (strncmp(p, key, k) == 0 && p[k] == ' ')
                break;
        if (p == NULL)
            return 0;
        p += k + 1;
    }
    return strtoull(p, NULL, 10);
}

const char *cgroup_parent(const char *fallback)
{
    const char *p = getenv("UNIKIT_CGROUP_PARENT");
    return p != NULL && p[0] == '/' ? p : fallback;
}

int cgroup_mkdirs(const char *root, const char *path)
{
    char buf[CGROUP_PATH_MAX];
    int n = snprintf(buf, sizeof(buf), "%s/%s", root, path);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return -ENAMETOOLONG;
    for (char *p = buf + strlen(root) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (p[-1] != '/' && mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int cgroup_find_mount(const char *fstype, const char *option, char *out, size_t len)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[4096];
    int rc = -1;

    if (f == NULL)
        return -1;
    while (rc < 0 && fgets(line, sizeof(line), f)) {
        char mnt[1024], type[64], super[1024];
        const char *sep = strstr(line, " - ");
        if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
            sscanf(sep + 3, "%63s %*s %1023s", type, super) != 2 || strcmp(type, fstype) != 0)
            continue;
        if (option != NULL) {
            int found = 0;
            for (char *tok = strtok(super, ","); tok && !found; tok = strtok(NULL, ","))
                found = strcmp(tok, option) == 0;
            if (!found)
                continue;
        }
        snprintf(out, len, "%s", mnt);
        rc = 0;
    }
    fclose(f);
    return rc;
}

int cgroup_self_path(const char *controller, char *out, size_t len)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[4096];
    int rc = -1;

    if (f == NULL)
        return -1;
    while (rc < 0 && fgets(line, sizeof(line), f)) {
        char *ctls = strchr(line, ':'), *path;
        if (ctls == NULL || (path = strchr(++ctls, ':')) == NULL)
            continue;
        *path++ = '\0';
        path[strcspn(path, "\n")] = '\0';
        int match = controller == NULL ? ctls[0] == '\0' : 0;
        for (char *tok = strtok(ctls, ","); controller && tok && !match; tok = strtok(NULL, ","))
            match = strcmp(tok, controller) == 0;
        if (match) {
            /* "/" is the root: the parent path then starts with its own slash. */
            snprintf(out, len, "%s", strcmp(path, "/") == 0 ? "" : path);
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

void cgroup_format_pid(pid_t pid, char *buf)
{
    char tmp[16];
    int n = 0;
    unsigned long v = (unsigned long)pid;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0 && n < 15);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}
