/* test_uefi.c: unit tests of the UEFI launcher parts: PE and GPT checks, --firmware/--machine, the OVMF command line. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "qemu.h"
#include "qemu_uefi.h"
#include "run_options.h"
#include "uefi_image.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define SECTORS 64

static uint8_t disk[SECTORS * 512];
static uint8_t pe[1024];

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void make_pe(void)
{
    memset(pe, 0, sizeof(pe));
    pe[0] = 'M', pe[1] = 'Z';
    put_le(pe + 0x3c, 0x80, 4);
    memcpy(pe + 0x80, "PE\0\0", 4);
    put_le(pe + 0x84, 0x8664, 2);         /* COFF machine */
    put_le(pe + 0x98, 0x20b, 2);          /* optional header: PE32+ */
    put_le(pe + 0x98 + 68, 10, 2);        /* subsystem: EFI application */
}

/* Recomputes both CRC32s of the GPT in (disk). */
static void seal_gpt(void)
{
    uint8_t *hdr = disk + 512;
    put_le(hdr + 88, uefi_crc32(disk + 1024, 4 * 128), 4);
    put_le(hdr + 16, 0, 4);
    put_le(hdr + 16, uefi_crc32(hdr, 92), 4);
}

/* A 64-sector disk: protective MBR, GPT with 4 entries at LBA 2, an ESP at 34..63 holding FAT16. */
static void make_disk(void)
{
    static const uint8_t esp[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                    0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};
    memset(disk, 0, sizeof(disk));
    disk[450] = 0xee, disk[510] = 0x55, disk[511] = 0xaa;
    uint8_t *hdr = disk + 512;
    memcpy(hdr, "EFI PART", 8);
    put_le(hdr + 8, 0x10000, 4);
    put_le(hdr + 12, 92, 4);
    put_le(hdr + 72, 2, 8);
    put_le(hdr + 80, 4, 4);
    put_le(hdr + 84, 128, 4);
    memcpy(disk + 1024, esp, 16);
    put_le(disk + 1024 + 32, 34, 8);
    put_le(disk + 1024 + 40, SECTORS - 1, 8);
    uint8_t *boot = disk + 34 * 512;
    memcpy(boot + 0x36, "FAT16   ", 8);
    boot[510] = 0x55, boot[511] = 0xaa;
    seal_gpt();
}

static void refused(const char *name, const uint8_t *buf, size_t len, const char *why_part)
{
    struct image_info info;
    char why[256] = "";
    int r = uefi_image_parse(buf, len, &info, why, sizeof(why));
    check(r < 0 && strstr(why, why_part) != NULL, name, "result %d, \"%s\"; expected \"%s\"", r,
          why, why_part);
}

static void images(void)
{
    struct image_info info;
    char why[256] = "";

    check(uefi_crc32((const uint8_t *)"123456789", 9) == 0xcbf43926, "crc32 check value",
          "got 0x%08x", uefi_crc32((const uint8_t *)"123456789", 9));
    make_pe();
    check(uefi_image_parse(pe, sizeof(pe), &info, why, sizeof(why)) == 0 &&
              info.kind == IMAGE_KIND_EFI_APP, "a PE32+ EFI application", "%s", why);
    refused("a truncated PE", pe, 0x60, "truncated PE");
    pe[0x84] = 0x4c, pe[0x85] = 0x01;
    refused("a PE for i386", pe, sizeof(pe), "machine 0x14c");
    make_pe();
    pe[0x98 + 68] = 3;
    refused("a PE console program", pe, sizeof(pe), "subsystem 3");
    make_pe();
    pe[0x81] = 'X';
    refused("MZ without PE", pe, sizeof(pe), "without a PE header");

    make_disk();
    check(uefi_image_parse(disk, sizeof(disk), &info, why, sizeof(why)) == 0 &&
              info.kind == IMAGE_KIND_DISK, "a GPT disk with an ESP", "%s", why);
    disk[512 + 40] ^= 1;
    refused("a GPT header with a bad CRC", disk, sizeof(disk), "header (CRC32");
    make_disk();
    disk[1024 + 100] ^= 1;
    refused("a GPT array with a bad CRC", disk, sizeof(disk), "partition array (CRC32");
    make_disk();
    refused("a truncated disk", disk, 40 * 512, "past the end of the file");
    put_le(disk + 512 + 72, 1000, 8);
    seal_gpt();
    refused("entries past the end", disk, sizeof(disk), "entries lie past the end");
    make_disk();
    disk[1024] ^= 0xff;
    seal_gpt();
    refused("no ESP", disk, sizeof(disk), "without an EFI system partition");
    make_disk();
    disk[34 * 512 + 0x36] = 'X';
    refused("an ESP without FAT", disk, sizeof(disk), "no FAT file");
    refused("a text file", (const uint8_t *)"hello\n", 6, "neither an EFI application");
    refused("an ELF file", (const uint8_t *)"\177ELF\2\1\1", 7, "an ELF file; --firmware uefi");
}

