#!/bin/bash
# cgroups.sh: an instance's cgroup (v1, hybrid or v2): limits written, the VMM inside, OOM kill recorded, CPU quota held, pids, nothing left.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

IMG=$BUILD/apps/test_limits.elf
export UNIKIT_ROOT=$TEST_TMP/root
U=$UNIKIT

need_root cgroups || exit 0
need_file cgroups "$IMG" "build/apps/test_limits.elf is missing (make images)" || exit 0

jget() { "$U" inspect "$1" 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); v=d$2; print('' if v is None else str(v).lower() if isinstance(v,bool) else v)"; }
# cgdir NAME CONTROLLER: the instance's directory for CONTROLLER (memory cpu cpuacct pids; one directory on v2).
cgdir() {
    if [ "$(jget "$1" "['cgroup']['version']")" = 2 ]; then jget "$1" "['cgroup']['path']"
    elif [ "$2" = memory ]; then jget "$1" "['cgroup']['path']"
    else jget "$1" "['cgroup']['$2']"; fi
}
v2() { [ "$(jget "$1" "['cgroup']['version']")" = 2 ]; }
wait_exited() { for _ in $(seq 200); do [ "$(jget "$1" "['state']")" = exited ] && return 0; sleep 0.1; done; return 1; }

BACKENDS=qemu
[ -e /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null && BACKENDS="kvm qemu"

for vmm in $BACKENDS; do
    V="--vmm $vmm --net none"
    n=cg-$vmm
    overhead=$((32 << 20)); [ $vmm = qemu ] && overhead=$((256 << 20))

    # Limits as written, and the VMM (or QEMU) inside before the guest runs.
    "$U" run -d $V --name "$n-l" -m 64M --cpus 0.5 --pids 16 "$IMG" sleep 60 >/dev/null
    sleep 0.3
    pid=$(jget "$n-l" "['pid']") mem=$(cgdir "$n-l" memory) cpu=$(cgdir "$n-l" cpu) pids=$(cgdir "$n-l" pids)
    if v2 "$n-l"; then
        got="$(cat "$mem/memory.max") $(cat "$cpu/cpu.max") $(cat "$pids/pids.max")"
        want="$(((64 << 20) + overhead)) 50000 100000 16"
    else
        got="$(cat "$mem/memory.limit_in_bytes") $(cat "$cpu/cpu.cfs_quota_us") $(cat "$cpu/cpu.cfs_period_us") $(cat "$pids/pids.max")"
        want="$(((64 << 20) + overhead)) 50000 100000 16"
    fi
    [ "$got" = "$want" ] && pass "cgroups ($vmm): limits written (v$(jget "$n-l" "['cgroup']['version']"))" ||
        fail "cgroups ($vmm): limits written" "got '$got', want '$want'"
    grep -qx "$pid" "$mem/cgroup.procs" && grep -qx "$pid" "$cpu/cgroup.procs" &&
        ! grep -qx "$(jget "$n-l" "['supervisor_pid']")" "$mem/cgroup.procs" &&
        pass "cgroups ($vmm): the VMM is in the cgroup, the supervisor is not" ||
        fail "cgroups ($vmm): the VMM is in the cgroup, the supervisor is not" "pid $pid; procs: $(tr '\n' ' ' <"$mem/cgroup.procs")"
    "$U" rm -f "$n-l" >/dev/null
    [ ! -d "$mem" ] && [ ! -d "$cpu" ] && [ ! -d "$pids" ] && pass "cgroups ($vmm): rm -f removes the cgroup" ||
        fail "cgroups ($vmm): rm -f removes the cgroup" "left: $mem $cpu $pids"

    # OOM: the guest touches 200 MiB of its 256 MiB while the cgroup allows the VMM less:
    # the host's OOM killer ends the VMM, and the instance says so.
    limit=128M; [ $vmm = qemu ] && limit=160M
    run_with_timeout 60 "$U" run $V --name "$n-oom" -m 256M --memory-limit $limit "$IMG" memhog 200
    if expect_output "OOM killer" && [ "$(jget "$n-oom" "['oom_killed']")" = true ] &&
        "$U" ps -a | grep -q "^$n-oom .*OOM-killed"; then
        pass "cgroups ($vmm): past --memory-limit the VMM is OOM-killed, ps/inspect say so"
    else
        fail "cgroups ($vmm): past --memory-limit the VMM is OOM-killed, ps/inspect say so" "${WHY:-status $STATUS, oom_killed $(jget "$n-oom" "['oom_killed']")}"
    fi
    "$U" rm "$n-oom" >/dev/null

    # The default limit (-m plus the VMM's overhead) is enough for a guest that uses all
    # of its RAM: its own malloc fails inside (status 3), nobody is OOM-killed.
    run_with_timeout 60 "$U" run $V --name "$n-full" -m 64M "$IMG" memhog 200
    if expect_status 3 && expect_output "malloc failed" && [ "$(jget "$n-full" "['oom_killed']")" = false ]; then
        pass "cgroups ($vmm): a guest out of its own RAM fails inside, not OOM-killed"
    else
        fail "cgroups ($vmm): a guest out of its own RAM fails inside, not OOM-killed" "${WHY:-oom_killed $(jget "$n-full" "['oom_killed']")}"
    fi
    "$U" rm "$n-full" >/dev/null

    # --cpus 0.5 holds a busy loop near half a CPU, measured from the cgroup over 3 s.
    "$U" run -d $V --name "$n-cpu" --cpus 0.5 "$IMG" spin 0 >/dev/null
    sleep 0.5
    acct=$(cgdir "$n-cpu" cpuacct)
    read_ns() { if v2 "$n-cpu"; then echo $(($(awk '$1 == "usage_usec" { print $2 }' "$acct/cpu.stat") * 1000)); else cat "$acct/cpuacct.usage"; fi; }
    a=$(read_ns) t0=$(date +%s%N)
    sleep 3
    b=$(read_ns) t1=$(date +%s%N)
    pct=$(( (b - a) * 100 / (t1 - t0) ))
    [ $pct -ge 30 ] && [ $pct -le 70 ] && pass "cgroups ($vmm): --cpus 0.5 holds a busy loop at $pct% (30..70)" ||
        fail "cgroups ($vmm): --cpus 0.5 holds a busy loop near 50%" "measured $pct%"
    "$U" rm -f "$n-cpu" >/dev/null
done

# pids: a fork bomb in a container stops at --pids (the VM has one process: only the limit is checked above).
HELPER=$TEST_TMP/init
if ! gcc -static -O2 -o "$HELPER" tests/helpers/init.c 2>/dev/null; then
    skip "cgroups: container fork bomb stops at --pids" "cannot build tests/helpers/init.c statically"
else
    run_with_timeout 30 "$U" run --runtime container --net none --name cg-fork --pids 20 "$HELPER" forkbomb 100
    if printf '%s' "$OUTPUT" | grep -q "not built in\|runtime container"; then
        skip "cgroups: container fork bomb stops at --pids" "the container runtime is not built in"
    else
        got=$(printf '%s\n' "$OUTPUT" | sed -n 's/^forkbomb: \([0-9]*\) of 100.*/\1/p')
        [ -n "$got" ] && [ "$got" -lt 20 ] && pass "cgroups: container fork bomb stops at --pids ($got of 100)" ||
            fail "cgroups: container fork bomb stops at --pids" "status $STATUS: $(output_summary)"
    fi
    "$U" rm -f cg-fork >/dev/null 2>&1
fi

# Nothing left behind: no state, no cgroup directories, no processes.
left="$(ls "$UNIKIT_ROOT" 2>/dev/null) $(find /sys/fs/cgroup -maxdepth 6 -type d -path '*/unikit/cg-*' 2>/dev/null) $(pgrep -f "$IMG")"
[ -z "$(echo $left)" ] && pass "cgroups: nothing left behind" || fail "cgroups: nothing left behind" "$(echo $left)"
