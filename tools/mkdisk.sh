#!/bin/bash
# mkdisk.sh: a GPT disk image whose EFI system partition (FAT) holds one EFI application as EFI/BOOT/BOOTX64.EFI.
#
# Usage: tools/mkdisk.sh OUT.img APP.efi
# No root and no loop mounts: the FAT file system is made in a partition image
# (mkfs.vfat, then mtools' mmd/mcopy), a GPT is written around it (sgdisk), and
# the partition image is copied into place. Packages: dosfstools, mtools, gdisk.
set -euo pipefail

die() { echo "mkdisk: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: $0 OUT.img APP.efi"
out=$1 efi=$2
[ -f "$efi" ] || die "$efi: no such file"
for tool in mkfs.vfat mmd mcopy sgdisk; do
    command -v "$tool" >/dev/null || die "$tool missing (run tools/deps.sh)"
done

MIB=$((1024 * 1024))
START=2048                      # first partition sector (1 MiB, the usual alignment)
# The ESP: at least 8 MiB, and twice the application, in whole MiB.
size_mib=$(( ($(stat -c %s "$efi") * 2 + MIB - 1) / MIB ))
[ "$size_mib" -ge 8 ] || size_mib=8
part_sectors=$((size_mib * MIB / 512))

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkdisk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# FAT16 with 512-byte clusters fits 8 MiB and up; the volume id is fixed so that builds repeat.
truncate -s $((size_mib * MIB)) "$tmp/esp"
mkfs.vfat -F 16 -s 1 -n UNIKIT -i 756b0001 "$tmp/esp" >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$tmp/esp" ::/EFI ::/EFI/BOOT
mcopy -i "$tmp/esp" "$efi" ::/EFI/BOOT/BOOTX64.EFI

# One MiB in front of the partition, and room for the backup GPT (33 sectors) after it.
# (Not sgdisk -q: with it, sgdisk 1.0.9 writes nothing.)
truncate -s $(( (START + part_sectors + 2048) * 512 )) "$tmp/disk"
sgdisk -o -n "1:$START:+$part_sectors" -t 1:ef00 -c "1:EFI system partition" "$tmp/disk" >/dev/null
dd if="$tmp/esp" of="$tmp/disk" bs=512 seek=$START conv=notrunc status=none
mv "$tmp/disk" "$out"
