#!/bin/bash
# guest_pci.sh: guests under QEMU's pc and q35 machines (PVH through SeaBIOS), their devices on virtio-pci — transitional, modern-only and legacy-only.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/netns.sh
. tests/site.sh

APPS=$BUILD/apps
MACHINES=${UNIKIT_TEST_MACHINES:-pc q35}
QEMU_BIN=${UNIKIT_QEMU:-qemu-system-x86_64}
V=launcher/vmm

if [ ! -x "$UNIKIT" ] || [ ! -f "$APPS/test_blk.elf" ]; then
    fail "guest-pci images" "$UNIKIT or $APPS/test_blk.elf missing: run make first"
    exit 0
fi
if ! command -v "$QEMU_BIN" >/dev/null; then
    skip "guest-pci" "$QEMU_BIN is not installed"
    exit 0
fi

# The variants QEMU offers (virtio 1.1, 4.1.2): "transitional" is QEMU's default on these
# machines (both interfaces; the kernel must prefer modern); the others hide one interface.
# A wrapper named by UNIKIT_QEMU adds the -global options, so the launcher stays as users see it.
for variant in modern legacy; do
    case $variant in
    modern) opts="disable-legacy=on,disable-modern=off" ;;
    legacy) opts="disable-legacy=off,disable-modern=on" ;;
    esac
    {
        echo '#!/bin/sh'
        printf 'exec %s "$@"' "$QEMU_BIN"
        for dev in virtio-blk-pci virtio-net-pci; do
            for o in ${opts//,/ }; do printf ' -global %s.%s' "$dev" "$o"; done
        done
        echo
    } >"$TEST_TMP/qemu-$variant"
    chmod +x "$TEST_TMP/qemu-$variant"
done

# pci_case NAME MACHINE VARIANT STATUS 'REGEX...' -- unikit-run-arguments...
pci_case() {
    local name=$1 machine=$2 variant=$3 want=$4 qemu=$QEMU_BIN
    shift 4
    local regexes=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do regexes+=("$1"); shift; done
    shift
    [ "$variant" = transitional ] || qemu=$TEST_TMP/qemu-$variant
    run_with_timeout 60 env UNIKIT_QEMU="$qemu" "$UNIKIT" run --vmm qemu --machine "$machine" "$@"
    if expect_status "$want" && expect_output "${regexes[@]}"; then
        pass "$name [$machine $variant]"
    else
        fail "$name [$machine $variant]" "$WHY"
    fi
}

# Flags: --machine picks QEMU's machine, so it does not go with unikit's own VMM.
check_run "pci-machine-with-own-vmm" 125 'use --vmm qemu' -- "$UNIKIT" run --vmm kvm --machine q35 "$APPS/hello.elf"
check_run "pci-machine-unknown" 125 "expected microvm, q35 or pc" -- "$UNIKIT" run --machine isapc "$APPS/hello.elf"

BLK_PATTERN=
${HOSTCC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Ikernel/include -Ilauncher -o "$TEST_TMP/blk_pattern" "$V/tests/blk_pattern.c" \
    2>"$TEST_TMP/blk_pattern.cc" && BLK_PATTERN=$TEST_TMP/blk_pattern

for m in $MACHINES; do
    pci_case hello "$m" transitional 0 '^Hello from unikit' '^malloc: a string from malloc$' -- \
        "$APPS/hello.elf"
    pci_case hello-exit-42 "$m" transitional 42 'exiting with status 42' -- "$APPS/hello.elf" 42

    # Two disks (test_blk.elf): d0 read-write of 4 MiB, d1 read-only starting "unikit-ro".
    for variant in transitional modern legacy; do
        truncate -s 0 "$TEST_TMP/d0.img" && truncate -s 4M "$TEST_TMP/d0.img"
        { printf 'unikit-ro'; head -c $((1048576 - 9)) /dev/zero; } >"$TEST_TMP/d1.img"
        cp "$TEST_TMP/d1.img" "$TEST_TMP/d1.orig"
        pci_case blk "$m" $variant 0 '^disks: 2$' '^SUCCESS$' -- --disk "$TEST_TMP/d0.img" \
            --disk "$TEST_TMP/d1.img:ro" "$APPS/test_blk.elf" 4194304
        if [ -n "$BLK_PATTERN" ]; then
            "$BLK_PATTERN" "$TEST_TMP/d0.img" | sed "s/^\(PASS\|FAIL\) \([^:]*\)/\1 pci-\2 [$m $variant]/"
        fi
        cmp -s "$TEST_TMP/d1.img" "$TEST_TMP/d1.orig" && pass "blk-ro-untouched [$m $variant]" ||
            fail "blk-ro-untouched [$m $variant]" "the read-only disk changed"
    done
done
[ -n "$BLK_PATTERN" ] || skip "pci-blk-pattern" "blk_pattern.c does not build: $(head -c 300 "$TEST_TMP/blk_pattern.cc")"

# Files: a tar archive on disk 0 at /, a raw disk, a read-only one (as guest.sh does on microvm).
if [ -f "$APPS/test_files.elf" ]; then
    make_site "$TEST_TMP/site/root"
    tar -cf "$TEST_TMP/site.tar" --format=gnu -C "$TEST_TMP/site/root" . &&
        tar -rf "$TEST_TMP/site.tar" --format=gnu -C "$TEST_TMP/site/extra" implied/x.txt
    { printf 'unikit-ro'; head -c 65527 /dev/zero; } >"$TEST_TMP/ro.img"
    for m in $MACHINES; do
        truncate -s 0 "$TEST_TMP/raw.img" && truncate -s 1M "$TEST_TMP/raw.img"
        pci_case files-tar "$m" transitional 0 '^SUCCESS$' -- --disk "$TEST_TMP/site.tar" \
            --disk "$TEST_TMP/raw.img" --disk "$TEST_TMP/ro.img:ro" "$APPS/test_files.elf" tar
    done
else
    skip "pci files-tar" "$APPS/test_files.elf missing"
fi

# Network: virtio-net-pci on a tap in a namespace made here (legacy-only net is refused by the kernel).
if [ ! -f "$APPS/test_net.elf" ]; then
    skip "pci net" "$APPS/test_net.elf missing"
elif netns_usable "pci net"; then
    NS=$(netns_name pci)
    if ! netns_create "$NS" 10.77.0.1/24; then
        fail "pci net" "cannot create namespace $NS"
    else
        for m in $MACHINES; do
            for variant in transitional modern; do
                qemu=$QEMU_BIN
                [ "$variant" = transitional ] || qemu=$TEST_TMP/qemu-$variant
                netns_add_tap "$NS" tap0
                # nsenter, not `ip netns exec`: that remounts /sys, hiding the cgroup hierarchies.
                nsenter --net="/run/netns/$NS" env UNIKIT_QEMU="$qemu" timeout 60 "$UNIKIT" run --vmm qemu --machine "$m" -m 64M \
                    --net tap:tap0 --ip 10.77.0.2/24 --gw 10.77.0.1 "$APPS/test_net.elf" tcp-echo 7 \
                    </dev/null >"$TEST_TMP/net.log" 2>&1 &
                guest=$!
                for _ in $(seq 1 100); do
                    grep -q "listening on" "$TEST_TMP/net.log" || ! kill -0 "$guest" 2>/dev/null && break
                    sleep 0.1
                done
                pinged=no
                netns_exec "$NS" ping -c 2 -i 0.2 -W 2 10.77.0.2 >/dev/null 2>&1 && pinged=yes
                reply=$(netns_exec "$NS" python3 - 10.77.0.2 2>/dev/null <<'PY'
import socket, sys
data = bytes(range(256)) * 200
s = socket.create_connection((sys.argv[1], 7), timeout=5)
s.sendall(data)
got = b""
while len(got) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
s.close()
q = socket.create_connection((sys.argv[1], 7), timeout=5)
q.sendall(b"quit\n")
q.close()
print("echo-ok" if got == data else "echo-bad %d" % len(got))
PY
)
                wait "$guest"
                status=$?
                ip -n "$NS" link del tap0 2>/dev/null
                if [ "$pinged" = yes ] && [ "$reply" = echo-ok ] && [ "$status" = 0 ]; then
                    pass "net ping+tcp-echo [$m $variant]"
                else
                    fail "net ping+tcp-echo [$m $variant]" "ping $pinged, reply '$reply', status $status; $(tail -c 300 "$TEST_TMP/net.log" | tr '\n' '|')"
                fi
            done
        done
    fi
fi
