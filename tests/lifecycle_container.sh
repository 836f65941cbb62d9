#!/bin/bash
# lifecycle_container.sh: every instance verb on the namespace container runtime, attached and detached, and what rm leaves (nothing).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

export UNIKIT_ROOT=$TEST_TMP/root
U=$UNIKIT
HELPER=$TEST_TMP/init
need_root lifecycle-container || exit 0
if ! gcc -static -O2 -o "$HELPER" tests/helpers/init.c 2>"$TEST_TMP/cc.log"; then
    fail "lifecycle (container)" "cannot build tests/helpers/init.c statically: $(tr '\n' '|' <"$TEST_TMP/cc.log")"
    exit 0
fi
C="--runtime container --net none"
n=lcc-$$

jget() { "$U" inspect "$1" 2>/dev/null | python3 -c "import json,sys; v=json.load(sys.stdin).get('$2'); print('' if v is None else v)"; }
wait_state() { for _ in $(seq 100); do [ "$(jget "$1" state)" = "$2" ] && return 0; sleep 0.1; done; return 1; }

# Attached: output on the terminal, the status passed through.
check_run "lifecycle (container): attached run, status passed through" 7 "^exit: 7$" -- "$U" run $C "$HELPER" exit 7

# Detached: name at once, running, every verb.
run_with_timeout 20 "$U" run -d $C --name "$n-d" "$HELPER" sleep 60
expect_status 0 && [ "$OUTPUT" = "$n-d" ] && pass "lifecycle (container): run -d prints the name" ||
    fail "lifecycle (container): run -d prints the name" "${WHY:-output '$OUTPUT'}"
wait_state "$n-d" running
check_run "lifecycle (container): ps" 0 "^$n-d +container +init +running" -- "$U" ps
check_run "lifecycle (container): logs" 0 "^sleep: 60$" -- "$U" logs "$n-d"
check_run "lifecycle (container): stats --no-stream" 0 "^$n-d +[0-9.]+% " -- "$U" stats --no-stream "$n-d"
check_run "lifecycle (container): inspect" 0 '"runtime": "container"' '"state": "running"' '"pid": [1-9]' -- "$U" inspect "$n-d"
check_run "lifecycle (container): kill -s TERM" 0 "^$n-d$" -- "$U" kill -s TERM "$n-d"
wait_state "$n-d" exited && [ "$(jget "$n-d" exit_code)" = 143 ] &&
    pass "lifecycle (container): killed by SIGTERM shows as exited 143" ||
    fail "lifecycle (container): killed by SIGTERM shows as exited 143" "state $(jget "$n-d" state), exit $(jget "$n-d" exit_code)"
check_run "lifecycle (container): rm" 0 "^$n-d$" -- "$U" rm "$n-d"

# stop: SIGTERM reaches the app through the container's init.
"$U" run -d $C --name "$n-s" "$HELPER" sleep 60 >/dev/null
wait_state "$n-s" running
check_run "lifecycle (container): stop" 0 "^$n-s$" -- "$U" stop -t 5 "$n-s"
[ "$(jget "$n-s" exit_code)" = 143 ] && pass "lifecycle (container): stop ends it with 143" ||
    fail "lifecycle (container): stop ends it with 143" "exit $(jget "$n-s" exit_code)"
"$U" rm "$n-s" >/dev/null

# SIGKILL of the container's init: ps shows it exited, rm cleans up everything.
"$U" run -d $C --name "$n-k" "$HELPER" sleep 60 >/dev/null
wait_state "$n-k" running
pid=$(jget "$n-k" pid)
kill -9 "$pid" 2>/dev/null
wait_state "$n-k" exited && pass "lifecycle (container): SIGKILL of the init shows as exited" ||
    fail "lifecycle (container): SIGKILL of the init shows as exited" "state $(jget "$n-k" state)"
check_run "lifecycle (container): rm after SIGKILL" 0 "^$n-k$" -- "$U" rm "$n-k"
sleep 0.3
left_state=$(ls "$UNIKIT_ROOT" 2>/dev/null | grep -c "^$n")
left_cg=$(find /sys/fs/cgroup -maxdepth 6 -type d -path "*/unikit/$n-*" 2>/dev/null | wc -l)
left_mounts=$(grep -c "$UNIKIT_ROOT" /proc/mounts)
left_procs=$(pgrep -f "$HELPER" | wc -l)
if [ "$left_state$left_cg$left_mounts$left_procs" = 0000 ]; then
    pass "lifecycle (container): nothing left (state, cgroups, mounts, processes)"
else
    fail "lifecycle (container): nothing left" "state $left_state, cgroups $left_cg, mounts $left_mounts, processes $left_procs"
fi
