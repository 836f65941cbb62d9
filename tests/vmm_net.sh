#!/bin/bash
# vmm_net.sh: --net/--ip/--gw/--mac checks, the VMM's virtio-net on a real tap (unit test), and no tap left behind on any exit — all inside namespaces this suite creates.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

HOSTCC=${HOSTCC:-gcc}
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Ikernel/include -Ilauncher"
V=launcher/vmm
NS=uknetdev$$
HOST_IP=10.98.0.1
GUEST_IP=10.98.0.2

cleanup() {
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# ---- flags: each refused with one sentence and status 125, before any backend starts ----
IMG=$TEST_TMP/none.elf # never read: the flags fail first
refused() {
    local name=$1 re=$2
    shift 2
    check_run "$name" 125 "^unikit: run: .*$re" -- "$UNIKIT" run "$@" "$IMG"
}
refused net-flag-unknown-kind '--net `eth0`: expected bridge, none or tap:NAME' --net eth0
refused net-flag-long-name 'a tap name is 1 to 15 characters' --net tap:abcdefghijklmnop
refused net-flag-bad-name 'a tap name is 1 to 15' --net 'tap:a%d'
refused net-flag-twice '--net given twice' --net none --net tap:t0
refused net-flag-ip-needs-net '--ip needs --net tap:NAME' --ip 10.0.0.2/24
refused net-flag-mac-needs-net '--mac needs --net tap:NAME' --mac 52:54:00:00:00:01
refused net-flag-ip-no-prefix 'expected A.B.C.D/PREFIX or dhcp' --net tap:t0 --ip 10.0.0.2
refused net-flag-ip-prefix 'the prefix length must be 1 to 32' --net tap:t0 --ip 10.0.0.2/33
refused net-flag-ip-prefix-zero 'the prefix length must be 1 to 32' --net tap:t0 --ip 10.0.0.2/0
refused net-flag-ip-not-ipv4 '`10.0.0.256` is not an IPv4 address' --net tap:t0 --ip 10.0.0.256/24
refused net-flag-ip-network 'network address' --net tap:t0 --ip 10.0.0.0/24
refused net-flag-ip-broadcast 'broadcast address' --net tap:t0 --ip 10.0.0.255/24
refused net-flag-ip-multicast 'multicast' --net tap:t0 --ip 224.0.0.5/24
refused net-flag-gw-subnet 'outside the subnet' --net tap:t0 --ip 10.0.0.2/24 --gw 10.0.1.1
refused net-flag-gw-self "the guest's own address" --net tap:t0 --ip 10.0.0.2/24 --gw 10.0.0.2
refused net-flag-gw-dhcp 'the gateway comes from DHCP' --net tap:t0 --ip dhcp --gw 10.0.0.1
refused net-flag-gw-bad 'expected an IPv4 address' --net tap:t0 --ip 10.0.0.2/24 --gw 10.0.0
refused net-flag-mac-short 'expected six hex bytes' --net tap:t0 --mac 52:54:00:00:01
refused net-flag-mac-hex 'expected six hex bytes' --net tap:t0 --mac 52:54:00:00:0g:01
refused net-flag-mac-multicast 'a multicast address' --net tap:t0 --mac 01:00:5e:00:00:01
refused net-flag-mac-zero 'all-zeros' --net tap:t0 --mac 00:00:00:00:00:00
disks=()
for i in 1 2 3 4 5 6 7 8; do disks+=(--disk "$TEST_TMP/d$i"); done
refused net-flag-too-many-devices 'at most 8 virtio devices' "${disks[@]}" --net tap:t0

# ---- the QEMU command line (a stand-in QEMU prints its arguments) ----
cat >"$TEST_TMP/fake-qemu" <<'EOF'
#!/bin/sh
for a in "$@"; do printf '%s\n' "$a"; done
exit 1
EOF
chmod +x "$TEST_TMP/fake-qemu"
TINY=$TEST_TMP/guests
mkdir -p "$TINY"
for c in exit_port triple_fault spin cmdline; do
    gcc -c -Ikernel/include -DCASE_$c "$V/tests/guests.S" -o "$TINY/$c.o" 2>"$TEST_TMP/cc.err" &&
        ld --no-warn-rwx-segments -T "$V/tests/guest.ld" -o "$TINY/$c.elf" "$TINY/$c.o" \
            2>>"$TEST_TMP/cc.err" || fail "net tiny guest $c (build)" "$(tr '\n' '|' <"$TEST_TMP/cc.err")"
done
head -c 4096 /dev/zero >"$TEST_TMP/disk.img"
UNIKIT_QEMU=$TEST_TMP/fake-qemu run_with_timeout 10 "$UNIKIT" run --vmm qemu --accel tcg \
    --disk "$TEST_TMP/disk.img" --net tap:uk7 --ip 10.0.0.2/24 --gw 10.0.0.1 "$TINY/exit_port.elf"
mac=$(printf '%s\n' "$OUTPUT" | sed -n 's/^virtio-net-device,netdev=net0,mac=//p')
if expect_output '^tap,id=net0,ifname=uk7,script=no,downscript=no$' \
    '^virtio-net-device,netdev=net0,mac=52:54:00(:[0-9a-f]{2}){3}$' \
    ' virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11 ip=10.0.0.2/24 gw=10.0.0.1 -- ' \
    '^virtio-mmio.force-legacy=false$'; then
    pass net-qemu-command
else
    fail net-qemu-command "$WHY"
fi
UNIKIT_QEMU=$TEST_TMP/fake-qemu run_with_timeout 10 "$UNIKIT" run --vmm qemu --accel tcg \
    --net tap:uk7 --ip dhcp "$TINY/exit_port.elf"
mac2=$(printf '%s\n' "$OUTPUT" | sed -n 's/^virtio-net-device,netdev=net0,mac=//p')
if [ -n "$mac" ] && [ "$mac" = "$mac2" ] && expect_output ' ip=dhcp -- '; then
    pass net-qemu-dhcp-stable-mac
else
    fail net-qemu-dhcp-stable-mac "mac '$mac' then '$mac2'; ${WHY:-}"
fi
UNIKIT_QEMU=$TEST_TMP/fake-qemu run_with_timeout 10 "$UNIKIT" run --vmm qemu --accel tcg \
    --net tap:uk7 --mac 02:AB:cd:00:00:01 "$TINY/exit_port.elf"
if expect_output '^virtio-net-device,netdev=net0,mac=02:ab:cd:00:00:01$'; then
    pass net-qemu-given-mac
else
    fail net-qemu-given-mac "$WHY"
fi

# ---- what follows needs a namespace of our own (root, iproute2, /dev/net/tun) ----
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || [ ! -c /dev/net/tun ]; then
    skip "net device tests" "need root, iproute2 and /dev/net/tun"
    exit 0
fi
if ! ip netns add "$NS" 2>"$TEST_TMP/ns.err"; then
    skip "net device tests" "cannot create a network namespace: $(cat "$TEST_TMP/ns.err")"
    exit 0
fi
in_ns() { ip netns exec "$NS" "$@"; }
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
in_ns ip link set lo up
# tap_exists NAME: the namespace has an interface NAME.
tap_exists() { in_ns ip link show "$1" >/dev/null 2>&1; }

# The device model on a persistent tap, driven by a host test program.
if $HOSTCC $CFLAGS -o "$TEST_TMP/test_net" "$V/tests/test_net.c" $V/mem.c $V/virtq.c \
    $V/virtio_mmio.c $V/virtio_net.c $V/tap.c $V/iov.c $V/err.c $V/io.c 2>"$TEST_TMP/cc.err"; then
    in_ns ip tuntap add dev uknt0 mode tap
    in_ns ip addr add $HOST_IP/24 dev uknt0
    in_ns ip link set uknt0 up
    in_ns timeout 60 "$TEST_TMP/test_net" uknt0 $HOST_IP $GUEST_IP >"$TEST_TMP/unit.out" 2>"$TEST_TMP/unit.err"
    status=$?
    while read -r verdict case rest; do
        case $verdict in
        PASS) pass "$case" ;;
        FAIL) fail "${case%:}" "$rest" ;;
        measure:) echo "  measure: $case $rest" ;;
        esac
    done <"$TEST_TMP/unit.out"
    [ $status = 0 ] || grep -q '^FAIL' "$TEST_TMP/unit.out" ||
        fail test_net "exited with status $status: $(head -c 400 "$TEST_TMP/unit.err")"
    in_ns ip link del uknt0
