/* cmd_run.c: `unikit run`: check the flags and the image, then hand the guest to a backend. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <unikit/boot_abi.h>

#include "detach.h"
#include "error.h"
#include "image.h"
#include "instance_run.h"
#include "net/net.h"
#include "qemu.h"
#include "run_config.h"
#include "run_options.h"
#include "size.h"
#include "tsc.h"
#include "verbs.h"

#ifdef UNIKIT_HAVE_VMM
#include "vmm/vmm.h"
#endif

/* --runtime container: the namespace runtime (launcher/container/), when it is linked in. */
int container_run(const struct run_config *cfg, struct uk_error *err) __attribute__((weak));

/* A backend boots a checked run_config; it returns the exit status, (*err) any message. */
struct backend {
    enum run_vmm vmm;
    const char *name;
    int (*run)(const struct run_config *cfg, struct uk_error *err);
};

static int run_own_vmm(const struct run_config *cfg, struct uk_error *err)
{
    err->msg[0] = '\0';
#ifdef UNIKIT_HAVE_VMM
    return vmm_run(cfg); /* prints its own messages */
#else
    (void)cfg;
    uk_error_set(err, 0, "run: --vmm kvm: unikit's own VMM is not built yet; use --vmm qemu");
    return UK_EXIT_LAUNCHER;
#endif
}

static const struct backend backends[] = {
    {VMM_KVM, "kvm", run_own_vmm},
    {VMM_QEMU, "qemu", qemu_run},
};

void cmd_run_usage(FILE *out)
{
    char mem[24];

    fprintf(out,
            "Usage: unikit run [OPTIONS] IMAGE [ARGS...]\n"
            "\n"
            "Boots IMAGE (a unikit PVH ELF; with --firmware uefi a .efi or a GPT disk .img)\n"
            "with ARGS as its arguments and waits for it; exits with the guest's exit\n"
            "status, or %d if the launcher itself fails.\n"
            "Options end at IMAGE: ARGS go to the guest even when they look like options.\n"
            "\n"
            "Options:\n"
            "  --vmm kvm|qemu        backend: unikit's own VMM on /dev/kvm, or QEMU (default %s)\n"
            "  --accel kvm|tcg|auto  QEMU accelerator (default auto: kvm with vmx/svm, else tcg)\n"
            "  --machine microvm|pc|q35  QEMU machine (implies --vmm qemu; default microvm,\n"
            "                        q35 with --firmware uefi); pc and q35 boot through\n"
            "                        SeaBIOS (or OVMF), devices on virtio-pci\n"
            "  --firmware none|uefi  none: QEMU boots the PVH ELF (default); uefi: OVMF\n"
            "                        boots IMAGE, a .efi or a GPT disk (implies --vmm qemu;\n"
            "                        q35 or pc; -m 128M by default; takes seconds to start)\n"
            "  -m, --memory SIZE     guest memory, 4M..3G (default %s; K, M, G suffixes)\n"
            "  -e, --env KEY=VALUE   set a variable in the guest's environment (repeatable)\n"
            "  --console PATH        write the guest console to PATH instead of stdout\n"
            "  --disk PATH[:ro]      attach PATH as a virtio-blk disk (repeatable, in order)\n"
            "  --net bridge|none|tap:NAME  network: a tap (VM) or veth (container) on the bridge\n"
            "                        $UNIKIT_BRIDGE (default unikit0) with an address leased from\n"
            "                        $UNIKIT_SUBNET (default 10.88.0.0/16); none; or a VM's\n"
            "                        virtio-net on tap NAME (opened if it exists, else created\n"
            "                        and removed on exit). Default: $UNIKIT_NET, else none\n"
            "  -p, --publish HOST:GUEST  forward TCP port HOST of this namespace's addresses to\n"
            "                        GUEST on the instance (nftables DNAT; needs --net bridge)\n"
            "  --ip ADDR/PREFIX|dhcp the guest's address (kernel option ip=), or DHCP\n"
            "  --gw ADDR             the guest's default gateway (gw=), inside --ip's subnet\n"
            "  --mac MAC             the device's MAC (default 52:54:00 + a hash of NAME)\n"
            "  --stats               print timing and memory figures on exit\n"
            "  --user UID[:GID]      (own VMM) drop to this user after opening files\n"
            "  -d, --detach          run in the background: print the instance's name and exit\n"
            "  --name NAME           the instance's name (default: generated, uk-XXXXXXXX)\n"
            "  --runtime vm|container  a unikernel VM (default), or the app's Linux build as a\n"
            "                        namespace container\n"
            "  --cpus N.N            CPU quota in CPUs (0.5: 50 ms of every 100 ms)\n"
            "  --pids N              at most N processes (threads count) in the instance\n"
            "  --memory-limit SIZE   the instance's cgroup memory limit (default: -m plus the\n"
            "                        VMM's own overhead, 32M for kvm, 256M for qemu)\n"
            "  -h, --help            show this help\n"
            "\n"
            "\n"
            "Every run is an instance (`unikit ps`) in a cgroup of its own, its state under\n"
            "$UNIKIT_ROOT (default /run/unikit). An attached run without --name is removed\n"
            "when it ends; one with --name, or detached, stays (exited) until `unikit rm`.\n"
            "An attached run without -d, --name or limits whose state root is not writable\n"
            "(a user without root) runs unrecorded, without a cgroup.\n"
            "\n"
            "--runtime container runs IMAGE, a static Linux executable, as root of a user\n"
            "namespace (uid 100000 outside) without capabilities, under a seccomp allowlist,\n"
            "on an overlay whose lower holds it and the first --disk's tar files.\n"
            "\n"
            "Environment: %s names the QEMU binary (default %s);\n"
            "UNIKIT_NETNS=NAME does all network work in namespace NAME (`ip netns add`).\n",
            UK_EXIT_LAUNCHER, RUN_DEFAULT_VMM == VMM_KVM ? "kvm" : "qemu",
            size_format(RUN_DEFAULT_MEM, mem, sizeof(mem)), QEMU_BINARY_ENV,
            QEMU_DEFAULT_BINARY);
}

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void print_stats(const struct backend *b, uint64_t wall_ns, int status)
{
    struct rusage self, children;

    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    fprintf(stderr,
            "unikit: stats: backend %s, wall %.1f ms, exit %d, cpu %.1f ms user %.1f ms sys, "
            "max rss %ld KiB (launcher %ld KiB)\n",
            b->name, wall_ns / 1e6, status,
            (self.ru_utime.tv_sec + children.ru_utime.tv_sec) * 1e3 +
                (self.ru_utime.tv_usec + children.ru_utime.tv_usec) / 1e3,
            (self.ru_stime.tv_sec + children.ru_stime.tv_sec) * 1e3 +
                (self.ru_stime.tv_usec + children.ru_stime.tv_usec) / 1e3,
            children.ru_maxrss > self.ru_maxrss ? children.ru_maxrss : self.ru_maxrss,
            self.ru_maxrss);
}

