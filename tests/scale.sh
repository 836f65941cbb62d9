#!/bin/bash
# scale.sh: 50 detached httpd VMs on one bridge in a namespace this suite creates: each answers, all removed, nothing left behind.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/netns.sh
. tests/site.sh

COUNT=${UNIKIT_SCALE_COUNT:-50}
IMG=$BUILD/apps/httpd.elf
export UNIKIT_ROOT=$TEST_TMP/root
BR=uks$$
SUBNET=10.67.0

netns_usable scale || exit 0
if [ ! -f "$IMG" ]; then
    fail scale "$IMG missing: run make first"
    exit 0
fi
VMM=qemu
[ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null && VMM=kvm

NS=$(netns_name sc)
ip netns add "$NS" || { fail scale "cannot create namespace $NS"; exit 0; }
NETNS_CREATED+=("$NS")
ip -n "$NS" link set lo up
export UNIKIT_NETNS=$NS UNIKIT_BRIDGE=$BR UNIKIT_SUBNET=$SUBNET.0/24
make_site "$TEST_TMP/site" >/dev/null 2>&1 || { mkdir -p "$TEST_TMP/site"; echo "hello from unikit" >"$TEST_TMP/site/index.html"; }
tar -cf "$TEST_TMP/site.tar" -C "$TEST_TMP/site" .
names=()

# 50 detached VMs, started one after the other as a user would.
t0=$(date +%s%N)
started=0
for i in $(seq 1 "$COUNT"); do
    n=web$i-$$
    if "$UNIKIT" run -d --name "$n" --vmm "$VMM" -m 32M --net bridge --disk "$TEST_TMP/site.tar" \
        "$IMG" -p 80 >"$TEST_TMP/run.$i" 2>&1; then
        started=$((started + 1))
        names+=("$n")
    fi
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ "$started" = "$COUNT" ]; then
    pass "scale: $COUNT detached httpd VMs started ($ms ms)"
else
    fail "scale: $COUNT detached httpd VMs started" "only $started; $(tail -c 300 "$TEST_TMP"/run.* | tr '\n' '|')"
fi

# Each one answers on its leased address.
answered=0
for n in "${names[@]}"; do
    ip=$("$UNIKIT" inspect "$n" 2>/dev/null | sed -n 's/.*"ip": *"\([0-9.]*\).*/\1/p' | head -n 1)
    body=""
    for _ in $(seq 1 30); do
        body=$(ip netns exec "$NS" curl -s -m 2 "http://$ip/index.html" 2>/dev/null) && [ -n "$body" ] && break
        sleep 0.2
    done
    [ -n "$body" ] && answered=$((answered + 1))
done
if [ "$answered" = "$started" ] && [ "$started" -gt 0 ]; then
    pass "scale: every instance answers over HTTP ($answered)"
else
    fail "scale: every instance answers over HTTP" "$answered of $started answered"
fi
running=$("$UNIKIT" ps 2>/dev/null | grep -c " running ")
[ "$running" = "$started" ] && pass "scale: ps lists $running running" || fail "scale: ps lists them running" "$running of $started"

# stats reads the taps' byte counters inside the namespace: after an HTTP answer they are not zero.
row=$("$UNIKIT" stats --no-stream "${names[0]}" 2>&1 | grep "^${names[0]} ")
if [ -n "$row" ] && ! grep -q " 0B / 0B" <<<"$row"; then
    pass "scale: stats shows network bytes"
else
    fail "scale: stats shows network bytes" "'$row'"
fi

# All removed: then nothing of theirs may be left.
"$UNIKIT" rm -f "${names[@]}" >"$TEST_TMP/rm.log" 2>&1
[ $? = 0 ] && pass "scale: rm -f of all of them" || fail "scale: rm -f of all of them" "$(tail -c 300 "$TEST_TMP/rm.log" | tr '\n' '|')"
sleep 0.5
left=$(pgrep -f "$UNIKIT_ROOT|$TEST_TMP/site.tar" | wc -l)
[ "$left" = 0 ] && pass "scale: no process left" || fail "scale: no process left" "$left processes"
taps=$(ip -n "$NS" -br link | grep -vc "^lo\|^$BR")
[ "$taps" = 0 ] && pass "scale: no tap left" || fail "scale: no tap left" "$(ip -n "$NS" -br link | tr '\n' '|')"
leases=$(find "$UNIKIT_ROOT/.net/leases" -type f 2>/dev/null | wc -l)
[ "$leases" = 0 ] && pass "scale: no lease left" || fail "scale: no lease left" "$leases lease files"
cgs=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "web*-$$" 2>/dev/null | wc -l)
[ "$cgs" = 0 ] && pass "scale: no cgroup left" || fail "scale: no cgroup left" "$cgs cgroup directories"
mounts=$(grep -c "$UNIKIT_ROOT" /proc/mounts)
[ "$mounts" = 0 ] && pass "scale: no mount left" || fail "scale: no mount left" "$mounts mounts"
states=$(find "$UNIKIT_ROOT" -mindepth 1 -maxdepth 1 -name "web*" 2>/dev/null | wc -l)
[ "$states" = 0 ] && pass "scale: no state left" || fail "scale: no state left" "$states state folders"