else
    fail "test_net (build)" "$(head -c 600 "$TEST_TMP/cc.err" | tr '\n' '|')"
fi

if ! need_kvm "net vmm tests" || [ ! -x "$UNIKIT" ]; then
    exit 0
fi

# vmm_net_case NAME STATUS TAP [REGEX...] -- ARGS...: boots under the VMM on
# --net tap:TAP in the namespace; the status and output must match, and TAP
# must be gone afterwards (it did not exist before).
vmm_net_case() {
    local name=$1 want=$2 tap=$3
    shift 3
    local regexes=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do regexes+=("$1"); shift; done
    shift
    run_with_timeout 20 ip netns exec "$NS" "$UNIKIT" run --vmm kvm --net "tap:$tap" "$@"
    if ! expect_status "$want" || ! expect_output "${regexes[@]}"; then
        fail "$name" "$WHY"
    elif tap_exists "$tap"; then
        fail "$name" "tap $tap left behind"
    else
        pass "$name"
    fi
}
vmm_net_case vmm-net-cmdline 0 ukt1 \
    '^tsc_khz=[0-9]+ wallclock=[0-9]+ platform=ukvm virtio_mmio.device=4K@0xd0000000:5 virtio_mmio.device=4K@0xd0001000:6 ip=10.98.0.2/24 gw=10.98.0.1 -- ' \
    -- --disk "$TEST_TMP/disk.img" --ip $GUEST_IP/24 --gw $HOST_IP "$TINY/cmdline.elf"
