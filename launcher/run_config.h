/* run_config.h: what `unikit run` was asked to do, shared by every backend (QEMU, unikit's VMM). */
#ifndef UNIKIT_RUN_CONFIG_H
#define UNIKIT_RUN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"

enum run_vmm { VMM_KVM, VMM_QEMU };
/* --runtime: a unikernel VM (the default), or the app's Linux build as a namespace container. */
enum run_runtime { RUNTIME_VM, RUNTIME_CONTAINER };

/* --cpus N.N: CPU time per period of this length (cgroup CFS quota). */
#define RUN_CPU_PERIOD_US 100000

struct run_instance; /* instance_run.h */
enum run_accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

/* The backend `unikit run` uses without --vmm: unikit's own VMM. */
#define RUN_DEFAULT_VMM VMM_KVM

/* Guest memory: the default and the accepted range of -m. */
#define RUN_DEFAULT_MEM (UINT64_C(32) << 20)
#define RUN_MIN_MEM (UINT64_C(4) << 20)
#define RUN_MAX_MEM (UINT64_C(3) << 30)

/* --firmware uefi: OVMF hangs with 32M; without -m it gets the default here. */
#define RUN_UEFI_MIN_MEM (UINT64_C(64) << 20)
#define RUN_UEFI_DEFAULT_MEM (UINT64_C(128) << 20)

/* What QEMU boots first (--firmware): the PVH image itself, or OVMF, which boots a .efi or a disk. */
enum run_firmware { FIRMWARE_NONE, FIRMWARE_UEFI };
/* QEMU's machine (--machine): microvm without firmware; q35 (the default) or pc under UEFI. */
enum run_machine { MACHINE_DEFAULT, MACHINE_MICROVM, MACHINE_Q35, MACHINE_PC };

/*
 * Room the guest needs above its highest segment (page tables, start info,
 * command line, stack, a first heap); an image for which
 * image_info.mem_highest + RUN_MEM_HEADROOM > mem_bytes is refused.
 */
#define RUN_MEM_HEADROOM (UINT64_C(1) << 20)

/* A virtio-blk disk (--disk PATH[:ro]); the guest sees them in order. */
#define RUN_MAX_DISKS 8
struct disk_config {
    const char *path;
    bool ro; /* writes fail with VIRTIO_BLK_S_IOERR */
    bool path_owned; /* run_options_free frees path */
};

/*
 * The network interface (--net, --ip, --gw, --mac); the guest has at most one.
 * NET_BRIDGE becomes NET_TAP, with a leased --ip and --gw, once the launcher
 * has made the tap (launcher/net/); a container gets a veth instead.
 */
enum run_net { NET_NONE, NET_TAP, NET_BRIDGE };
#define RUN_NET_KOPTS 2     /* ip=, gw= */
#define RUN_NET_KOPT_LEN 32 /* "ip=255.255.255.255/32" and its NUL fit */
struct net_config {
    enum run_net kind;
    const char *tap;   /* NET_TAP: the tap's name (1..15 of [A-Za-z0-9._-]) */
    bool dhcp;         /* --ip dhcp */
    uint32_t ip, gw;   /* host byte order; 0 when not given */
    int prefix;        /* 1..32 with a static --ip */
    uint8_t mac[6];    /* --mac, or 52:54:00 and 3 bytes hashed from the tap name */
    bool mac_given;
    char kopts[RUN_NET_KOPTS][RUN_NET_KOPT_LEN]; /* ip=, gw= for the guest, nkopts of them */
    int nkopts;
};

/* A published port (-p HOSTPORT:GUESTPORT, TCP), needs --net bridge. */
#define RUN_MAX_PORTS 16
struct port_map {
    uint16_t host, guest;
};

/*
 * Filled by cmd_run.c before any backend starts: the image has been read and
 * checked (image_info, image_data), every flag validated. Backends treat it
 * as read-only and must not re-read the file (it may have changed since).
 */
struct run_config {
    const char *image;        /* path as given */
    const char *const *argv;  /* guest argv[1..], nargs entries */
    int nargs;
    const char *const *env;   /* "KEY=VALUE", nenv entries, in order */
    int nenv;
    uint64_t mem_bytes;       /* guest RAM, RUN_MIN_MEM..RUN_MAX_MEM, a multiple of 4 KiB */
    enum run_vmm vmm;
    enum run_accel accel;     /* QEMU only; the VMM always uses /dev/kvm */
    const char *console_path; /* guest console to this file; NULL: stdout */
    bool stats;               /* print run statistics on exit */
    bool drop_user;           /* --user: the VMM drops to uid/gid after opening its files */
    unsigned user_uid, user_gid;
    struct image_info image_info; /* the checked image */
    const uint8_t *image_data;    /* the whole image file, image_size bytes */
    size_t image_size;
    uint64_t tsc_khz;         /* host TSC frequency, 0 if unknown */
    uint64_t wallclock_ns;    /* wall-clock time at launch, ns since the epoch */
    struct disk_config disks[RUN_MAX_DISKS]; /* --disk, in order */
    int ndisks;
    struct net_config net;    /* --net; by default $UNIKIT_NET, else NET_NONE */
    struct port_map ports[RUN_MAX_PORTS]; /* -p, nports of them */
    int nports;
    enum run_firmware firmware; /* --firmware; QEMU only */
    enum run_machine machine;   /* --machine, resolved by run_options_parse; QEMU only */
    /* Lifecycle and limits (instance_run.h, cgroup.h): */
    enum run_runtime runtime;   /* --runtime */
    bool detach;                /* -d: print the name, run in the background */
    const char *name;           /* --name, or NULL: a generated one */
    uint64_t cpu_quota_us;      /* --cpus N.N as N.N * RUN_CPU_PERIOD_US; 0 = no quota */
    uint64_t cpu_period_us;
    uint64_t pids_max;          /* --pids; 0 = no limit */
    uint64_t memory_limit;      /* --memory-limit; 0 = derived from -m (instance_run.h) */
    struct run_instance *instance; /* set by cmd_run when the run is recorded; backends pass it
                                    * to instance_child_enter / instance_child_started */
};

#endif /* UNIKIT_RUN_CONFIG_H */
