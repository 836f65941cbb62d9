#!/bin/bash
# bridge.sh: --net bridge in a namespace this suite creates: two VMs and containers on one bridge by leased addresses, -p DNAT, leases freed, nothing left.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/netns.sh

export UNIKIT_ROOT=$TEST_TMP/root
PROBE=$TEST_TMP/probe
IMG=$BUILD/apps/test_net.elf
SUBNET=10.66.0 # UNIKIT_SUBNET below: the bridge is .1, leases from .2
LEASES=$UNIKIT_ROOT/.net/leases/ukbr$$

netns_usable bridge || exit 0
if [ ! -f "$IMG" ]; then
    fail bridge "$IMG missing: run make first"
    exit 0
fi
if ! ${CC:-gcc} -static -O2 -std=c11 -Wall -Wextra -Werror -o "$PROBE" tests/helpers/probe.c 2>"$TEST_TMP/cc.log"; then
    fail bridge "cannot build tests/helpers/probe.c statically: $(tr '\n' '|' <"$TEST_TMP/cc.log")"
    exit 0
fi
VMM=qemu
[ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null && VMM=kvm

# Everything unikit does on the network happens in NS (UNIKIT_NETNS), never in ours.
NS=$(netns_name br)
ip netns add "$NS" || { fail bridge "cannot create namespace $NS"; exit 0; }
NETNS_CREATED+=("$NS")
ip -n "$NS" link set lo up
export UNIKIT_NETNS=$NS UNIKIT_BRIDGE=ukbr$$ UNIKIT_SUBNET=$SUBNET.0/24
in_ns() { ip netns exec "$NS" "$@"; }

# ---- flags ----
check_run "br-publish-needs-bridge" 125 '-p needs --net bridge' -- "$UNIKIT" run --net none -p 8080:80 "$IMG"
check_run "br-publish-bad" 125 'expected HOSTPORT:GUESTPORT' -- "$UNIKIT" run --net bridge -p 80 "$IMG"
check_run "br-ip-leased" 125 'the launcher leases the address' -- "$UNIKIT" run --net bridge --ip 10.0.0.2/24 "$IMG"
check_run "br-netns-missing" 125 'UNIKIT_NETNS=uk-none-at-all: open' -- env UNIKIT_NETNS=uk-none-at-all "$UNIKIT" run --net bridge "$IMG"
check_run "br-subnet-bad" 125 'expected an IPv4 subnet' -- env UNIKIT_SUBNET=10.1.0.0/33 "$UNIKIT" run --net bridge "$IMG"

# start NAME LOGFILE ARGS...: `unikit run --net bridge ARGS` in the background; waits for "listening".
start() {
    local log=$1
    shift
    timeout 60 "$UNIKIT" run --net bridge "$@" >"$log" 2>&1 </dev/null &
    for _ in $(seq 1 100); do
        grep -q "listening on" "$log" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# The address an instance got: its lease, by the order they were taken.
lease_of() { grep -l "^owner $1\$" "$LEASES"/* 2>/dev/null | xargs -r -n 1 basename; }

# ---- two VMs and a container on one bridge ----
start "$TEST_TMP/vm1.log" --name "vm1-$$" --vmm "$VMM" -m 64M -p 8081:7 "$IMG" tcp-echo 7
start "$TEST_TMP/vm2.log" --name "vm2-$$" --vmm "$VMM" -m 64M "$IMG" tcp-echo 7
start "$TEST_TMP/ct1.log" --name "ct1-$$" --runtime container -p 8080:80 "$PROBE" serve 80
start "$TEST_TMP/ct2.log" --name "ct2-$$" --runtime container "$PROBE" echo 7
VM1=$(lease_of "vm1-$$") VM2=$(lease_of "vm2-$$") CT1=$(lease_of "ct1-$$") CT2=$(lease_of "ct2-$$")
addrs=$(printf '%s\n' "$VM1" "$VM2" "$CT1" "$CT2" | grep -c "^$SUBNET\.")
distinct=$(printf '%s\n' "$VM1" "$VM2" "$CT1" "$CT2" | sort -u | grep -c .)
if [ "$addrs" = 4 ] && [ "$distinct" = 4 ]; then
    pass "br-leases-distinct"
else
    fail "br-leases-distinct" "leases vm1=$VM1 vm2=$VM2 ct1=$CT1 ct2=$CT2"
fi
if ip -n "$NS" -o addr show dev "ukbr$$" | grep -q "inet $SUBNET.1/24" && ! ip link show "ukbr$$" >/dev/null 2>&1; then
    pass "br-bridge-in-netns"
else
    fail "br-bridge-in-netns" "ukbr$$ is not in $NS with $SUBNET.1/24, or is in our own namespace"
fi
if grep -q "static $VM1/255.255.255.0 gw $SUBNET.1" "$TEST_TMP/vm1.log"; then
    pass "br-vm-got-lease"
else
    fail "br-vm-got-lease" "vm1's console: $(tr '\n' '|' <"$TEST_TMP/vm1.log")"
fi
check_run "br-ping-vm" 0 -- ip netns exec "$NS" ping -c 2 -i 0.2 -W 2 "$VM2"
check_run "br-container-to-vm1" 0 '^hello-vm1$' -- "$UNIKIT" run --net bridge --runtime container "$PROBE" connect "$VM1" 7 hello-vm1
check_run "br-container-to-vm2" 0 '^hello-vm2$' -- "$UNIKIT" run --net bridge --runtime container "$PROBE" connect "$VM2" 7 hello-vm2
check_run "br-vm-to-vm" 0 '^SUCCESS$' -- "$UNIKIT" run --net bridge --vmm "$VMM" -m 64M "$IMG" client "$VM1" 7
check_run "br-vm-to-container" 0 '^SUCCESS$' -- "$UNIKIT" run --net bridge --vmm "$VMM" -m 64M "$IMG" client "$CT2" 7
check_run "br-container-to-container" 0 "^hello from ct1-$$\$" -- "$UNIKIT" run --net bridge --runtime container "$PROBE" connect "$CT1" 80 GET
check_run "br-ns-to-container" 0 "^hello from ct1-$$\$" -- ip netns exec "$NS" "$PROBE" connect "$CT1" 80 GET

# ---- -p HOSTPORT:GUESTPORT: DNAT from inside the namespace to the bridge's address ----
check_run "br-dnat-container" 0 "^hello from ct1-$$\$" -- ip netns exec "$NS" "$PROBE" connect "$SUBNET.1" 8080 GET
check_run "br-dnat-vm" 0 '^via-dnat$' -- ip netns exec "$NS" "$PROBE" connect "$SUBNET.1" 8081 via-dnat
check_run "br-dnat-port-taken" 125 'nft refused' -- "$UNIKIT" run --net bridge --runtime container -p 8080:80 "$PROBE" exit 0

# ---- ps shows the addresses; stop and rm free everything ----
run_with_timeout 10 "$UNIKIT" ps
if expect_output "^ct1-$$ .* $CT1/24 " "^vm1-$$ .* $VM1/24 "; then
    pass "br-ps-ip"
else
    fail "br-ps-ip" "$WHY"
fi
"$UNIKIT" stop -t 5 "vm1-$$" "vm2-$$" "ct1-$$" "ct2-$$" >/dev/null 2>&1
"$UNIKIT" rm -f "vm1-$$" "vm2-$$" "ct1-$$" "ct2-$$" >/dev/null 2>&1
wait
left=""
[ -z "$(ls -A "$LEASES" 2>/dev/null)" ] || left="$left leases($(ls "$LEASES" | tr '\n' ' '))"
ip -n "$NS" -o link | grep -Eq ' ukt| ukv' && left="$left interfaces($(ip -n "$NS" -o link | grep -Eo ' uk[tv][0-9a-f]+' | tr '\n' ' '))"
in_ns nft list map ip unikit tcp_ports 2>/dev/null | grep -q 'elements' && left="$left nft-elements"
[ -z "$(ip netns pids "$NS")" ] || left="$left processes"
if [ -z "$left" ]; then
    pass "br-nothing-left"
else
    fail "br-nothing-left" "left behind:$left"
fi

# ---- one app both ways: httpd and kvstore as VMs and as containers, the same tar as their files ----
HTTPD_VM=$BUILD/apps/httpd.elf HTTPD_CT=$BUILD/linux/httpd KV_VM=$BUILD/apps/kvstore.elf KV_CT=$BUILD/linux/kvstore
if [ -f "$HTTPD_VM" ] && [ -f "$HTTPD_CT" ] && command -v curl >/dev/null; then
    mkdir -p "$TEST_TMP/site/www"
    printf '<h1>same site</h1>\n' >"$TEST_TMP/site/www/index.html"
    tar -C "$TEST_TMP/site" -cf "$TEST_TMP/site.tar" www
    start "$TEST_TMP/hv.log" --name "hv-$$" --vmm "$VMM" -m 64M --disk "$TEST_TMP/site.tar" "$HTTPD_VM" -r /www
    start "$TEST_TMP/hc.log" --name "hc-$$" --runtime container -p 8090:80 --disk "$TEST_TMP/site.tar" "$HTTPD_CT" -r /www
    HV=$(lease_of "hv-$$") HC=$(lease_of "hc-$$")
    check_run "br-curl-httpd-vm" 0 '^<h1>same site</h1>$' -- ip netns exec "$NS" curl -s -m 5 "http://$HV/index.html"
    check_run "br-curl-httpd-container" 0 '^<h1>same site</h1>$' -- ip netns exec "$NS" curl -s -m 5 "http://$HC/index.html"
    check_run "br-curl-httpd-dnat" 0 '^<h1>same site</h1>$' -- ip netns exec "$NS" curl -s -m 5 "http://$SUBNET.1:8090/index.html"
    check_run "br-container-to-httpd-vm" 0 '^<h1>same site</h1>$' -- "$UNIKIT" run --net bridge --runtime container "$PROBE" connect "$HV" 80 $'GET /index.html HTTP/1.0\r\n\r'
    "$UNIKIT" stop -t 5 "hv-$$" "hc-$$" >/dev/null 2>&1
    "$UNIKIT" rm -f "hv-$$" "hc-$$" >/dev/null 2>&1
else
    skip "br-httpd" "$HTTPD_VM, $HTTPD_CT or curl missing"
fi
if [ -f "$KV_VM" ] && [ -f "$KV_CT" ] && command -v redis-cli >/dev/null; then
    start "$TEST_TMP/kv.log" --name "kv-$$" --vmm "$VMM" -m 64M "$KV_VM" -p 6379
    start "$TEST_TMP/kc.log" --name "kc-$$" --runtime container "$KV_CT" -p 6379
    KV=$(lease_of "kv-$$") KC=$(lease_of "kc-$$")
    check_run "br-redis-vm" 0 '^PONG$' -- ip netns exec "$NS" redis-cli -h "$KV" PING
    check_run "br-redis-container" 0 '^OK$' -- ip netns exec "$NS" redis-cli -h "$KC" SET k from-the-container
    check_run "br-redis-container-get" 0 '^from-the-container$' -- ip netns exec "$NS" redis-cli -h "$KC" GET k
    "$UNIKIT" stop -t 5 "kv-$$" "kc-$$" >/dev/null 2>&1
    "$UNIKIT" rm -f "kv-$$" "kc-$$" >/dev/null 2>&1
else
    skip "br-kvstore" "$KV_VM, $KV_CT or redis-cli missing"
fi

# ---- a supervisor killed with SIGKILL: rm still frees its tap, lease and port ----
start "$TEST_TMP/vm3.log" --name "vm3-$$" --vmm "$VMM" -m 64M -p 8082:7 "$IMG" tcp-echo 7
sup=$(pgrep -f -- "^$UNIKIT run --net bridge --name vm3-$$ " | head -n 1)
[ -n "$sup" ] && kill -KILL "$sup"
wait 2>/dev/null # reap it quietly
sleep 0.3
"$UNIKIT" rm -f "vm3-$$" >/dev/null 2>&1 # kills what is left in its cgroup
if [ -z "$(ls -A "$LEASES" 2>/dev/null)" ] && ! ip -n "$NS" -o link | grep -Eq ' ukt| ukv' &&
    ! in_ns nft list map ip unikit tcp_ports 2>/dev/null | grep -q 'elements'; then
    pass "br-rm-after-sigkill"
else
    fail "br-rm-after-sigkill" "leases: $(ls "$LEASES" 2>/dev/null | tr '\n' ' '); links: $(ip -n "$NS" -o link | grep -Eo ' uk[tv][0-9a-f]+' | tr '\n' ' ')"
fi

# ---- concurrent runs never share an address ----
for i in 1 2 3 4 5 6; do
    timeout 20 "$UNIKIT" run --net bridge --runtime container "$PROBE" cat /etc/hosts >"$TEST_TMP/c$i.log" 2>&1 </dev/null &
done
wait
got=$(cat "$TEST_TMP"/c?.log | grep -Eo "^$SUBNET\.[0-9]+" | sort)
if [ "$(printf '%s\n' "$got" | grep -c .)" = 6 ] && [ "$(printf '%s\n' "$got" | sort -u | grep -c .)" = 6 ] &&
    [ -z "$(ls -A "$LEASES" 2>/dev/null)" ]; then
    pass "br-concurrent-leases"
else
    fail "br-concurrent-leases" "addresses: $(printf '%s' "$got" | tr '\n' ' '); leases left: $(ls "$LEASES" 2>/dev/null | tr '\n' ' ')"
fi
