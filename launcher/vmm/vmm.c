/* vmm.c: vmm_run: builds the machine from a run_config, runs it, and tears it down. */
#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "unikit/boot_abi.h"
#include "virtio.h"
#include "virtio_net.h"
#include "vmm.h"

static int check_mem_size(uint64_t bytes)
{
    if (bytes < VMM_MIN_MEM || bytes > VMM_MAX_MEM || (bytes & 0xfff) != 0)
        return vmm_fail(0, "guest memory of %llu bytes: expected a multiple "
                           "of 4 KiB between %llu MiB and %llu MiB",
                        (unsigned long long)bytes, VMM_MIN_MEM >> 20,
                        VMM_MAX_MEM >> 20);
    return 0;
}

static int attach_disks(struct vmm *vmm, const struct run_config *cfg)
{
    for (int i = 0; i < cfg->ndisks && i < RUN_MAX_DISKS; i++) {
        struct vdev *dev =
            blk_create(&vmm->mem, cfg->disks[i].path, cfg->disks[i].ro);
        if (dev == NULL)
            return -1;
        if (vdev_attach(vmm, dev) < 0) {
            blk_destroy(dev);
            return -1;
        }
    }
    return 0;
}

/* The tap's virtio-net device comes after the disks, so that disk i is
 * device i under both backends. */
static int attach_net(struct vmm *vmm, const struct run_config *cfg)
{
    if (cfg->net.kind != NET_TAP)
        return 0;
    struct vdev *dev = net_create(&vmm->mem, cfg->net.tap, cfg->net.mac);
    if (dev == NULL)
        return -1;
    if (vdev_attach(vmm, dev) < 0) {
        net_destroy(dev);
        return -1;
    }
    vmm->net = dev;
    return 0;
}

/* Its tap joins the wait's epoll set, as device number nvdevs - 1. */
static int watch_net(struct vmm *vmm)
{
    return vmm->net != NULL ? net_watch(vmm->net, vmm->epoll_fd, vmm->nvdevs - 1) : 0;
}

/*
 * --user: everything the VMM needs is open by now (/dev/kvm, the image, disks,
 * tap, console); give up root before the filter goes on, and check it stuck.
 */
static int drop_privileges(const struct run_config *cfg)
{
    if (!cfg->drop_user)
        return 0;
    if (setgroups(0, NULL) < 0 || setgid(cfg->user_gid) < 0 || setuid(cfg->user_uid) < 0)
        return vmm_fail(errno, "drop to uid %u gid %u", cfg->user_uid, cfg->user_gid);
    if (cfg->user_uid != 0 && setuid(0) == 0)
        return vmm_fail(0, "still able to become root after dropping to uid %u", cfg->user_uid);
    return 0;
}

/* Everything that can fail before the guest runs fails with a message and
 * UK_EXIT_LAUNCHER; from the first KVM_RUN on, the guest's status counts. */
static int setup(struct vmm *vmm, const struct run_config *cfg)
{
    uint64_t mem = cfg->mem_bytes != 0 ? cfg->mem_bytes : VMM_DEFAULT_MEM;
    if (check_mem_size(mem) < 0 || kvm_open(vmm) < 0 ||
        kvm_map_memory(vmm, mem) < 0 || kvm_create_vcpu(vmm) < 0 ||
        console_open(vmm, cfg->console_path) < 0 ||
        console_register(vmm) < 0 || hypercall_register(vmm) < 0 ||
        attach_disks(vmm, cfg) < 0 ||
        attach_net(vmm, cfg) < 0 || load_image(vmm) < 0 ||
        signals_install(vmm) < 0 || wait_init(vmm) < 0 || watch_net(vmm) < 0 ||
        drop_privileges(cfg) < 0 || seccomp_install(vmm) < 0)
        return -1;
    return 0;
}

int vmm_boot(const struct run_config *cfg)
{
    struct vmm vmm = {
        .cfg = cfg,
        .kvm_fd = -1,
        .vm_fd = -1,
        .vcpu_fd = -1,
        .console_fd = -1,
        .epoll_fd = -1,
        .timer_fd = -1,
    };
    vmm.stats.t_start_ns = now_ns();
    int status = UK_EXIT_LAUNCHER;
    if (setup(&vmm, cfg) == 0 && vcpu_loop(&vmm) == 0)
        status = vmm.exit_status;
    console_close(&vmm);
    vmm.stats.t_end_ns = now_ns();
    if (cfg->stats)
        stats_print(&vmm);
    if (cfg->stats && vmm.net != NULL)
        net_stats_print(vmm.net);
    wait_close(&vmm);
    signals_restore();
    for (unsigned i = 0; i < vmm.nvdevs; i++)
        if (vmm.vdevs[i] == vmm.net)
            net_destroy(vmm.net);
        else
            blk_destroy(vmm.vdevs[i]);
    kvm_close(&vmm);
    return status;
}
