#!/bin/bash
# net.sh: guest networking inside a network namespace this suite creates — ping, UDP echo, TCP echo, TCP client.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

BUILD=${BUILD:-build}
IMG=$BUILD/apps/test_net.elf
NS=uknet$$
BACKENDS=${UNIKIT_TEST_BACKENDS:-qemu kvm}
HOST_IP=10.77.0.1
GUEST_IP=10.77.0.2

if [ "$(id -u)" != 0 ]; then
    skip "net" "needs root to create a network namespace"
    exit 0
fi
if [ ! -f "$IMG" ]; then
    fail "net" "$IMG missing: run make first"
    exit 0
fi
[ -c /dev/kvm ] || BACKENDS=$(echo "$BACKENDS" | sed 's/kvm//')

cleanup() {
    ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$NS" 2>/dev/null
}
trap 'cleanup; rm -rf "$TEST_TMP"' EXIT

# The namespace: loopback, and a bridge the guest's tap joins (created by unikit per run).
ip netns add "$NS" || { fail "net" "cannot create namespace $NS"; exit 0; }
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link add ukbr0 type bridge
ip netns exec "$NS" ip addr add $HOST_IP/24 dev ukbr0
ip netns exec "$NS" ip link set ukbr0 up

in_ns() { ip netns exec "$NS" "$@"; }

# start_guest BACKEND ARGS...: boots the test image on tap0 in the namespace, in the background.
start_guest() {
    local backend=$1
    shift
    in_ns ip tuntap add dev tap0 mode tap 2>/dev/null
    in_ns ip link set tap0 master ukbr0
    in_ns ip link set tap0 up
    # nsenter, not ip netns exec: that remounts /sys and hides the cgroup hierarchies
    nsenter --net=/run/netns/"$NS" timeout 60 "$UNIKIT" run --vmm "$backend" -m 64M --net tap:tap0 --ip $GUEST_IP/24 --gw $HOST_IP \
        "$IMG" "$@" >"$TEST_TMP/guest.log" 2>&1 &
    GUEST_PID=$!
    for _ in $(seq 1 100); do
        grep -q "listening on\|net: en0" "$TEST_TMP/guest.log" 2>/dev/null && break
        sleep 0.1
    done
}

# stop_guest: waits for the guest to exit; sets STATUS; removes the tap.
stop_guest() {
    wait "$GUEST_PID"
    STATUS=$?
    OUTPUT=$(cat "$TEST_TMP/guest.log")
    in_ns ip link del tap0 2>/dev/null
}

for b in $BACKENDS; do
    # TCP echo server in the guest; ping it, talk to it, then tell it to quit.
    start_guest "$b" tcp-echo 7
    if in_ns ping -c 3 -i 0.2 -W 2 $GUEST_IP >/dev/null 2>&1; then
        pass "ping guest [$b]"
    else
        fail "ping guest [$b]" "no reply; $(tail -c 300 "$TEST_TMP/guest.log" | tr '\n' '|')"
    fi
    reply=$(in_ns python3 - "$GUEST_IP" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 7), timeout=5)
data = bytes(range(256)) * 400
s.sendall(data)
got = b""
while len(got) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
print("echo-ok" if got == data else "echo-bad %d" % len(got))
s.close()
q = socket.create_connection((sys.argv[1], 7), timeout=5)
q.sendall(b"quit\n")
q.close()
PY
)
    stop_guest
    if [ "$reply" = echo-ok ] && [ "$STATUS" = 0 ] && grep -q '^SUCCESS' <<<"$OUTPUT"; then
        pass "tcp echo 100 KiB [$b]"
    else
        fail "tcp echo 100 KiB [$b]" "reply '$reply', status $STATUS; $(tail -c 300 <<<"$OUTPUT" | tr '\n' '|')"
    fi

    # UDP echo.
    start_guest "$b" udp-echo 9
    reply=$(in_ns python3 - "$GUEST_IP" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
ok = 0
for i in range(20):
    msg = ("datagram %d " % i).encode() * 50
    s.sendto(msg, (sys.argv[1], 9))
    try:
        data, _ = s.recvfrom(4096)
        ok += data == msg
    except socket.timeout:
        pass
s.sendto(b"quit", (sys.argv[1], 9))
print("udp-ok" if ok == 20 else "udp-bad %d" % ok)
PY
)
    stop_guest
    if [ "$reply" = udp-ok ] && [ "$STATUS" = 0 ]; then
        pass "udp echo [$b]"
    else
        fail "udp echo [$b]" "reply '$reply', status $STATUS; $(tail -c 300 <<<"$OUTPUT" | tr '\n' '|')"
    fi

    # TCP client: the guest connects out to an echo server in the namespace.
    in_ns python3 - <<'PY' &
import socket
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("10.77.0.1", 7007))
srv.listen(1)
srv.settimeout(30)
c, _ = srv.accept()
c.sendall(c.recv(4096))
c.close()
PY
    server=$!
    sleep 0.3
    start_guest "$b" client $HOST_IP 7007
    stop_guest
    wait "$server" 2>/dev/null
    if [ "$STATUS" = 0 ] && grep -q '^SUCCESS' <<<"$OUTPUT"; then
        pass "tcp client [$b]"
    else
        fail "tcp client [$b]" "status $STATUS; $(tail -c 300 <<<"$OUTPUT" | tr '\n' '|')"
    fi
done