/* A disk must open as asked (read-write unless :ro) and be a regular file of at least one
 * 512-byte sector (virtio-blk counts in sectors), before any backend starts. */
static int check_disks(const struct run_config *cfg, struct uk_error *err)
{
    for (int i = 0; i < cfg->ndisks; i++) {
        const struct disk_config *d = &cfg->disks[i];
        struct stat st;
        int fd = open(d->path, (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (fd < 0)
            return uk_error_set(err, errno, "%s: cannot open disk%s", d->path,
                                d->ro ? " (read-only)" : " for reading and writing");
        int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 512;
        close(fd);
        if (!ok)
            return uk_error_set(err, 0, "%s: a disk must be a regular file of at least one "
                                "512-byte sector", d->path);
    }
    return 0;
}

/* Checks the image and disks (before any backend starts), fills in what the guest is told. */
static int prepare(struct run_config *cfg, uint8_t **data, struct uk_error *err)
{
    if (image_read_file(cfg->image, data, &cfg->image_size, &cfg->image_info, err) < 0)
        return -1;
    if (check_disks(cfg, err) < 0)
        return -1;
    cfg->image_data = *data;
    if (run_options_check_memory(cfg, err) < 0)
        return -1;
    /* unikit's VMM passes the rate KVM_GET_TSC_KHZ reports; only QEMU's guest needs ours. */
    cfg->tsc_khz = cfg->vmm == VMM_QEMU ? tsc_host_khz() : 0;
    cfg->wallclock_ns = clock_ns(CLOCK_REALTIME);
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run_config cfg;
    struct uk_error err = {0};
    const struct backend *b = NULL;
    uint8_t *data = NULL;
    uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
    int status = UK_EXIT_LAUNCHER;

    switch (run_options_parse(argc, argv, &cfg, &err)) {
    case RUN_PARSE_HELP:
        cmd_run_usage(stdout);
        status = 0;
        goto out;
    case RUN_PARSE_ERROR:
        uk_error_print(&err);
        goto out;
    case RUN_PARSE_OK:
        break;
    }
    /* UNIKIT_NETNS: the bridge, taps, veths and ports all live in that namespace. */
    if (netns_enter_from_env(&err) < 0) {
        uk_error_print(&err);
        goto out;
    }
    if (cfg.runtime == RUNTIME_VM && prepare(&cfg, &data, &err) < 0) {
        uk_error_print(&err);
        goto out;
    }
    if (cfg.runtime == RUNTIME_CONTAINER && container_run == NULL) {
        uk_warn("run: --runtime container: the container runtime is not built in");
        goto out;
    }
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
        if (backends[i].vmm == cfg.vmm)
            b = &backends[i];
    struct run_instance ri;
    int recorded = instance_run_begin(&cfg, &ri, &err);
    if (recorded < 0) {
        uk_error_print(&err);
        goto out;
    }
    if (cfg.detach) {
        int role = detach_start(&ri, &status, &err);
        if (role < 0) {
            uk_error_print(&err);
            status = instance_run_end(&ri, UK_EXIT_LAUNCHER);
        }
        if (role != DETACH_SUPERVISOR)
            goto out;
    }
    fflush(stdout);
    err.msg[0] = '\0';
    struct net_attachment net; /* --net bridge: a container attaches itself */
    net_attachment_init(&net, state_root());
    if (cfg.runtime == RUNTIME_CONTAINER)
        status = container_run(&cfg, &err);
    else if (net_attach_vm(&cfg, &net, &err) < 0)
        status = UK_EXIT_LAUNCHER;
    else
        status = b->run(&cfg, &err);
    net_detach(&net);
    if (err.msg[0] != '\0')
        uk_error_print(&err);
    if (recorded)
        status = instance_run_end(&ri, status);
    if (cfg.stats)
        print_stats(b, clock_ns(CLOCK_MONOTONIC) - t0, status);
out:
    free(data);
    run_options_free(&cfg);
    return status;
}