static void options(void)
{
    struct run_config cfg;
    struct uk_error err = {0};
    char *efi[] = {"run", "--firmware", "uefi", "x.efi"};
    char *pc[] = {"run", "--firmware=uefi", "--machine", "pc", "-m", "64M", "x.img"};
    char *kvm[] = {"run", "--vmm", "kvm", "--firmware", "uefi", "x.efi"};
    char *disk_flag[] = {"run", "--firmware", "uefi", "--disk", "d.img", "--disk", "e.img:ro",
                         "--net", "tap:tap0", "--ip", "10.0.0.2/24", "x.efi"};
    char *pvh_pc[] = {"run", "--machine", "pc", "x.elf"};
    char *kvm_pc[] = {"run", "--vmm", "kvm", "--machine", "q35", "x.elf"};
    char *bad[] = {"run", "--firmware", "bios", "x.elf"};

    int r = run_options_parse(ARGC(efi), efi, &cfg, &err);
    check(r == RUN_PARSE_OK && cfg.vmm == VMM_QEMU && cfg.machine == MACHINE_Q35 &&
              cfg.mem_bytes == RUN_UEFI_DEFAULT_MEM && cfg.image_info.kind == IMAGE_KIND_UEFI,
          "--firmware uefi: qemu, q35, 128M, UEFI image", "r %d vmm %d machine %d: %s", r, cfg.vmm,
          cfg.machine, err.msg);
    run_options_free(&cfg);
    r = run_options_parse(ARGC(pc), pc, &cfg, &err);
    check(r == RUN_PARSE_OK && cfg.machine == MACHINE_PC && cfg.mem_bytes == (64u << 20),
          "--machine pc -m 64M", "r %d: %s", r, err.msg);
    run_options_free(&cfg);
    r = run_options_parse(ARGC(disk_flag), disk_flag, &cfg, &err);
    check(r == RUN_PARSE_OK && cfg.ndisks == 2 && cfg.net.kind == NET_TAP &&
              cfg.machine == MACHINE_Q35,
          "--firmware uefi with --disk and --net", "r %d: %s", r, err.msg);
    run_options_free(&cfg);
    r = run_options_parse(ARGC(pvh_pc), pvh_pc, &cfg, &err);
    check(r == RUN_PARSE_OK && cfg.machine == MACHINE_PC && cfg.vmm == VMM_QEMU &&
              cfg.firmware == FIRMWARE_NONE,
          "--machine pc without uefi: a PVH boot under QEMU", "r %d: %s", r, err.msg);
    run_options_free(&cfg);
    struct {
        const char *name;
        int argc;
        char **argv;
        const char *why;
    } refusals[] = {
        {"--vmm kvm with uefi", ARGC(kvm), kvm, "boots under QEMU"},
        {"--machine q35 with --vmm kvm", ARGC(kvm_pc), kvm_pc, "use --vmm qemu"},
        {"--firmware bios", ARGC(bad), bad, "expected none or uefi"},
    };
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        err.msg[0] = '\0';
        r = run_options_parse(refusals[i].argc, refusals[i].argv, &cfg, &err);
        check(r == RUN_PARSE_ERROR && strstr(err.msg, refusals[i].why), refusals[i].name,
              "r %d, \"%s\"", r, err.msg);
        run_options_free(&cfg);
    }
}

static bool has_arg(const struct qemu_command *cmd, const char *a, const char *b)
{
    for (int i = 0; i + 1 < cmd->argc; i++)
        if (strcmp(cmd->argv[i], a) == 0 && (b == NULL || strcmp(cmd->argv[i + 1], b) == 0))
            return true;
    return false;
}

