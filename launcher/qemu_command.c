/* qemu_command.c: the QEMU command line for one guest (pure, unit-tested). */
#include "qemu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unikit/boot_abi.h>

#include "accel.h"
#include "qemu_uefi.h"
#include "net_options.h"
#include "size.h"

/*
 * microvm without firmware extras: no option ROMs, RTC, PIT or PIC (the
 * kernel needs none), no ACPI tables (the kernel reads none; without them the
 * virtio IRQs are the fixed ones in qemu.h), the ISA serial port for the
 * console, and no virtio_mmio.device= words appended to our command line
 * behind the argv section (auto-kernel-cmdline): qemu_disk_kopt puts them
 * among the kernel options instead.
 */
#define QEMU_MACHINE                                                           \
    "microvm,x-option-roms=off,rtc=off,pit=off,pic=off,isa-serial=on,"         \
    "acpi=off,auto-kernel-cmdline=off"

/*
 * pc and q35 boot the same PVH image through SeaBIOS and its PVH option ROM
 * (0.2-0.3 s under TCG); their devices are virtio-pci, found by the kernel.
 */
static const char *pvh_machine(const struct run_config *cfg)
{
    return cfg->machine == MACHINE_PC ? "pc" : cfg->machine == MACHINE_Q35 ? "q35" : QEMU_MACHINE;
}

static bool on_pci(const struct run_config *cfg)
{
    return cfg->machine == MACHINE_PC || cfg->machine == MACHINE_Q35;
}

/* QEMU's fw_cfg takes ports 0x510-0x51b on microvm (its firmware loads the kernel through it). */
#define FW_CFG_FIRST_PORT 0x510
#define FW_CFG_LAST_PORT 0x51b

int qemu_status_port_usable(unsigned port)
{
    return port < FW_CFG_FIRST_PORT || port > FW_CFG_LAST_PORT;
}

void qemu_disk_kopt(int index, char *buf, size_t buflen)
{
    int transport = QEMU_VIRTIO_MMIO_COUNT - 1 - index;

    snprintf(buf, buflen, "virtio_mmio.device=%u@0x%x:%d", QEMU_VIRTIO_MMIO_SIZE,
             QEMU_VIRTIO_MMIO_BASE + (unsigned)transport * QEMU_VIRTIO_MMIO_SIZE,
             QEMU_VIRTIO_IRQ_BASE + transport);
}

int qemu_device_kopts(const struct run_config *cfg, char text[][64], const char **kopts)
{
    int n = 0;

    for (int i = 0; i < cfg->ndisks && i < RUN_MAX_DISKS && !on_pci(cfg); i++, n++)
        qemu_disk_kopt(i, text[n], 64);
    if (cfg->net.kind == NET_TAP) {
        if (!on_pci(cfg))
            qemu_disk_kopt(cfg->ndisks, text[n++], 64); /* the same transport formula */
        for (int i = 0; i < cfg->net.nkopts && i < RUN_NET_KOPTS; i++, n++)
            snprintf(text[n], 64, "%s", cfg->net.kopts[i]);
    }
    for (int i = 0; i < n; i++)
        kopts[i] = text[i];
    return n;
}

/* The -drive value for (disk), with commas in its path doubled as QEMU's option syntax wants. */
static char *drive_option(const struct disk_config *disk, int index)
{
    size_t len = strlen(disk->path);
    char *out = malloc(2 * len + 96), *p;

    if (out == NULL)
        return NULL;
    p = out + sprintf(out, "if=none,id=disk%d,format=raw,%sfile=", index,
                      disk->ro ? "readonly=on," : "");
    for (const char *c = disk->path; *c; c++) {
        *p++ = *c;
        if (*c == ',')
            *p++ = ',';
    }
    *p = '\0';
    return out;
}

/* virtio-blk's id (its serial, 20 bytes at most): the file name, as unikit's VMM gives it. */
static void disk_serial(const char *path, char *out, size_t outlen)
{
    const char *base = strrchr(path, '/');
    size_t n = 0;

    for (base = base ? base + 1 : path; *base && n + 1 < outlen && n < 20; base++)
        if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *base))
            out[n++] = *base; /* nothing QEMU's option syntax would read as a separator */
    out[n] = '\0';
}

void qemu_command_release(struct qemu_command *cmd)
{
    for (int i = 0; i < RUN_MAX_DISKS; i++) {
        free(cmd->drive[i]);
        cmd->drive[i] = NULL;
    }
}

