/* container.h: the namespace container runtime (`unikit run --runtime container`). */
#ifndef UNIKIT_CONTAINER_H
#define UNIKIT_CONTAINER_H

#include "error.h"
#include "run_config.h"

/*
 * Runs cfg->image, a static Linux executable (the app's Linux build), as a
 * container in the foreground: new user (root inside is CONTAINER_UID_BASE
 * outside), mount, pid, net, uts, ipc and cgroup namespaces; a root
 * filesystem of overlayfs over a shared read-only lower (the binary, a
 * minimal /dev, /proc, /tmp, /etc, and cfg->disks[0] unpacked when it is a
 * tar archive, the VM's root file system) and a per-instance upper, entered
 * with pivot_root; every capability dropped, no_new_privs, and the seccomp
 * allowlist of seccomp.c. The console is the terminal; SIGINT, SIGTERM and
 * SIGHUP are passed on to the app. Returns the app's exit status (128 + n
 * when signal n killed it), or UK_EXIT_LAUNCHER with (*err) set; every
 * mount, veth, lease and directory it made is gone when it returns.
 */
int container_run(const struct run_config *cfg, struct uk_error *err);

/* For `unikit rm`: removes what is left of instance (name)'s root filesystem. */
void container_cleanup(const char *name);

/* How many system calls the container's seccomp filter allows (seccomp.c). */
unsigned container_seccomp_allowlist_size(void);

#endif /* UNIKIT_CONTAINER_H */
