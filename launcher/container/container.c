/* container.c: `unikit run --runtime container`: prepare, clone into namespaces, hand over, wait, clean up. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <unikit/boot_abi.h>

#include "container_internal.h"
#include "instance_run.h"
#include "net/net.h"
#include "state.h"

/* The init's pid, for the signal handler that passes SIGINT/SIGTERM/SIGHUP on. */
static volatile pid_t init_pid;

static void forward_signal(int sig)
{
    if (init_pid > 0)
        kill(init_pid, sig);
}

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};

/* What the child does between clone and the app: never returns. */
static void child_main(const struct run_config *cfg, struct rootfs *fs,
                       const char *hostname, int go_fd, int err_fd)
{
    struct uk_error err = {0};
    char go;

    /* The parent writes our id maps, cgroup and veth, then one byte; end-of-file means it failed. */
    if (read(go_fd, &go, 1) != 1)
        _exit(UK_EXIT_LAUNCHER);
    close(go_fd);
    if (rootfs_open(fs, &err) == 0 && ns_become_root(hostname, &err) == 0 &&
        rootfs_enter(fs, &err) == 0 &&
        caps_drop_all(&err) == 0 && seccomp_install_container(&err) == 0)
        _exit(init_run(cfg, fs->app, err_fd));
    if (write(err_fd, &err, sizeof(err)) < 0)
        _exit(UK_EXIT_LAUNCHER);
    _exit(UK_EXIT_LAUNCHER);
}

/* Waits for (pid), retrying after a forwarded signal; returns its status for `unikit run`. */
static int wait_init(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return UK_EXIT_LAUNCHER;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The parent's half of the start: maps, network, then the go byte; reads back any failure. */
static int start_child(const struct run_config *cfg, pid_t pid, struct net_attachment *net,
                       int go_fd, int err_fd, struct uk_error *err)
{
    struct run_instance *ri = cfg->instance;
    struct uk_error child_err;
    ssize_t n;
    int rc;

    if (ns_write_id_maps(pid, err) < 0)
        return -1;
    /* Before the child unshares its cgroup namespace, so that it is rooted here. */
    if (ri != NULL && ri->has_cgroup && (rc = cgroup_enter(&ri->inst.cgroup, pid)) < 0)
        return uk_error_set(err, -rc, "container: move the init into its cgroup");
    if (net_attach_container(net, pid, err) < 0)
        return -1;
    net_record(cfg, net);
    if (write(go_fd, "g", 1) != 1)
        return uk_error_set(err, errno, "container: start the init");
    /* End-of-file once the app has exec'd (every copy of err_fd is close-on-exec). */
    while ((n = read(err_fd, &child_err, sizeof(child_err))) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(child_err)) {
        *err = child_err;
        return -1;
    }
    instance_child_started(cfg, pid);
    return 0;
}

int container_run(const struct run_config *cfg, struct uk_error *err)
{
    const char *root = state_root();
    struct net_attachment net;
    struct rootfs fs = {.lower_fd = -1, .dir_fd = -1};
    struct sigaction sa = {.sa_handler = forward_signal}, old[3];
    char id[CONTAINER_ID_MAX + 1], ip[32] = "";
    int go[2] = {-1, -1}, errp[2] = {-1, -1}, status = UK_EXIT_LAUNCHER;
    pid_t pid = -1;

    err->msg[0] = '\0';
    net_attachment_init(&net, root);
    if (binary_check(cfg->image, err) < 0)
        return UK_EXIT_LAUNCHER;
    /* The instance's name is its host name too (an unrecorded run makes one up). */
    if (cfg->instance != NULL)
        snprintf(id, sizeof(id), "%s", cfg->instance->inst.name);
    else
        snprintf(id, sizeof(id), "ct-%d", (int)getpid());
    if (net_prepare_container(cfg, id, &net, ip, sizeof(ip), err) < 0)
        goto out;
    if (rootfs_prepare(cfg, root, id, id, ip, &fs, err) < 0)
        goto out;
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        uk_error_set(err, errno, "container: pipe");
        goto out;
    }
    fflush(NULL);
    pid = ns_clone(err);
    if (pid < 0)
        goto out;
    if (pid == 0) {
        close(go[1]);
        close(errp[0]);
        child_main(cfg, &fs, id, go[0], errp[1]);
    }
    close(go[0]);
    close(errp[1]);
    go[0] = errp[1] = -1;
    init_pid = pid;
    for (int i = 0; i < 3; i++)
        sigaction(forwarded[i], &sa, &old[i]);
    if (start_child(cfg, pid, &net, go[1], errp[0], err) < 0) {
        kill(pid, SIGKILL);
        wait_init(pid);
    } else {
        status = wait_init(pid);
    }
    for (int i = 0; i < 3; i++)
        sigaction(forwarded[i], &old[i], NULL);
    init_pid = 0;
out:
    for (int i = 0; i < 2; i++) {
        if (go[i] >= 0)
            close(go[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    if (pid < 0 || err->msg[0] != '\0')
        status = UK_EXIT_LAUNCHER;
    net_detach(&net);
    rootfs_remove(&fs);
    return status;
}
