/* init.c: the container's pid 1: starts the app, passes signals on to it, reaps orphans, returns its status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container_internal.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/* A handler, so the kernel never drops these signals for pid 1 (sigwaitinfo takes them first). */
static void on_signal(int sig)
{
    (void)sig;
}

/* PATH and HOME unless -e gave them. */
static bool env_has(const struct run_config *cfg, const char *key)
{
    size_t n = strlen(key);

    for (int i = 0; i < cfg->nenv; i++)
        if (strncmp(cfg->env[i], key, n) == 0 && cfg->env[i][n] == '=')
            return true;
    return false;
}

static void exec_app(const struct run_config *cfg, const char *app, int err_fd)
{
    char path[NAME_MAX + 8];
    const char **argv = calloc((size_t)cfg->nargs + 2, sizeof(*argv));
    const char **envp = calloc((size_t)cfg->nenv + 3, sizeof(*envp));
    struct uk_error err = {0};
    sigset_t none;
    int n = 0;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    snprintf(path, sizeof(path), "/bin/%s", app);
    if (argv == NULL || envp == NULL) {
        uk_error_set(&err, ENOMEM, "container: exec %s", path);
    } else {
        argv[0] = path;
        for (int i = 0; i < cfg->nargs; i++)
            argv[i + 1] = cfg->argv[i];
        for (int i = 0; i < cfg->nenv; i++)
            envp[n++] = cfg->env[i];
        if (!env_has(cfg, "PATH"))
            envp[n++] = "PATH=/bin:/usr/bin";
        if (!env_has(cfg, "HOME"))
            envp[n++] = "HOME=/";
        execve(path, (char *const *)argv, (char *const *)envp);
        uk_error_set(&err, errno, "container: exec %s", path);
    }
    if (write(err_fd, &err, sizeof(err)) < 0)
        _exit(127);
    _exit(127);
}

int init_run(const struct run_config *cfg, const char *app, int err_fd)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigset_t set;
    pid_t child;
    int status = 0;

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
        sigaction(forwarded[i], &sa, NULL);
        sigaddset(&set, forwarded[i]);
    }
    sigprocmask(SIG_BLOCK, &set, NULL);
    child = fork();
    if (child < 0) {
        struct uk_error err;
        uk_error_set(&err, errno, "container: init: fork the app");
        if (write(err_fd, &err, sizeof(err)) < 0)
            return 127;
        return 127;
    }
    if (child == 0)
        exec_app(cfg, app, err_fd);
    close(err_fd); /* the launcher sees end-of-file once the app has exec'd */
    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&set, &si);
        if (sig < 0)
            continue; /* EINTR */
        if (sig != SIGCHLD) {
            kill(child, sig);
            continue;
        }
        for (pid_t w; (w = waitpid(-1, &status, WNOHANG)) > 0;)
            if (w == child)
                /* The others die with the namespace when we exit. */
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
}
