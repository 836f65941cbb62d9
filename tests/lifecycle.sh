#!/bin/bash
# lifecycle.sh: the instance verbs (run -d, ps, logs, stats, inspect, stop, kill, rm) on VMs under both backends, stale state, concurrency.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

IMG=$BUILD/apps/test_limits.elf
export UNIKIT_ROOT=$TEST_TMP/root
U=$UNIKIT

need_root lifecycle || exit 0
need_file lifecycle "$IMG" "build/apps/test_limits.elf is missing (make images)" || exit 0

# jget NAME KEY: a top-level field of `unikit inspect NAME`.
jget() { "$U" inspect "$1" 2>/dev/null | python3 -c "import json,sys; v=json.load(sys.stdin).get('$2'); print('' if v is None else str(v).lower() if isinstance(v,bool) else v)"; }
# ps_state NAME: the STATE column of `unikit ps -a` for NAME.
ps_state() { "$U" ps -a | grep "^$1 " | grep -o 'exited ([^)]*)\|running\|created'; }
# gone PID: the process does not exist (or is a zombie nobody reaped yet).
gone() { [ ! -e "/proc/$1/status" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
# wait_exited NAME: until inspect says exited (up to 10 s).
wait_exited() { for _ in $(seq 100); do [ "$(jget "$1" state)" = exited ] && return 0; sleep 0.1; done; return 1; }
# cgroup_dirs NAME: the instance's cgroup directories that still exist.
cgroup_dirs() { for c in memory cpu cpuacct pids; do d=$(sed -n "s/.*\"cgroup_$c\": \"\(.*\)\".*/\1/p" "$UNIKIT_ROOT/$1/state.json" 2>/dev/null); [ -n "$d" ] && [ -d "$d" ] && echo "$d"; done; }
# leftovers: state directories, cgroup directories named after this suite's instances, processes running the image.
leftovers() {
    ls "$UNIKIT_ROOT" 2>/dev/null | tr '\n' ' '
    find /sys/fs/cgroup -maxdepth 6 -type d -path '*/unikit/lc-*' 2>/dev/null | tr '\n' ' '
    pgrep -f "$IMG" | tr '\n' ' '
}

# Every verb answers --help, and a name that does not exist with one line and status 1.
for verb in ps stop kill rm logs stats inspect; do
    check_run "lifecycle: $verb --help" 0 "^Usage: unikit $verb" -- "$U" "$verb" --help
done
for verb in stop kill rm logs inspect stats; do
    extra=; [ $verb = stats ] && extra=--no-stream
    check_run "lifecycle: $verb of no such instance" 1 "^unikit: $verb: no such instance: lc-nosuch$" -- "$U" $verb $extra lc-nosuch
done
check_run "lifecycle: run --name with a bad name" 125 "--name" -- "$U" run --name '-x' "$IMG"
check_run "lifecycle: run --cpus 0" 125 "--cpus" -- "$U" run --cpus 0 "$IMG"

for vmm in kvm qemu; do
    if [ $vmm = kvm ] && ! need_kvm "lifecycle ($vmm)"; then continue; fi
    V="--vmm $vmm --net none"
    n=lc-$vmm
    # How an instance ends when killed: 137 (128 + 9) under both; after `stop`, QEMU (which has no
    # stop notice and exits 0 on SIGTERM, without a guest status) reads as 255 (exitcode.h).
    killed=137 termed=143
    [ $vmm = qemu ] && termed=255

    # Attached with --name: console on stdout, status passed through, kept as exited.
    check_run "lifecycle ($vmm): attached run" 0 "^sleep: 0" -- "$U" run $V --name "$n-a" "$IMG" sleep 0
    st=$(ps_state "$n-a")
    [ "$st" = "exited (0)" ] && pass "lifecycle ($vmm): attached --name stays as exited" ||
        fail "lifecycle ($vmm): attached --name stays as exited" "ps says '$st'"
    check_run "lifecycle ($vmm): rm of an exited instance" 0 "^$n-a$" -- "$U" rm "$n-a"
    # Attached without --name: removed at its end.
    run_with_timeout 30 "$U" run $V "$IMG" sleep 0
    [ "$STATUS" = 0 ] && [ -z "$(ls "$UNIKIT_ROOT")" ] && pass "lifecycle ($vmm): attached run without --name leaves no state" ||
        fail "lifecycle ($vmm): attached run without --name leaves no state" "status $STATUS, left: $(ls "$UNIKIT_ROOT")"

    # Detached: the name on stdout at once, the instance running after unikit exits.
    run_with_timeout 10 "$U" run -d $V --name "$n-d" "$IMG" sleep 60
    if expect_status 0 && [ "$OUTPUT" = "$n-d" ] && [ "$(jget "$n-d" state)" = running ]; then
        pass "lifecycle ($vmm): run -d prints the name and keeps running"
    else
        fail "lifecycle ($vmm): run -d prints the name and keeps running" "${WHY:-output '$OUTPUT', state $(jget "$n-d" state)}"
    fi
    sleep 0.5
    check_run "lifecycle ($vmm): ps shows it running" 0 "^$n-d +vm +test_limits.elf +running" -- "$U" ps
    check_run "lifecycle ($vmm): ps --format json" 0 "\"name\":\"$n-d\".*\"state\":\"running\"" -- "$U" ps --format json
    check_run "lifecycle ($vmm): logs has the console" 0 "^sleep: 60" -- "$U" logs "$n-d"
    check_run "lifecycle ($vmm): logs --tail 1" 0 "^sleep: 60" -- "$U" logs --tail 1 "$n-d"
    check_run "lifecycle ($vmm): stats --no-stream" 0 "^$n-d +[0-9.]+% +[0-9.]+[KMG]?i?B / " -- "$U" stats --no-stream "$n-d"
    pid=$(jget "$n-d" pid)
    check_run "lifecycle ($vmm): inspect" 0 "\"state\": \"running\"" "\"pid\": [1-9]" "\"cgroup\": \{" "\"started\": \"20" "\"exit_code\": null" -- "$U" inspect "$n-d"
    check_run "lifecycle ($vmm): run over a name in use" 125 "already in use" -- "$U" run -d $V --name "$n-d" "$IMG" sleep 1
    # logs -f follows until the end.
    timeout 20 "$U" logs -f "$n-d" >"$TEST_TMP/follow" 2>&1 &
    follow=$!
    # stop: this guest does not accept stop notices, so SIGTERM ends it: 143 under kvm.
    check_run "lifecycle ($vmm): stop" 0 "^$n-d$" -- "$U" stop -t 5 "$n-d"
    wait $follow
    fst=$?
    [ $fst = 0 ] && grep -q "^sleep: 60" "$TEST_TMP/follow" && pass "lifecycle ($vmm): logs -f ends with the instance" ||
        fail "lifecycle ($vmm): logs -f ends with the instance" "status $fst"
    st=$(ps_state "$n-d")
    want="exited ($termed)"
    [ "$st" = "$want" ] && pass "lifecycle ($vmm): stopped: ps -a says $want" || fail "lifecycle ($vmm): stopped: ps -a says $want" "ps says '$st'"
    gone "$pid" && pass "lifecycle ($vmm): stop leaves no process" || fail "lifecycle ($vmm): stop leaves no process" "pid $pid alive"
    check_run "lifecycle ($vmm): rm" 0 "^$n-d$" -- "$U" rm "$n-d"

    # Graceful stop: the guest gets the notice and exits 0 in its own time (own VMM only).
    if [ $vmm = kvm ]; then
        "$U" run -d $V --name "$n-g" "$IMG" stopwait >/dev/null
        sleep 0.5
        run_with_timeout 20 "$U" stop -t 10 "$n-g"
        if expect_status 0 && [ "$(jget "$n-g" exit_code)" = 0 ] && "$U" logs "$n-g" | grep -q "stop notice received"; then
            pass "lifecycle (kvm): stop is graceful for a guest that accepts the notice"
        else
            fail "lifecycle (kvm): stop is graceful for a guest that accepts the notice" "${WHY:-exit $(jget "$n-g" exit_code)}"
        fi
        "$U" rm -f "$n-g" >/dev/null
        # The kernel and libos turn the notice into SIGTERM: the app's handler runs...
        "$U" run -d $V --name "$n-s" "$IMG" sigterm >/dev/null
        sleep 0.5
        run_with_timeout 20 "$U" stop -t 10 "$n-s"
        if expect_status 0 && [ "$(jget "$n-s" exit_code)" = 0 ] && "$U" logs "$n-s" | grep -q "got SIGTERM"; then
            pass "lifecycle (kvm): stop reaches the app's SIGTERM handler"
        else
            fail "lifecycle (kvm): stop reaches the app's SIGTERM handler" "${WHY:-exit $(jget "$n-s" exit_code)}: $("$U" logs "$n-s" | tail -c 300 | tr '\n' '|')"
        fi
        "$U" rm -f "$n-s" >/dev/null
        # ...and without one the guest ends at once with 143, as a process would.
        "$U" run -d $V --name "$n-t" "$IMG" sleep 60 >/dev/null
        sleep 0.5
        t0=$(date +%s%N)
        run_with_timeout 20 "$U" stop -t 10 "$n-t"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        if expect_status 0 && [ "$(jget "$n-t" exit_code)" = 143 ] && [ $ms -lt 5000 ]; then
            pass "lifecycle (kvm): stop ends a guest without a handler with 143, at once"
        else
            fail "lifecycle (kvm): stop ends a guest without a handler with 143, at once" "${WHY:-exit $(jget "$n-t" exit_code) after $ms ms}"
        fi
        "$U" rm -f "$n-t" >/dev/null
    fi

    # Forced stop: a VMM that cannot react (SIGSTOPped) is killed after -t.
    "$U" run -d $V --name "$n-f" "$IMG" sleep 60 >/dev/null
    sleep 0.3
    check_run "lifecycle ($vmm): kill -s STOP" 0 "^$n-f$" -- "$U" kill -s STOP "$n-f"
    t0=$(date +%s%N)
    run_with_timeout 20 "$U" stop -t 1 "$n-f"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    if expect_status 0 && [ "$(jget "$n-f" exit_code)" = $killed ] && [ $ms -ge 900 ] && [ $ms -lt 5000 ]; then
        pass "lifecycle ($vmm): stop -t 1 kills after the timeout"
    else
        fail "lifecycle ($vmm): stop -t 1 kills after the timeout" "${WHY:-exit $(jget "$n-f" exit_code) after $ms ms}"
    fi
    "$U" rm "$n-f" >/dev/null

    # SIGKILL of the VMM: the supervisor records 137; rm removes the cgroup and the state.
    "$U" run -d $V --name "$n-k" "$IMG" sleep 60 >/dev/null
    sleep 0.3
    kill -KILL "$(jget "$n-k" pid)"
    wait_exited "$n-k"
    st=$(ps_state "$n-k")
    [ "$st" = "exited ($killed)" ] && pass "lifecycle ($vmm): SIGKILL of the VMM: ps says exited" || fail "lifecycle ($vmm): SIGKILL of the VMM: ps says exited" "ps says '$st'"
    "$U" rm "$n-k" >/dev/null
    [ ! -e "$UNIKIT_ROOT/$n-k" ] && pass "lifecycle ($vmm): rm after SIGKILL removes the state" || fail "lifecycle ($vmm): rm after SIGKILL removes the state" "still there"

    # SIGKILL of the supervisor: the VMM dies with it; ps says exited (lost); rm removes its cgroup.
    "$U" run -d $V --name "$n-s" "$IMG" sleep 60 >/dev/null
    sleep 0.3
    vpid=$(jget "$n-s" pid)
    kill -KILL "$(jget "$n-s" supervisor_pid)"
    wait_exited "$n-s"
    st=$(ps_state "$n-s")
    dirs=$(cgroup_dirs "$n-s")
    [ "$st" = "exited (137, lost)" ] && gone "$vpid" && pass "lifecycle ($vmm): SIGKILL of the supervisor: ps says exited, no VMM left" ||
        fail "lifecycle ($vmm): SIGKILL of the supervisor: ps says exited, no VMM left" "ps says '$st'"
    [ -n "$dirs" ] && "$U" rm "$n-s" >/dev/null && [ -z "$(for d in $dirs; do [ -d "$d" ] && echo "$d"; done)" ] &&
        pass "lifecycle ($vmm): rm removes a stale instance's cgroup" || fail "lifecycle ($vmm): rm removes a stale instance's cgroup" "dirs before: '$dirs'"

    # rm -f of a running instance.
    "$U" run -d $V --name "$n-r" "$IMG" sleep 60 >/dev/null
    check_run "lifecycle ($vmm): rm of a running instance is refused" 1 "is running" -- "$U" rm "$n-r"
    check_run "lifecycle ($vmm): rm -f" 0 "^$n-r$" -- "$U" rm -f "$n-r"
    # kill of an exited instance.
    "$U" run $V --name "$n-x" "$IMG" sleep 0 >/dev/null
    check_run "lifecycle ($vmm): kill of an exited instance" 1 "is not running" -- "$U" kill "$n-x"
    "$U" rm "$n-x" >/dev/null
done

# Stale state: a state file whose processes never existed (a crashed host, a killed
# unikit) reads as exited, is removed by rm, and its name can be taken again.
mkdir -p "$UNIKIT_ROOT/lc-stale"
cat >"$UNIKIT_ROOT/lc-stale/state.json" <<JSON
{"name":"lc-stale","runtime":"vm","vmm":"kvm","image":"/nonexistent.elf","status":"running",
 "supervisor_pid":999999999,"supervisor_start":1,"pid":999999998,"pid_start":1,"started_ns":1}
JSON
check_run "lifecycle: stale state shows as exited" 0 "^lc-stale .* exited \(137, lost\)" -- "$U" ps -a
check_run "lifecycle: stale state is not running" 0 "^NAME" -- "$U" ps
[ -z "$("$U" ps | grep lc-stale)" ] && pass "lifecycle: ps without -a hides it" || fail "lifecycle: ps without -a hides it" "listed"
check_run "lifecycle: rm of stale state" 0 "^lc-stale$" -- "$U" rm lc-stale
check_run "lifecycle: the name is free again" 0 "^sleep: 0" -- "$U" run --net none --vmm qemu --name lc-stale "$IMG" sleep 0
"$U" rm lc-stale >/dev/null
# A truncated state file: one message, not a crash.
mkdir -p "$UNIKIT_ROOT/lc-broken" && echo '{"name":' >"$UNIKIT_ROOT/lc-broken/state.json"
check_run "lifecycle: a broken state file is reported" 125 "not a unikit state file" -- "$U" inspect lc-broken
rm -rf "$UNIKIT_ROOT/lc-broken"

# Concurrent ps while instances start: every ps answers valid JSON, every name is unique.
for i in 1 2 3 4 5 6; do "$U" run -d --net none --vmm qemu --name "lc-c$i" "$IMG" sleep 30 >/dev/null 2>&1 & done
bad=0
for _ in $(seq 30); do
    "$U" ps -a --format json | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null || bad=$((bad + 1))
done
wait
count=$("$U" ps --format json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len({i["name"] for i in v if i["name"].startswith("lc-c")}))')
[ $bad = 0 ] && [ "$count" = 6 ] && pass "lifecycle: concurrent ps while starting" || fail "lifecycle: concurrent ps while starting" "$bad bad outputs, $count of 6 running"
# Generated names are unique too.
names=$(for i in 1 2 3 4; do "$U" run -d --net none --vmm qemu "$IMG" sleep 30 & done; wait)
[ "$(echo "$names" | sort -u | grep -c '^uk-')" = 4 ] && pass "lifecycle: generated names are unique" || fail "lifecycle: generated names are unique" "got: $(echo $names)"
check_run "lifecycle: stop several" 0 "^lc-c1$" "^lc-c6$" -- "$U" stop -t 2 lc-c1 lc-c2 lc-c3 lc-c4 lc-c5 lc-c6 $names
"$U" rm lc-c1 lc-c2 lc-c3 lc-c4 lc-c5 lc-c6 $names >/dev/null

# An attached run without --name whose launcher is SIGKILLed: the next ps prunes it.
"$U" run --net none --vmm qemu "$IMG" sleep 60 >/dev/null 2>&1 &
launcher=$!
for _ in $(seq 50); do [ -n "$(ls "$UNIKIT_ROOT")" ] && break; sleep 0.1; done
sleep 0.3
kill -KILL $launcher; wait $launcher 2>/dev/null
sleep 0.3
"$U" ps -a >/dev/null
[ -z "$(ls "$UNIKIT_ROOT")" ] && pass "lifecycle: a lost auto-removed instance is pruned by ps" ||
    fail "lifecycle: a lost auto-removed instance is pruned by ps" "left: $(ls "$UNIKIT_ROOT")"

# Nothing left behind: no state, no cgroup, no process.
sleep 0.2
left=$(leftovers)
[ -z "$(echo $left)" ] && pass "lifecycle: nothing left behind" || fail "lifecycle: nothing left behind" "$left"
