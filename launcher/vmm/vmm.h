/* vmm.h: unikit's own VMM on /dev/kvm — the one entry point the launcher calls. */
#ifndef UNIKIT_VMM_H
#define UNIKIT_VMM_H

#include "run_config.h"

/*
 * Boots the image in (*cfg) (already checked by image_parse) on one KVM
 * vCPU with cfg->mem_bytes of RAM, its console on stdout or
 * cfg->console_path, and cfg->disks as virtio-blk devices, and runs it to
 * the end. Returns the guest's exit status 0..255 (255 after a guest fault:
 * triple fault, unhandled exit, bad hypercall; 128 + N when signal N, SIGINT
 * or SIGTERM, stopped it), or UK_EXIT_LAUNCHER (125) for the VMM's own
 * failures, after printing one line "unikit: vmm: <what>: <strerror>".
 * With cfg->stats, prints exit counts and timings to stderr at the end.
 * The VMM itself runs in a child process, confined by a seccomp allowlist
 * from before the first KVM_RUN (sandbox.c, seccomp.c); the caller is not
 * confined. SIGINT/SIGTERM to the caller are forwarded to it.
 */
int vmm_run(const struct run_config *cfg);

#endif /* UNIKIT_VMM_H */
