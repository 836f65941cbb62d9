#!/bin/bash
# uefi.sh: boots hello and the guest tests as EFI applications (.efi) and GPT disk images (.img) under QEMU + OVMF, test_blk on two disks and httpd with its site disk on a tap; bad UEFI images.
#
# OVMF starts only under TCG on some hosts and takes seconds to boot, so the
# cases run two at a time (the machine's cores), each in its own scratch
# TMPDIR, which must be empty afterwards (the launcher's vvfat tree is gone).
# httpd's taps are in a network namespace made here: no traffic leaves it.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/netns.sh
. tests/site.sh

APPS=$BUILD/apps
JOBS=${UNIKIT_TEST_JOBS:-$(nproc)}
RESULTS=$TEST_TMP/results
mkdir -p "$RESULTS"

# uefi_case NAME STATUS 'REGEX...' -- unikit-run-arguments...
# Runs in the background: writes NAME's result line to $RESULTS/<n>. With
# UEFI_AFTER=FUNCTION set, FUNCTION then checks more (host side); it sets WHY
# and returns non-zero on a failure.
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
        elif [ -n "${UEFI_AFTER:-}" ] && ! "$UEFI_AFTER"; then
            fail "$name" "$WHY"
        else
            pass "$name"
        fi
    ) >"$RESULTS/$(printf %03d $ncase)" &
}