static void command(void)
{
    struct run_config cfg;
    struct qemu_uefi u = {0};
    struct qemu_command cmd = {0};
    struct uk_error err = {0};

    memset(&cfg, 0, sizeof(cfg));
    cfg.image = "a,b.img";
    cfg.mem_bytes = 128u << 20;
    cfg.firmware = FIRMWARE_UEFI;
    cfg.machine = MACHINE_PC;
    cfg.image_info.kind = IMAGE_KIND_DISK;
    strcpy(u.dir, "/s");
    strcpy(u.cmdline_file, "/s/cmdline");
    if (!check(qemu_uefi_format(&u, &cfg, "/c.fd", "/v.fd", &err) == 0, "format", "%s", err.msg))
        return;
    cmd.uefi = &u;
    qemu_command_build(&cmd, "qemu", &cfg, ACCEL_TCG, "k -- -- a", 7, 8, &err);
    check(has_arg(&cmd, "-M", "pc") && !has_arg(&cmd, "-kernel", NULL) &&
              !has_arg(&cmd, "-append", NULL),
          "uefi: -M pc, no -kernel or -append", "argc %d", cmd.argc);
    check(has_arg(&cmd, "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=/c.fd") &&
              has_arg(&cmd, "-drive", "if=pflash,format=raw,unit=1,snapshot=on,file=/v.fd"),
          "uefi: OVMF code read-only, variables a snapshot", "argc %d", cmd.argc);
    check(has_arg(&cmd, "-drive", "if=none,id=boot,format=raw,snapshot=on,file=a,,b.img") &&
              has_arg(&cmd, "-device", "ide-hd,drive=boot,bus=ide.0,bootindex=0") &&
              !has_arg(&cmd, "-device", "virtio-blk-pci,drive=boot"),
          "uefi: the disk a snapshot on IDE, not virtio, comma doubled", "argc %d", cmd.argc);
    check(has_arg(&cmd, "-fw_cfg", "name=opt/org.unikit/cmdline,file=/s/cmdline") &&
              has_arg(&cmd, "-serial", "file:/proc/self/fd/7"),
          "uefi: command line through fw_cfg, serial to the relay", "argc %d", cmd.argc);
    qemu_command_release(&cmd);
    u.dir[0] = '\0'; /* nothing was made on disk: release only frees the strings */
    qemu_uefi_release(&u);
    strcpy(u.dir, "/s");
    cfg.machine = MACHINE_Q35;
    cfg.image_info.kind = IMAGE_KIND_EFI_APP;
    qemu_uefi_format(&u, &cfg, "/c.fd", "/v.fd", &err);
    check(strcmp(u.machine, "q35") == 0 &&
              strcmp(u.boot_drive, "if=none,id=boot,format=raw,snapshot=on,file=fat:/s") == 0,
          "uefi: a .efi boots from a vvfat tree on q35", "%s %s", u.machine, u.boot_drive);
    /* The user's disks and net: virtio-pci, disk 0 the first --disk (the boot disk is IDE). */
    cfg.disks[0] = (struct disk_config){.path = "site.tar"};
    cfg.disks[1] = (struct disk_config){.path = "d1.img", .ro = true};
    cfg.ndisks = 2;
    cfg.net.kind = NET_TAP;
    cfg.net.tap = "tap0";
    cmd.uefi = &u;
    qemu_command_build(&cmd, "qemu", &cfg, ACCEL_TCG, "k -- -- a", 7, 8, &err);
    check(has_arg(&cmd, "-device", "virtio-blk-pci,drive=disk0,serial=site.tar") &&
              has_arg(&cmd, "-device", "virtio-blk-pci,drive=disk1,serial=d1.img") &&
              has_arg(&cmd, "-drive", "if=none,id=disk1,format=raw,readonly=on,file=d1.img") &&
              has_arg(&cmd, "-netdev", NULL) && !has_arg(&cmd, "-global", NULL) &&
              strstr(cmd.net_device, "virtio-net-pci,") == cmd.net_device &&
              strstr(cmd.net_device, ",romfile=") != NULL,
          "uefi: --disk and --net on virtio-pci", "argc %d", cmd.argc);
    qemu_command_release(&cmd);
    u.dir[0] = '\0';
    qemu_uefi_release(&u);
}

int main(void)
{
    images();
    options();
    command();
    return check_status();
}
