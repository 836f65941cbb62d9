#!/bin/bash
# uefi.sh: boots hello and the guest tests as EFI applications (.efi) and GPT disk images (.img) under QEMU + OVMF; bad UEFI images.
#
# OVMF starts only under TCG on some hosts and takes seconds to boot, so the
# cases run two at a time (the machine's cores), each in its own scratch
# TMPDIR, which must be empty afterwards (the launcher's vvfat tree is gone).
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

APPS=$BUILD/apps
JOBS=${UNIKIT_TEST_JOBS:-$(nproc)}
RESULTS=$TEST_TMP/results
mkdir -p "$RESULTS"

# uefi_case NAME STATUS 'REGEX...' -- unikit-run-arguments...
# Runs in the background: writes NAME's result line to $RESULTS/<n>.
ncase=0
uefi_case() {
    local name=$1 want=$2
    shift 2
    local regexes=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do regexes+=("$1"); shift; done
    shift
    ncase=$((ncase + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    (
        scratch=$TEST_TMP/tmp.$ncase
        mkdir -p "$scratch"
        TEST_TMP=$TEST_TMP/case.$ncase && mkdir -p "$TEST_TMP"
        TMPDIR=$scratch run_with_timeout 90 "$UNIKIT" run --firmware uefi "$@"
        if ! expect_status "$want" || ! expect_output "${regexes[@]}"; then
            fail "$name" "$WHY"
        elif ! expect_no_output 'BdsDxe|EDK II'; then
            fail "$name" "firmware output reached the console: $WHY"
        elif [ -n "$(ls -A "$scratch")" ]; then
            fail "$name" "left behind in TMPDIR: $(ls -A "$scratch" | tr '\n' ' ')"
        else
            pass "$name"
        fi
    ) >"$RESULTS/$(printf %03d $ncase)" &
}

missing=""
for t in hello test_malloc test_time test_threads test_libc test_crash; do
    for ext in efi img; do
        [ -f "$APPS/$t.$ext" ] || missing="$missing $APPS/$t.$ext"
    done
done
if [ ! -x "$UNIKIT" ] || [ -n "$missing" ]; then
    fail "uefi images" "missing:$missing (make uefi-images, or make test, builds them)"
    exit 0
fi
if [ ! -r /usr/share/OVMF/OVMF_CODE_4M.fd ] && [ -z "${UNIKIT_OVMF_CODE:-}" ]; then
    skip "uefi boots" "no OVMF (Debian package ovmf)"
    exit 0
fi

for ext in efi img; do
    uefi_case "uefi-$ext hello" 0 '^Hello from unikit' '^time: 20[0-9]{2}-' '^sqrt\(2\) = 1\.414214$' \
        '^malloc: a string from malloc$' -- "$APPS/hello.$ext"
    uefi_case "uefi-$ext hello args env exit-42" 42 '^argv\[1\] = "42"$' '^argv\[2\] = "two words"$' \
        '^argv\[3\] = "100%"$' '^env: GREETING=hi there$' -- -e "GREETING=hi there" "$APPS/hello.$ext" 42 \
        "two words" "100%"
    uefi_case "uefi-$ext malloc-stress" 0 '^SUCCESS$' 'peak live bytes: [0-9]+$' -- "$APPS/test_malloc.$ext"
    uefi_case "uefi-$ext time-advances" 0 '^SUCCESS$' -- "$APPS/test_time.$ext"
    uefi_case "uefi-$ext threads" 0 '^SUCCESS$' '^counter: 8000$' -- "$APPS/test_threads.$ext"
    uefi_case "uefi-$ext libc-syscalls" 0 '^SUCCESS$' '^stderr works$' -- -e LIBC_TEST=yes \
        "$APPS/test_libc.$ext"
    uefi_case "uefi-$ext panic-null-write" 255 'panic: page fault: user write at 0x0+ ' \
        '^rip .*<write_through_null\+' '<kernel_main\+' -- "$APPS/test_crash.$ext" null
done
uefi_case "uefi-img hello on pc" 200 '^Hello from unikit' 'exiting with status 200' -- \
    --machine pc "$APPS/hello.img" 200
wait
cat "$RESULTS"/*

# Bad input: one sentence naming the file, status 125, and QEMU never started.
refused() {
    local name=$1 re=$2
    shift 2
    run_with_timeout 10 "$UNIKIT" run --firmware uefi "$@"
    if expect_status 125 && expect_output "$re"; then pass "$name"; else fail "$name" "$WHY"; fi
}
bad=$TEST_TMP/bad
mkdir -p "$bad"
printf 'not an image\n' >"$bad/text.efi"
refused "uefi non-PE file" "^unikit: $bad/text.efi: neither an EFI application" "$bad/text.efi"
refused "uefi PVH ELF" "^unikit: $APPS/hello.elf: an ELF file; --firmware uefi boots" "$APPS/hello.elf"
printf 'MZ' | cat - /dev/zero | head -c 4096 >"$bad/mz.efi"
refused "uefi MZ without PE header" "^unikit: $bad/mz.efi: an MZ file without a PE header" "$bad/mz.efi"
cp "$APPS/hello.img" "$bad/crc.img"
printf 'XXXX' | dd of="$bad/crc.img" bs=1 seek=600 conv=notrunc status=none
refused "uefi corrupt GPT header" "^unikit: $bad/crc.img: a corrupt GPT header \(CRC32 mismatch\)$" \
    "$bad/crc.img"
head -c 65536 "$APPS/hello.img" >"$bad/short.img"
refused "uefi truncated disk" "^unikit: $bad/short.img: .*past the end of the file \(truncated\?\)$" \
    "$bad/short.img"
refused "uefi --vmm kvm" "^unikit: run: --firmware uefi boots under QEMU" --vmm kvm "$APPS/hello.efi"
refused "uefi too little memory" "^unikit: run: -m 32M: OVMF needs at least 64M" -m 32M "$APPS/hello.efi"
refused "uefi microvm" "^unikit: run: --machine microvm has no UEFI firmware" --machine microvm \
    "$APPS/hello.efi"
