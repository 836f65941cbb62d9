/* qemu_uefi.h: QEMU with OVMF for --firmware uefi: the firmware, the boot disk, the command line, the console filter. */
#ifndef UNIKIT_QEMU_UEFI_H
#define UNIKIT_QEMU_UEFI_H

#include <sys/types.h>

#include "error.h"
#include "run_config.h"

/* OVMF from Debian's ovmf package; the environment variables override them. */
#define UEFI_CODE_DEFAULT "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define UEFI_VARS_DEFAULT "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define UEFI_CODE_ENV "UNIKIT_OVMF_CODE"
#define UEFI_VARS_ENV "UNIKIT_OVMF_VARS"

/*
 * The guest command line travels as this fw_cfg file: QEMU has no way to set
 * an EFI application's load options, so the stub (kernel/efi/cmdline.c)
 * reads it here when the load options hold none.
 */
#define UEFI_FW_CFG_CMDLINE "opt/org.unikit/cmdline"

/* The stub writes this to the serial port first (kernel/efi/stub.h): what comes before it is OVMF's. */
#define UEFI_CONSOLE_MARK "\033_unikit\033\\"

/* OVMF under TCG takes about 5 s to start the stub; past this it is taken to be stuck. */
#define UEFI_FIRMWARE_TIMEOUT_MS 120000

/*
 * What one UEFI run adds to the QEMU command: a scratch directory (the
 * command-line file, and for a .efi the FAT tree QEMU's vvfat serves as the
 * boot disk: EFI/BOOT/BOOTX64.EFI) and the option strings pointing into it.
 */
struct qemu_uefi {
    char dir[256];        /* scratch directory, "" when none was made */
    char boot_file[320];  /* dir/EFI/BOOT/BOOTX64.EFI for a .efi, else "" */
    char cmdline_file[300];
    char machine[16];
    char *code_drive, *vars_drive, *boot_drive, *fw_cfg; /* allocated */
};

/*
 * Formats the QEMU options for (cfg) into (*u): OVMF's code read-only and
 * its variables as a throw-away snapshot (code, vars), the boot disk on the
 * machine's IDE/AHCI controller, not virtio (the vvfat tree in u->dir for a
 * .efi, the image itself for a disk; both snapshot=on, so never written),
 * the command-line file. No I/O. Returns 0, or -1 with (*err) set.
 */
int qemu_uefi_format(struct qemu_uefi *u, const struct run_config *cfg, const char *code,
                     const char *vars, struct uk_error *err);

/*
 * Checks the firmware files, makes the scratch directory (under TMPDIR, or
 * /tmp), writes the command line and, for a .efi, the application from
 * cfg->image_data into it, then formats (*u). Returns 0, or -1 with (*err)
 * set; call qemu_uefi_release either way.
 */
int qemu_uefi_prepare(struct qemu_uefi *u, const struct run_config *cfg, const char *cmdline,
                      struct uk_error *err);

/* Appends the options of (*u) to (argv) at index (n); returns the new count. */
int qemu_uefi_args(const struct qemu_uefi *u, const char **argv, int n);

/* Removes the scratch directory and frees the option strings. */
void qemu_uefi_release(struct qemu_uefi *u);

/*
 * Copies the guest console from (from_fd) to (to_fd) until end of file,
 * dropping what the firmware printed before UEFI_CONSOLE_MARK (and the mark).
 * If no mark comes within UEFI_FIRMWARE_TIMEOUT_MS, sends SIGTERM to (qemu)
 * and returns -1 with (*err) set; else 0.
 */
int uefi_console_relay(int from_fd, int to_fd, pid_t qemu, struct uk_error *err);

#endif /* UNIKIT_QEMU_UEFI_H */
