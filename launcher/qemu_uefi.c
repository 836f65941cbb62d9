/* qemu_uefi.c: the OVMF firmware, boot disk and command-line file for a --firmware uefi run. */
#include "qemu_uefi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "prefix" + (path) with commas doubled, as QEMU's option syntax wants; NULL when memory runs out. */
static char *option_with_path(const char *prefix, const char *path, const char *suffix)
{
    size_t n = strlen(prefix) + 2 * strlen(path) + strlen(suffix) + 1;
    char *out = malloc(n), *p;

    if (out == NULL)
        return NULL;
    p = stpcpy(out, prefix);
    for (; *path; path++) {
        *p++ = *path;
        if (*path == ',')
            *p++ = ',';
    }
    strcpy(p, suffix);
    return out;
}

int qemu_uefi_format(struct qemu_uefi *u, const struct run_config *cfg, const char *code,
                     const char *vars, struct uk_error *err)
{
    /* q35 unless --machine pc; neither needs SMM with the non-secure-boot OVMF build. */
    snprintf(u->machine, sizeof(u->machine), "%s", cfg->machine == MACHINE_PC ? "pc" : "q35");
    u->code_drive = option_with_path("if=pflash,format=raw,unit=0,readonly=on,file=", code, "");
    /* snapshot=on: OVMF may write its variables, into a temporary overlay QEMU drops. */
    u->vars_drive = option_with_path("if=pflash,format=raw,unit=1,snapshot=on,file=", vars, "");
    /*
     * snapshot=on, not readonly=on: QEMU's IDE disks refuse read-only drives, and
     * writes (OVMF writes none) land in an overlay QEMU drops on exit.
     */
    if (cfg->image_info.kind == IMAGE_KIND_EFI_APP)
        u->boot_drive = option_with_path("if=none,id=boot,format=raw,snapshot=on,file=fat:",
                                         u->dir, "");
    else
        u->boot_drive = option_with_path("if=none,id=boot,format=raw,snapshot=on,file=",
                                         cfg->image, "");
    u->fw_cfg = option_with_path("name=" UEFI_FW_CFG_CMDLINE ",file=", u->cmdline_file, "");
    if (!u->code_drive || !u->vars_drive || !u->boot_drive || !u->fw_cfg)
        return uk_error_set(err, errno, "uefi: cannot allocate the QEMU options");
    return 0;
}

int qemu_uefi_args(const struct qemu_uefi *u, const char **argv, int n)
{
    argv[n++] = "-drive", argv[n++] = u->code_drive;
    argv[n++] = "-drive", argv[n++] = u->vars_drive;
    /*
     * Not virtio: the kernel takes every virtio-pci device it finds after
     * ExitBootServices for its own, so the boot disk sits on the machine's
     * own controller (q35's AHCI, pc's PIIX IDE; both name their first bus
     * ide.0), and the virtio devices are exactly --disk and --net, in order.
     * bootindex: OVMF tries it before the user's disks and the network.
     */
    argv[n++] = "-drive", argv[n++] = u->boot_drive;
    argv[n++] = "-device", argv[n++] = "ide-hd,drive=boot,bus=ide.0,bootindex=0";
    argv[n++] = "-fw_cfg", argv[n++] = u->fw_cfg;
    return n;
}

static int write_file(const char *path, const void *data, size_t len, struct uk_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    const char *p = data;

    if (fd < 0)
        return uk_error_set(err, errno, "uefi: cannot create `%s`", path);
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            uk_error_set(err, errno, "uefi: cannot write `%s`", path);
            close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) < 0)
        return uk_error_set(err, errno, "uefi: cannot write `%s`", path);
    return 0;
}

/* The firmware file named by (env), or (fallback); it must be readable. */
static const char *firmware_file(const char *env, const char *fallback, struct uk_error *err)
{
    const char *path = getenv(env);

    if (path == NULL || path[0] == '\0')
        path = fallback;
    if (access(path, R_OK) < 0) {
        uk_error_set(err, errno, "uefi: firmware `%s` (Debian package ovmf, or set %s)", path,
                     env);
        return NULL;
    }
    return path;
}

static int make_efi_tree(struct qemu_uefi *u, const struct run_config *cfg, struct uk_error *err)
{
    char sub[300];

    snprintf(sub, sizeof(sub), "%s/EFI", u->dir);
    if (mkdir(sub, 0700) < 0)
        return uk_error_set(err, errno, "uefi: cannot create `%s`", sub);
    snprintf(sub, sizeof(sub), "%s/EFI/BOOT", u->dir);
    if (mkdir(sub, 0700) < 0)
        return uk_error_set(err, errno, "uefi: cannot create `%s`", sub);
    snprintf(u->boot_file, sizeof(u->boot_file), "%s/BOOTX64.EFI", sub);
    return write_file(u->boot_file, cfg->image_data, cfg->image_size, err);
}

int qemu_uefi_prepare(struct qemu_uefi *u, const struct run_config *cfg, const char *cmdline,
                      struct uk_error *err)
{
    const char *code, *vars, *tmp = getenv("TMPDIR");

    memset(u, 0, sizeof(*u));
    if (!(code = firmware_file(UEFI_CODE_ENV, UEFI_CODE_DEFAULT, err)) ||
        !(vars = firmware_file(UEFI_VARS_ENV, UEFI_VARS_DEFAULT, err)))
        return -1;
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if (snprintf(u->dir, sizeof(u->dir), "%s/unikit-uefi.XXXXXX", tmp) >= (int)sizeof(u->dir)) {
        u->dir[0] = '\0';
        return uk_error_set(err, 0, "uefi: TMPDIR `%s` is too long", tmp);
    }
    if (mkdtemp(u->dir) == NULL) {
        uk_error_set(err, errno, "uefi: cannot create a scratch directory in `%s`", tmp);
        u->dir[0] = '\0';
        return -1;
    }
    /* The command line sits beside EFI/, so vvfat shows it too: harmless, and one directory. */
    snprintf(u->cmdline_file, sizeof(u->cmdline_file), "%s/cmdline", u->dir);
    if (write_file(u->cmdline_file, cmdline, strlen(cmdline), err) < 0)
        return -1;
    if (cfg->image_info.kind == IMAGE_KIND_EFI_APP && make_efi_tree(u, cfg, err) < 0)
        return -1;
    return qemu_uefi_format(u, cfg, code, vars, err);
}

void qemu_uefi_release(struct qemu_uefi *u)
{
    char sub[300];

    if (u->dir[0] != '\0') {
        if (u->boot_file[0] != '\0')
            unlink(u->boot_file);
        snprintf(sub, sizeof(sub), "%s/EFI/BOOT", u->dir);
        rmdir(sub);
        snprintf(sub, sizeof(sub), "%s/EFI", u->dir);
        rmdir(sub);
        if (u->cmdline_file[0] != '\0')
            unlink(u->cmdline_file);
        rmdir(u->dir);
        u->dir[0] = '\0';
    }
    free(u->code_drive);
    free(u->vars_drive);
    free(u->boot_drive);
    free(u->fw_cfg);
    u->code_drive = u->vars_drive = u->boot_drive = u->fw_cfg = NULL;
}
