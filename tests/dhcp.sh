#!/bin/bash
# dhcp.sh: `unikit run --ip dhcp`: a guest takes its address from a DHCP server (dnsmasq) in a namespace made here.
#
# Per backend in ${UNIKIT_TEST_BACKENDS:-qemu kvm}: dnsmasq (DHCP only, no DNS, no
# resolv.conf, bound to the namespace's bridge) leases from a small range; the
# tcp-echo guest (build/apps/test_net.elf) boots with --ip dhcp, prints
# "net: en0 dhcp A.B.C.D/MASK gw G ...", and the test pings it and echoes
# through it at that address, which must be the lease dnsmasq recorded.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/netns.sh

IMG=$BUILD/apps/test_net.elf
BACKENDS=${UNIKIT_TEST_BACKENDS:-qemu kvm}
HOST_IP=10.79.0.1
RANGE_LO=10.79.0.100
RANGE_HI=10.79.0.120
TAP=tap0
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)

netns_usable dhcp || exit 0
if [ ! -x "$DNSMASQ" ]; then
    skip dhcp "dnsmasq is not installed (dnsmasq-base, see tests/packages.txt)"
    exit 0
fi
need_file dhcp "$IMG" "$IMG is not built (make)" || exit 0
NS=$(netns_name dhcp)
if ! { netns_create "$NS" "$HOST_IP/24" && netns_add_tap "$NS" "$TAP"; }; then
    fail dhcp-netns "could not make the network namespace $NS"
    exit 0
fi
in_ns() { ip netns exec "$NS" "$@"; }

# The DHCP server, for the whole suite: leases in TEST_TMP, no DNS (port 0), no config files read.
in_ns "$DNSMASQ" --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --port=0 \
    --interface="$NETNS_BRIDGE" --bind-interfaces --except-interface=lo \
    --dhcp-range="$RANGE_LO,$RANGE_HI,255.255.255.0,10m" --dhcp-option=option:router,"$HOST_IP" \
    --dhcp-leasefile="$TEST_TMP/leases" --pid-file="$TEST_TMP/dnsmasq.pid" --log-dhcp \
    >"$TEST_TMP/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!
for _ in $(seq 50); do
    grep -q 'DHCP, sockets bound' "$TEST_TMP/dnsmasq.log" 2>/dev/null && break
    kill -0 "$DNSMASQ_PID" 2>/dev/null || break
    sleep 0.1
done
if ! kill -0 "$DNSMASQ_PID" 2>/dev/null; then
    fail dhcp-server "dnsmasq did not start: $(tail -c 300 "$TEST_TMP/dnsmasq.log" | tr '\n' '|')"
    exit 0
fi

[ -c /dev/kvm ] || BACKENDS=$(sed 's/\bkvm\b//' <<<"$BACKENDS")
for b in $BACKENDS; do
    name="dhcp [$b]"
    log=$TEST_TMP/guest-$b.log
    # A MAC of its own per backend, so that each run is a new client with a lease of its own.
    case $b in qemu) mac=52:54:00:79:00:01 ;; *) mac=52:54:00:79:00:02 ;; esac
    nsenter --net=/run/netns/"$NS" "$UNIKIT" run --vmm "$b" -m 64M --net "tap:$TAP" --mac "$mac" --ip dhcp \
        "$IMG" tcp-echo 7 >"$log" 2>&1 </dev/null &
    pid=$!
    addr=
    for _ in $(seq 200); do # DHCP under lwIP: discover, offer, request, ack; a few seconds at most
        addr=$(sed -n 's|^net: en0 dhcp \([0-9.]*\)/.*|\1|p' "$log" | head -n 1)
        [ -n "$addr" ] && grep -q 'listening on' "$log" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$addr" ]; then
        fail "$name" "no 'net: en0 dhcp' line: guest: $(tail -c 300 "$log" | tr '\n' '|'); dnsmasq: $(tail -c 300 "$TEST_TMP/dnsmasq.log" | tr '\n' '|')"
    else
        lease=$(awk -v m="$mac" '$2 == m { print $3 }' "$TEST_TMP/leases" 2>/dev/null)
        reply=$(in_ns python3 - "$addr" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 7), timeout=5)
data = bytes(range(256)) * 64
s.sendall(data)
got = b""
while len(got) < len(data):
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
s.close()
print("echo-ok" if got == data else "echo-bad %d" % len(got))
PY
        )
        if [ "$lease" != "$addr" ]; then
            fail "$name" "the guest says $addr, dnsmasq leased '${lease}' to $mac"
        elif ! grep -q "^net: en0 dhcp $addr/255.255.255.0 gw $HOST_IP " "$log"; then
            fail "$name" "mask or gateway: $(grep '^net: en0' "$log")"
        elif ! in_ns ping -c 2 -i 0.2 -W 2 "$addr" >/dev/null 2>&1; then
            fail "$name" "no ping reply from $addr"
        elif [ "$reply" != echo-ok ]; then
            fail "$name" "tcp echo at $addr: '$reply'"
        else
            pass "$name"
            echo "dhcp [$b]: $(grep '^net: en0' "$log")"
        fi
        in_ns python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], 7), timeout=5).sendall(b"quit\n")' \
            "$addr" 2>/dev/null
    fi
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- $(pgrep -P "$pid") "$pid" 2>/dev/null
    wait "$pid"
    status=$?
    [ -z "$addr" ] || [ "$status" = 0 ] || fail "$name-exit" "the guest ended with status $status: $(tail -c 200 "$log" | tr '\n' '|')"
done
kill "$DNSMASQ_PID" 2>/dev/null
wait "$DNSMASQ_PID" 2>/dev/null
exit 0
