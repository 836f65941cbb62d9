/* qemu_command.c: the QEMU command line for one guest (pure, unit-tested). */
#include "qemu.h"

#include <stdio.h>

#include <unikit/boot_abi.h>

#include "accel.h"
#include "size.h"

/*
 * microvm without firmware extras: no option ROMs, RTC, PIT or PIC (the
 * kernel needs none), the ISA serial port for the console, and no
 * virtio_mmio.device= words appended to our command line behind the argv
 * section (auto-kernel-cmdline): devices go into the kernel options instead.
 */
#define QEMU_MACHINE                                                           \
    "microvm,x-option-roms=off,rtc=off,pit=off,pic=off,isa-serial=on,"         \
    "auto-kernel-cmdline=off"

/* QEMU's fw_cfg takes ports 0x510-0x51b on microvm (its firmware loads the kernel through it). */
#define FW_CFG_FIRST_PORT 0x510
#define FW_CFG_LAST_PORT 0x51b

int qemu_status_port_usable(unsigned port)
{
    return port < FW_CFG_FIRST_PORT || port > FW_CFG_LAST_PORT;
}

void qemu_command_build(struct qemu_command *cmd, const char *binary,
                        const struct run_config *cfg, enum run_accel accel,
                        const char *cmdline, int console_fd, int status_fd)
{
    char size[24];
    int n = 0;

#define ARG(s) (cmd->argv[n++] = (s))
    ARG(binary);
    ARG("-M"), ARG(QEMU_MACHINE);
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
    ARG("-kernel"), ARG(cfg->image);
    ARG("-append"), ARG(cmdline);
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
#undef ARG
    cmd->argv[n] = NULL;
    cmd->argc = n;
}
