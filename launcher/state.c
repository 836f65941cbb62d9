/* state.c: the state directory of each instance: naming, locking, atomic saves, listing, removal. */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *state_root(void)
{
    const char *r = getenv(STATE_ROOT_ENV);
    return r != NULL && r[0] != '\0' ? r : STATE_DEFAULT_ROOT;
}

int state_path(const char *name, const char *file, char *buf, size_t len)
{
    int n = file ? snprintf(buf, len, "%s/%s/%s", state_root(), name, file)
                 : snprintf(buf, len, "%s/%s", state_root(), name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

bool state_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= INSTANCE_NAME_MAX || !((name[0] >= 'a' && name[0] <= 'z') ||
                                              (name[0] >= 'A' && name[0] <= 'Z') ||
                                              (name[0] >= '0' && name[0] <= '9')))
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int64_t state_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* mkdir -p of the root (0711: names are not secret, but the files are root's). */
static int make_root(struct uk_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", state_root());
    for (char *p = path + 1;; p++) {
        char c = *p;
        if (c != '/' && c != '\0')
            continue;
        *p = '\0';
        if (mkdir(path, 0711) < 0 && errno != EEXIST)
            return uk_error_set(err, errno, "state: create %s", path);
        if (c == '\0')
            return 0;
        *p = c;
    }
}

/* "uk-" and 8 hex digits from the clock and the pid: unique enough to succeed in a few tries. */
static void generate_name(char *buf, size_t len, unsigned attempt)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint32_t x = (uint32_t)ts.tv_nsec * 2654435761u ^ (uint32_t)getpid() * 40503u ^
                 (uint32_t)ts.tv_sec ^ attempt * 0x9e3779b9u;
    snprintf(buf, len, "uk-%08x", x);
}

int state_create(struct instance *inst, struct uk_error *err)
{
    char dir[PATH_MAX];
    bool generated = inst->name[0] == '\0';

    if (make_root(err) < 0)
        return -1;
    for (unsigned attempt = 0;; attempt++) {
        if (generated)
            generate_name(inst->name, sizeof(inst->name), attempt);
        if (state_path(inst->name, NULL, dir, sizeof(dir)) < 0)
            return uk_error_set(err, ENAMETOOLONG, "state: %s/%s", state_root(), inst->name);
        if (mkdir(dir, 0700) == 0)
            break;
        if (errno == EEXIST && generated && attempt < 16)
            continue;
        if (errno == EEXIST)
            return uk_error_set(err, 0, "run: the name `%s` is already in use (see `unikit ps "
                                "-a`; `unikit rm %s` frees it)", inst->name, inst->name);
        return uk_error_set(err, errno, "state: create %s", dir);
    }
    int fd = state_lock(inst->name, err);
    if (fd < 0 || state_save(inst, err) < 0) {
        struct uk_error ignored;
        state_unlock(fd);
        state_remove(inst->name, &ignored);
        return -1;
    }
    state_unlock(fd);
    return 0;
}

int state_load(const char *name, struct instance *inst, struct uk_error *err)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;

    if (!state_valid_name(name) || state_path(name, "state.json", path, sizeof(path)) < 0)
        return STATE_NO_SUCH;
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        if (errno == ENOENT)
            return STATE_NO_SUCH;
        return uk_error_set(err, errno, "state: open %s", path);
    }
    FILE *m = open_memstream(&text, &len);
    char buf[4096];
    size_t n;
    while (m != NULL && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, m);
    fclose(f);
    if (m == NULL || fclose(m) != 0) {
        free(text);
        return uk_error_set(err, errno, "state: read %s", path);
    }
    int rc = state_parse_json(text, inst);
    free(text);
    if (rc < 0)
        return uk_error_set(err, 0, "state: %s is not a unikit state file", path);
    snprintf(inst->name, sizeof(inst->name), "%s", name);
    return 0;
}

int state_save(const struct instance *inst, struct uk_error *err)
{
    char path[PATH_MAX], tmp[PATH_MAX];

    if (state_path(inst->name, "state.json", path, sizeof(path)) < 0 ||
        state_path(inst->name, "state.json.tmp", tmp, sizeof(tmp)) < 0)
        return uk_error_set(err, ENAMETOOLONG, "state: %s", inst->name);
    FILE *f = fopen(tmp, "we");
    if (f == NULL)
        return uk_error_set(err, errno, "state: create %s", tmp);
    int bad = state_write_json(inst, f) < 0;
    if (fclose(f) != 0 || bad) {
        unlink(tmp);
        return uk_error_set(err, errno, "state: write %s", tmp);
    }
    if (rename(tmp, path) < 0)
        return uk_error_set(err, errno, "state: rename %s", tmp);
    return 0;
}

int state_lock(const char *name, struct uk_error *err)
{
    char path[PATH_MAX];
    if (state_path(name, "lock", path, sizeof(path)) < 0)
        return uk_error_set(err, ENAMETOOLONG, "state: %s", name);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return uk_error_set(err, errno, "state: open %s", path);
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            close(fd);
            return uk_error_set(err, errno, "state: lock %s", path);
        }
    }
    return fd;
}

void state_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

int state_update(const char *name, void (*change)(struct instance *inst, void *ctx), void *ctx,
                 struct uk_error *err)
{
    struct instance inst;
    int fd = state_lock(name, err);
    if (fd < 0)
        return -1;
    int rc = state_load(name, &inst, err);
    if (rc == 0) {
        change(&inst, ctx);
        rc = state_save(&inst, err);
    }
    state_unlock(fd);
    return rc;
}

int state_remove(const char *name, struct uk_error *err)
{
    char dir[PATH_MAX], path[PATH_MAX + 256];
    if (!state_valid_name(name) || state_path(name, NULL, dir, sizeof(dir)) < 0)
        return uk_error_set(err, EINVAL, "state: remove `%s`", name);
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? 0 : uk_error_set(err, errno, "state: open %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) < 0 && errno == EISDIR)
            rmdir(path); /* another subsystem's directory, emptied by its hook */
    }
    closedir(d);
    if (rmdir(dir) < 0 && errno != ENOENT)
        return uk_error_set(err, errno, "state: remove %s", dir);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list(char ***names, int *count, struct uk_error *err)
{
    char **v = NULL;
    int n = 0, cap = 0;
    *names = NULL;
    *count = 0;
    DIR *d = opendir(state_root());
    if (d == NULL)
        return errno == ENOENT ? 0 : uk_error_set(err, errno, "state: open %s", state_root());
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!state_valid_name(e->d_name))
            continue;
        if (n == cap) {
            char **nv = realloc(v, sizeof(*v) * (size_t)(cap = cap ? 2 * cap : 16));
            if (nv == NULL)
                break;
            v = nv;
        }
        if ((v[n] = strdup(e->d_name)) != NULL)
            n++;
    }
    closedir(d);
    if (n > 0)
        qsort(v, (size_t)n, sizeof(*v), compare_names);
    *names = v;
    *count = n;
    return 0;
}

void state_free_names(char **names, int count)
{
    for (int i = 0; i < count; i++)
        free(names[i]);
    free(names);
}