vmm_net_case vmm-net-exit-removes-tap 7 ukt1 '^unikit: stats: net ukt1 rx 0 frames' \
    '^unikit: stats: net ukt1 tx 0 frames' -- --stats "$TINY/exit_port.elf"
vmm_net_case vmm-net-panic-removes-tap 255 ukt1 'triple fault' -- "$TINY/triple_fault.elf"
run_with_timeout 20 ip netns exec "$NS" "$UNIKIT" run --vmm kvm --net tap:lo "$TINY/exit_port.elf"
expect_status 125 && expect_output '^unikit: vmm: tap `lo`: an interface of that name exists and is not a tap$' &&
    pass vmm-net-not-a-tap || fail vmm-net-not-a-tap "$WHY"

# A tap that existed is used and left as it was.
in_ns ip tuntap add dev ukt2 mode tap
run_with_timeout 20 ip netns exec "$NS" "$UNIKIT" run --vmm kvm --net tap:ukt2 "$TINY/exit_port.elf"
expect_status 7 && tap_exists ukt2 && pass vmm-net-existing-tap-kept ||
    fail vmm-net-existing-tap-kept "status $STATUS, tap there: $(tap_exists ukt2 && echo yes || echo no)"
in_ns ip link del ukt2

# start_spin TAP: a spinning guest on TAP in the background; sets LAUNCHER,
# VMM_PID (the launcher's child that runs the guest) and TAP_SEEN.
start_spin() {
    ip netns exec "$NS" "$UNIKIT" run --vmm kvm --net "tap:$1" "$TINY/spin.elf" \
        >"$TEST_TMP/spin.log" 2>&1 &
    LAUNCHER=$!
    VMM_PID= TAP_SEEN=no
    for _ in $(seq 150); do
        VMM_PID=$(pgrep -P "$LAUNCHER" | head -n 1)
        [ -n "$VMM_PID" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$VMM_PID/status" 2>/dev/null &&
            break
        sleep 0.02
    done
    tap_exists "$1" && TAP_SEEN=yes
}
# gone_within TAP: true once TAP has gone (at most 3 s).
gone_within() {
    for _ in $(seq 150); do
        tap_exists "$1" || return 0
        sleep 0.02
    done
    return 1
}
# killed PID SIGNAL: sends it without bash's job notice.
killed() {
    exec 3>&2 2>/dev/null
    kill "-$2" "$1"
    wait "$LAUNCHER"
    STATUS=$?
    exec 2>&3 3>&-
}

start_spin ukt3
killed "$LAUNCHER" TERM
if [ "$TAP_SEEN" = yes ] && [ "$STATUS" = 143 ] && gone_within ukt3; then
    pass vmm-net-sigterm-removes-tap
else
    fail vmm-net-sigterm-removes-tap "tap while running: $TAP_SEEN, status $STATUS, left: $(tap_exists ukt3 && echo yes || echo no)"
fi

# SIGKILL of the VMM itself: nothing of ours runs, the kernel drops the
# non-persistent tap as the descriptor closes.
start_spin ukt4
if [ -n "$VMM_PID" ]; then
    killed "$VMM_PID" KILL
else
    killed "$LAUNCHER" TERM
fi
if [ -n "$VMM_PID" ] && [ "$TAP_SEEN" = yes ] && gone_within ukt4; then
    pass vmm-net-sigkill-vmm-removes-tap
else
    fail vmm-net-sigkill-vmm-removes-tap "vmm pid '${VMM_PID}', tap while running: $TAP_SEEN, left: $(tap_exists ukt4 && echo yes || echo no)"
fi

# SIGKILL of the launcher: its VMM dies with it (PDEATHSIG), and so does the tap.
start_spin ukt5
killed "$LAUNCHER" KILL
if [ "$TAP_SEEN" = yes ] && gone_within ukt5; then
    pass vmm-net-sigkill-launcher-removes-tap
else
    fail vmm-net-sigkill-launcher-removes-tap "tap while running: $TAP_SEEN, left: $(tap_exists ukt5 && echo yes || echo no)"
fi

# The real image with the kernel's driver: it finds the device and its MAC.
HELLO=$BUILD/apps/hello.elf
if [ -f "$HELLO" ]; then
    vmm_net_case vmm-net-hello 0 ukt6 '^unikit: stats: net ukt6 ' \
        -- --stats --mac 52:54:00:12:34:56 --ip $GUEST_IP/24 "$HELLO"
else
    skip vmm-net-hello "$HELLO not built"
fi
exit 0
