/* qemu.h: the QEMU backend (microvm machine, PVH -kernel, no firmware or option ROMs). */
#ifndef UNIKIT_QEMU_H
#define UNIKIT_QEMU_H

#include "error.h"
#include "run_config.h"

/* The QEMU binary run when UNIKIT_QEMU is not set (looked up in PATH). */
#define QEMU_DEFAULT_BINARY "qemu-system-x86_64"
#define QEMU_BINARY_ENV "UNIKIT_QEMU"

#define QEMU_MAX_ARGS (36 + 4 * RUN_MAX_DISKS) /* and 4 for --net */

/*
 * microvm's virtio-mmio transports (QEMU hw/i386/microvm.c): 8 windows of 512
 * bytes from 0xfeb00000, IRQ 5 + index with ACPI off; devices take them from
 * the last one down, in the order they are given.
 */
#define QEMU_VIRTIO_MMIO_BASE 0xfeb00000u
#define QEMU_VIRTIO_MMIO_SIZE 512u
#define QEMU_VIRTIO_MMIO_COUNT 8
#define QEMU_VIRTIO_IRQ_BASE 5

_Static_assert(RUN_MAX_DISKS <= QEMU_VIRTIO_MMIO_COUNT, "one transport per disk");

/* A QEMU command line, with the storage its formatted arguments point into. */
struct qemu_command {
    const char *argv[QEMU_MAX_ARGS + 1]; /* NULL-terminated */
    int argc;
    char mem[32];
    char serial[48];
    char exit_device[64];
    char status_chardev[80];
    char status_device[64];
    char *drive[RUN_MAX_DISKS]; /* "-drive" values, allocated (qemu_command_release) */
    char disk_device[RUN_MAX_DISKS][64];
    char netdev[96];     /* "-netdev tap,id=net0,ifname=NAME,..." */
    char net_device[96]; /* "-device virtio-net-device,netdev=net0,mac=MAC" */
    const struct qemu_uefi *uefi; /* --firmware uefi: set before building (qemu_uefi.h) */
};

/*
 * Fills (*cmd) with the command that boots (cfg) under (accel), passing
 * (cmdline) to the guest. The console goes to stdout, or to the inherited
 * file descriptor (console_fd) when it is >= 0; the guest's status byte is
 * written to the inherited descriptor (status_fd), or not captured when it
 * is < 0; cfg->disks become virtio-blk devices. No I/O. Returns 0, or -1
 * with (*err) set when memory runs out; release (*cmd) either way.
 */
int qemu_command_build(struct qemu_command *cmd, const char *binary,
                       const struct run_config *cfg, enum run_accel accel,
                       const char *cmdline, int console_fd, int status_fd,
                       struct uk_error *err);

/* Frees what qemu_command_build allocated. */
void qemu_command_release(struct qemu_command *cmd);

/* Writes the kernel option for disk (index): "virtio_mmio.device=512@0xfeb00e00:12". */
void qemu_disk_kopt(int index, char *buf, size_t buflen);

/*
 * The kernel options for every device of (cfg), in the order the devices
 * take microvm's transports: one virtio_mmio.device= per disk, then one for
 * the network device (on the transport below the last disk's), then its
 * address (ip=, gw=). Fills text[i] and points kopts[i] at it; returns how
 * many.
 */
#define QEMU_MAX_KOPTS (RUN_MAX_DISKS + 1 + RUN_NET_KOPTS)
int qemu_device_kopts(const struct run_config *cfg, char text[][64], const char **kopts);

/* True if the status port can be given to QEMU (it must not clash with fw_cfg). */
int qemu_status_port_usable(unsigned port);

/*
 * Boots (cfg) under QEMU and waits for it, forwarding SIGINT, SIGTERM and
 * SIGHUP. Returns the exit status for `unikit run` (exitcode.h has the
 * mapping). When there is something to report (a launcher failure, status
 * 125; a guest that stopped without a status, 255) (*err) holds it;
 * otherwise err->msg is "".
 */
int qemu_run(const struct run_config *cfg, struct uk_error *err);

#endif /* UNIKIT_QEMU_H */