int qemu_command_build(struct qemu_command *cmd, const char *binary,
                       const struct run_config *cfg, enum run_accel accel,
                       const char *cmdline, int console_fd, int status_fd,
                       struct uk_error *err)
{
    char size[24];
    int n = 0;

    memset(cmd->drive, 0, sizeof(cmd->drive));

#define ARG(s) (cmd->argv[n++] = (s))
    ARG(binary);
    ARG("-M"), ARG(cmd->uefi ? cmd->uefi->machine : pvh_machine(cfg));
    ARG("-nodefaults"), ARG("-no-user-config"), ARG("-display"), ARG("none");
    ARG("-no-reboot");
    snprintf(cmd->mem, sizeof(cmd->mem), "%s",
             size_format(cfg->mem_bytes, size, sizeof(size)));
    ARG("-m"), ARG(cmd->mem);
    ARG("-accel"), ARG(accel_name(accel));
    if (console_fd >= 0)
        snprintf(cmd->serial, sizeof(cmd->serial), "file:/proc/self/fd/%d", console_fd);
    else
        snprintf(cmd->serial, sizeof(cmd->serial), "stdio");
    ARG("-serial"), ARG(cmd->serial);
    if (cmd->uefi) {
        n = qemu_uefi_args(cmd->uefi, cmd->argv, n); /* OVMF boots the image; cmdline is a file */
    } else {
        ARG("-kernel"), ARG(cfg->image);
        ARG("-append"), ARG(cmdline);
    }
    /* exit(n) from the guest: QEMU exits with (n << 1) | 1 (boot_abi.h). */
    snprintf(cmd->exit_device, sizeof(cmd->exit_device),
             "isa-debug-exit,iobase=0x%x,iosize=4", UK_PORT_QEMU_EXIT);
    ARG("-device"), ARG(cmd->exit_device);
    if (status_fd >= 0) {
        /* The whole 0..255 status: one byte the launcher reads back after QEMU exits. */
        snprintf(cmd->status_chardev, sizeof(cmd->status_chardev),
                 "file,id=ukstatus,path=/proc/self/fd/%d", status_fd);
        snprintf(cmd->status_device, sizeof(cmd->status_device),
                 "isa-debugcon,iobase=0x%x,chardev=ukstatus", UK_PORT_EXIT_STATUS);
        ARG("-chardev"), ARG(cmd->status_chardev);
        ARG("-device"), ARG(cmd->status_device);
    }
    if ((cfg->ndisks > 0 || cfg->net.kind == NET_TAP) && !on_pci(cfg)) {
        /* microvm's transports default to legacy virtio-mmio (version 1); the kernel speaks 1.0+. */
        ARG("-global"), ARG("virtio-mmio.force-legacy=false");
    }
    for (int i = 0; i < cfg->ndisks && i < RUN_MAX_DISKS; i++) {
        cmd->drive[i] = drive_option(&cfg->disks[i], i);
        if (cmd->drive[i] == NULL)
            return uk_error_set(err, errno, "qemu: cannot allocate the -drive option");
        char serial[24];
        disk_serial(cfg->disks[i].path, serial, sizeof(serial));
        snprintf(cmd->disk_device[i], sizeof(cmd->disk_device[i]),
                 "virtio-blk-%s,drive=disk%d%s%s", on_pci(cfg) ? "pci" : "device", i,
                 serial[0] ? ",serial=" : "", serial);
        ARG("-drive"), ARG(cmd->drive[i]);
        ARG("-device"), ARG(cmd->disk_device[i]);
    }
    if (cfg->net.kind == NET_TAP) {
        /* After the disks, so it takes the transport qemu_device_kopts names. QEMU opens
         * the tap itself (creating a missing one, removed when QEMU exits); no scripts. */
        char mac[18];
        net_format_mac(cfg->net.mac, mac);
        snprintf(cmd->netdev, sizeof(cmd->netdev),
                 "tap,id=net0,ifname=%s,script=no,downscript=no", cfg->net.tap);
        /* Under OVMF no iPXE option ROM (romfile=): nothing boots from the network, and
         * loading it costs the firmware about 0.4 s under TCG. */
        snprintf(cmd->net_device, sizeof(cmd->net_device),
                 "virtio-net-%s,netdev=net0,mac=%s%s", on_pci(cfg) ? "pci" : "device", mac,
                 cmd->uefi ? ",romfile=" : "");
        ARG("-netdev"), ARG(cmd->netdev);
        ARG("-device"), ARG(cmd->net_device);
    }
#undef ARG
    cmd->argv[n] = NULL;
    cmd->argc = n;
    return 0;
}
