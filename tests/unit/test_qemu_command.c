/* test_qemu_command.c: unit tests of launcher/qemu_command.c (the QEMU command line for a guest). */
#include <string.h>

#include <unikit/boot_abi.h>

#include "check.h"
#include "qemu.h"

/* The argument after (flag) whose value starts with (prefix), or NULL. */
static const char *value_of(const struct qemu_command *cmd, const char *flag, const char *prefix)
{
    for (int i = 0; i + 1 < cmd->argc; i++)
        if (strcmp(cmd->argv[i], flag) == 0 &&
            strncmp(cmd->argv[i + 1], prefix, strlen(prefix)) == 0)
            return cmd->argv[i + 1];
    return NULL;
}

static bool has(const struct qemu_command *cmd, const char *flag, const char *value)
{
    const char *v = value_of(cmd, flag, value);

    return v != NULL && strcmp(v, value) == 0;
}

int main(void)
{
    struct run_config cfg = {.image = "dir/hello.elf", .mem_bytes = 32u << 20};
    struct qemu_command cmd;
    struct uk_error err = {0};
    char status_dev[64], kopt[64];

    qemu_command_build(&cmd, "qemu-x", &cfg, ACCEL_TCG, "-- -- hello", -1, 9, &err);
    check(strcmp(cmd.argv[0], "qemu-x") == 0 && cmd.argv[cmd.argc] == NULL, "qemu binary first",
          "argv[0] %s", cmd.argv[0]);
    check(value_of(&cmd, "-M", "microvm,") != NULL && has(&cmd, "-accel", "tcg") &&
              has(&cmd, "-m", "32M") && has(&cmd, "-kernel", "dir/hello.elf") &&
              has(&cmd, "-append", "-- -- hello") && has(&cmd, "-serial", "stdio"),
          "qemu microvm, tcg, 32M, -kernel, -append, serial on stdio", "missing one");
    check(strstr(value_of(&cmd, "-M", "microvm"), "auto-kernel-cmdline=off") != NULL &&
              strstr(value_of(&cmd, "-M", "microvm"), "x-option-roms=off") != NULL,
          "qemu machine has no option ROMs and leaves the command line alone", "%s",
          value_of(&cmd, "-M", "microvm"));
    snprintf(status_dev, sizeof(status_dev), "isa-debugcon,iobase=0x%x,chardev=ukstatus",
             UK_PORT_EXIT_STATUS);
    check(has(&cmd, "-chardev", "file,id=ukstatus,path=/proc/self/fd/9") &&
              has(&cmd, "-device", status_dev) &&
              has(&cmd, "-device", "isa-debug-exit,iobase=0xf4,iosize=4"),
          "qemu status byte through the inherited fd, isa-debug-exit at 0xf4", "missing one");
    check(!has(&cmd, "-global", "virtio-mmio.force-legacy=false"), "qemu no disks, no virtio",
          "virtio options without disks");
    qemu_command_release(&cmd);

    cfg.mem_bytes = 3u << 30;
    cfg.console_path = "c.log";
    cfg.ndisks = 2;
    cfg.disks[0] = (struct disk_config){.path = "/x/root,fs.img"};
    cfg.disks[1] = (struct disk_config){.path = "data.img", .ro = true};
    qemu_command_build(&cmd, "qemu", &cfg, ACCEL_KVM, "x", 7, -1, &err);
    check(has(&cmd, "-accel", "kvm") && has(&cmd, "-m", "3G") &&
              has(&cmd, "-serial", "file:/proc/self/fd/7") &&
              value_of(&cmd, "-chardev", "") == NULL,
          "qemu kvm, 3G, console to an inherited fd, no status device", "missing one");
    check(has(&cmd, "-drive", "if=none,id=disk0,format=raw,file=/x/root,,fs.img") &&
              has(&cmd, "-drive", "if=none,id=disk1,format=raw,readonly=on,file=data.img") &&
              has(&cmd, "-device", "virtio-blk-device,drive=disk0,serial=rootfs.img") &&
              has(&cmd, "-device", "virtio-blk-device,drive=disk1,serial=data.img") &&
              has(&cmd, "-global", "virtio-mmio.force-legacy=false"),
          "qemu disks: raw, commas doubled, read-only, modern virtio-mmio", "missing one");
    qemu_command_release(&cmd);

    /* pc and q35: the same PVH boot, virtio-pci devices, no virtio-mmio options for the guest. */
    char kopt_text[QEMU_MAX_KOPTS][64];
    const char *kopts[QEMU_MAX_KOPTS];
    cfg.machine = MACHINE_Q35;
    cfg.net.kind = NET_TAP;
    cfg.net.tap = "tap0";
    qemu_command_build(&cmd, "qemu", &cfg, ACCEL_TCG, "x", 7, -1, &err);
    check(has(&cmd, "-M", "q35") && has(&cmd, "-kernel", "dir/hello.elf") &&
              has(&cmd, "-device", "virtio-blk-pci,drive=disk0,serial=rootfs.img") &&
              value_of(&cmd, "-device", "virtio-net-pci,netdev=net0,") != NULL &&
              !has(&cmd, "-global", "virtio-mmio.force-legacy=false"),
          "qemu q35: -kernel, virtio-blk-pci and virtio-net-pci, no virtio-mmio", "missing one");
    check(qemu_device_kopts(&cfg, kopt_text, kopts) == 0, "qemu q35: no virtio_mmio.device options",
          "%s", kopts[0]);
    qemu_command_release(&cmd);
    cfg.machine = MACHINE_PC;
    qemu_command_build(&cmd, "qemu", &cfg, ACCEL_TCG, "x", 7, -1, &err);
    check(has(&cmd, "-M", "pc"), "qemu pc machine", "missing");
    qemu_command_release(&cmd);
    cfg.net.kind = NET_NONE;

    qemu_disk_kopt(0, kopt, sizeof(kopt));
    check(strcmp(kopt, "virtio_mmio.device=512@0xfeb00e00:12") == 0,
          "qemu first disk on the last microvm transport", "%s", kopt);
    qemu_disk_kopt(1, kopt, sizeof(kopt));
    check(strcmp(kopt, "virtio_mmio.device=512@0xfeb00c00:11") == 0,
          "qemu second disk on the one below", "%s", kopt);
    check(!qemu_status_port_usable(0x510) && !qemu_status_port_usable(0x51b) &&
              qemu_status_port_usable(0x4f0) && qemu_status_port_usable(0x51c),
          "qemu status port must avoid fw_cfg (0x510-0x51b)", "wrong");
    return check_status();
}