# test_blk's disks (as guest_pci.sh makes them): d0 read-write of 4 MiB, d1 read-only
# starting "unikit-ro". blk_disks DIR makes them; blk_after checks them afterwards.
BLK_PATTERN=
${HOSTCC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Ikernel/include -Ilauncher -o "$TEST_TMP/blk_pattern" \
    launcher/vmm/tests/blk_pattern.c 2>/dev/null && BLK_PATTERN=$TEST_TMP/blk_pattern
blk_disks() {
    mkdir -p "$1"
    truncate -s 4M "$1/d0.img"
    { printf 'unikit-ro'; head -c $((1048576 - 9)) /dev/zero; } >"$1/d1.img"
    cp "$1/d1.img" "$1/d1.orig"
    BLK_DIR=$1
}
blk_after() {
    local bad
    if ! cmp -s "$BLK_DIR/d1.img" "$BLK_DIR/d1.orig"; then
        WHY="the read-only disk changed"
        return 1
    fi
    [ -n "$BLK_PATTERN" ] || return 0
    bad=$("$BLK_PATTERN" "$BLK_DIR/d0.img" | grep -v '^PASS')
    WHY="disk 0 on the host: $(tr '\n' '|' <<<"$bad")"
    [ -z "$bad" ]
}

# httpd_case NAME TAP ADDR -- unikit-run-arguments...: httpd served from its tar disk over
# TAP in the namespace $NS at ADDR; curl (in $NS) fetches two files, checked by their
# SHA-256 against the site's own; then SIGTERM ends the run. In the background, like uefi_case.
httpd_case() {
    local name=$1 tap=$2 addr=$3
    shift 4
    ncase=$((ncase + 1))
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    (
        scratch=$TEST_TMP/tmp.$ncase log=$TEST_TMP/httpd.$ncase.log site=$TEST_TMP/site.$ncase.tar
        mkdir -p "$scratch"
        cp "$SITE_TAR" "$site" # a disk of its own: QEMU locks a writable one
        # nsenter, not `ip netns exec`: that remounts /sys, hiding the cgroup hierarchies.
        TMPDIR=$scratch nsenter --net="/run/netns/$NS" timeout --kill-after=5 90 "$UNIKIT" run \
            --firmware uefi --machine q35 --net "tap:$tap" --ip "$addr/24" --gw 10.77.0.1 \
            --disk "$site" "$@" </dev/null >"$log" 2>&1 &
        guest=$!
        for _ in $(seq 1 600); do
            grep -q '^httpd: listening on port 80' "$log" || ! kill -0 "$guest" 2>/dev/null && break
            sleep 0.1
        done
        why=
        for f in big.bin sub/nested/deep.txt; do
            got=$(netns_exec "$NS" curl -sf -m 20 "http://$addr/$f" | sha256sum | cut -d' ' -f1)
            want=$(sha256sum <"$SITE_DIR/$f" | cut -d' ' -f1)
            [ "$got" = "$want" ] || why="$why /$f: sha256 $got, want $want;"
        done
        kill -TERM "$guest" 2>/dev/null
        wait "$guest"
        if [ -n "$why" ]; then
            fail "$name" "$why $(tail -c 300 "$log" | tr '\n' '|')"
        elif grep -Eq 'BdsDxe|EDK II' "$log"; then
            fail "$name" "firmware output reached the console"
        elif ! grep -q '^net: en0 static '"$addr"'/' "$log"; then
            fail "$name" "no en0 line: $(tail -c 300 "$log" | tr '\n' '|')"
        elif [ -n "$(ls -A "$scratch")" ]; then
            fail "$name" "left behind in TMPDIR: $(ls -A "$scratch" | tr '\n' ' ')"
        else
            pass "$name"
        fi
    ) >"$RESULTS/$(printf %03d $ncase)" &
}

missing=""
for t in hello test_malloc test_time test_threads test_libc test_crash test_blk httpd; do
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

# The slow cases first, so that the short ones fill the gaps at the end.
HTTPD=
if netns_usable "uefi httpd"; then
    NS=$(netns_name uefi)
    SITE_DIR=$TEST_TMP/site/root SITE_TAR=$TEST_TMP/site.tar
    make_site "$SITE_DIR"
    if ! tar -cf "$SITE_TAR" --format=gnu -C "$SITE_DIR" .; then
        fail "uefi httpd" "cannot make the site archive"
    elif ! command -v curl >/dev/null; then
        skip "uefi httpd" "curl is not installed"
    elif ! { netns_create "$NS" 10.77.0.1/24 && netns_add_tap "$NS" tap0 && netns_add_tap "$NS" tap1; }; then
        fail "uefi httpd" "cannot create namespace $NS"
    else
        HTTPD=yes
    fi
fi
if [ -n "$HTTPD" ]; then
    httpd_case "uefi-efi httpd site disk + net [q35]" tap0 10.77.0.2 -- "$APPS/httpd.efi"
    httpd_case "uefi-img httpd site disk + net [q35]" tap1 10.77.0.3 -- "$APPS/httpd.img"
fi
blk_disks "$TEST_TMP/blk-efi"
UEFI_AFTER=blk_after uefi_case "uefi-efi blk two disks [q35]" 0 '^disks: 2$' '^disk0 id: d0.img$' '^SUCCESS$' -- \
    --disk "$BLK_DIR/d0.img" --disk "$BLK_DIR/d1.img:ro" "$APPS/test_blk.efi" 4194304
blk_disks "$TEST_TMP/blk-img"
UEFI_AFTER=blk_after uefi_case "uefi-img blk two disks [pc]" 0 '^disks: 2$' '^disk0 id: d0.img$' '^SUCCESS$' -- \
    --machine pc --disk "$BLK_DIR/d0.img" --disk "$BLK_DIR/d1.img:ro" "$APPS/test_blk.img" 4194304

for ext in efi img; do
    uefi_case "uefi-$ext hello" 0 '^Hello from unikit' '^time: 20[0-9]{2}-' '^sqrt\(2\) = 1\.414214$' \
        '^malloc: a string from malloc$' -- "$APPS/hello.$ext"
    # argv[0] is the image's name without .efi or .img, as without .elf.
    uefi_case "uefi-$ext hello args env exit-42" 42 '^argv\[0\] = "hello"$' '^argv\[1\] = "42"$' \
        '^argv\[2\] = "two words"$' '^argv\[3\] = "100%"$' '^env: GREETING=hi there$' -- \
        -e "GREETING=hi there" "$APPS/hello.$ext" 42 "two words" "100%"
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
