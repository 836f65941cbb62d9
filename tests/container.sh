#!/bin/bash
# container.sh: `unikit run --runtime container`: namespaces, id map, rootfs, capabilities, seccomp, overlay sharing, signals, cleanup.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

export UNIKIT_ROOT=$TEST_TMP/root
export UNIKIT_NET=none # this suite does no networking (tests/bridge.sh does, in a namespace)
PROBE=$TEST_TMP/probe
RUNC=("$UNIKIT" run --runtime container)

if ! need_root container; then
    exit 0
fi
if [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" = 0 ]; then
    skip container "user namespaces are disabled (/proc/sys/user/max_user_namespaces is 0)"
    exit 0
fi
if ! ${CC:-gcc} -static -O2 -std=c11 -Wall -Wextra -Werror -o "$PROBE" tests/helpers/probe.c 2>"$TEST_TMP/cc.log"; then
    fail container "cannot build tests/helpers/probe.c statically: $(tr '\n' '|' <"$TEST_TMP/cc.log")"
    exit 0
fi

# ---- exit status, pid namespace, host name, id map, /proc ----
check_run "ct-exit-0" 0 -- "${RUNC[@]}" "$PROBE" exit 0
check_run "ct-exit-7" 7 -- "${RUNC[@]}" "$PROBE" exit 7
check_run "ct-exit-200" 200 -- "${RUNC[@]}" "$PROBE" exit 200
check_run "ct-args" 1 '^ls /no such: No such file' -- "${RUNC[@]}" "$PROBE" ls '/no such'
check_run "ct-pid-ns" 0 '^pid=2 ppid=1 ' -- "${RUNC[@]}" "$PROBE" show
check_run "ct-hostname" 0 "hostname=ctname$$\$" -- "${RUNC[@]}" --name "ctname$$" "$PROBE" show
"$UNIKIT" rm "ctname$$" >/dev/null 2>&1
check_run "ct-root-inside" 0 '^pid=2 ppid=1 uid=0 gid=0 ' -- "${RUNC[@]}" "$PROBE" show
check_run "ct-uid-map" 0 '^uid_map: +0 +100000 +65536$' -- "${RUNC[@]}" "$PROBE" show
# (NUL-separated: read from the file, not through a shell variable)
timeout 20 "${RUNC[@]}" -e GREETING=hello-env "$PROBE" cat /proc/self/environ >"$TEST_TMP/output" 2>&1 </dev/null
STATUS=$?
if expect_status 0 && tr '\0' '\n' <"$TEST_TMP/output" | grep -qx 'GREETING=hello-env'; then
    pass "ct-env"
else
    fail "ct-env" "no GREETING=hello-env in the app's environment: $(tr '\0' ' ' <"$TEST_TMP/output")"
fi

# /proc is the container's own: only its init (1) and the app (2) are there.
run_with_timeout 20 "${RUNC[@]}" "$PROBE" ls /proc
pids=$(printf '%s\n' "$OUTPUT" | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ')
if expect_status 0 && [ "$pids" = "1 2 " ]; then
    pass "ct-proc-own"
else
    fail "ct-proc-own" "processes in /proc: '$pids' (want '1 2 '); $(output_summary)"
fi

# Only its root file system: the base folders, nothing of the host's.
run_with_timeout 20 "${RUNC[@]}" "$PROBE" ls /
top=$(printf '%s\n' "$OUTPUT" | sort | tr '\n' ' ')
if expect_status 0 && [ "$top" = "bin dev etc proc tmp " ]; then
    pass "ct-rootfs-only"
else
    fail "ct-rootfs-only" "/ holds '$top'; $(output_summary)"
fi
check_run "ct-no-host-files" 1 "^cat $PWD/tests/lib.sh: No such file" -- "${RUNC[@]}" "$PROBE" cat "$PWD/tests/lib.sh"
run_with_timeout 20 "${RUNC[@]}" "$PROBE" ls /dev
devs=$(printf '%s\n' "$OUTPUT" | sort | tr '\n' ' ')
if expect_status 0 && [ "$devs" = "fd full null random shm stderr stdin stdout tty urandom zero " ]; then
    pass "ct-dev-minimal"
else
    fail "ct-dev-minimal" "/dev holds '$devs'"
fi
check_run "ct-etc-hosts" 0 "^127.0.0.1.localhost" -- "${RUNC[@]}" "$PROBE" cat /etc/hosts

# ---- privileges: no capabilities, no_new_privs, seccomp; a call outside the allowlist fails ----
check_run "ct-caps-dropped" 0 '^CapEff:.0000000000000000$' '^CapPrm:.0000000000000000$' \
    '^CapBnd:.0000000000000000$' -- "${RUNC[@]}" "$PROBE" show
check_run "ct-no-new-privs" 0 '^NoNewPrivs:.1$' -- "${RUNC[@]}" "$PROBE" show
check_run "ct-seccomp-mode" 0 '^Seccomp:.2$' -- "${RUNC[@]}" "$PROBE" show
check_run "ct-seccomp-denies" 0 '^personality=-1 errno=EPERM$' '^unshare=-1 errno=EPERM$' \
    '^getpid=0$' -- "${RUNC[@]}" "$PROBE" syscalls

# ---- the tar disk becomes the root's content; the lower is shared, the upper per instance ----
mkdir -p "$TEST_TMP/site/www"
printf '<h1>from the tar</h1>\n' >"$TEST_TMP/site/www/index.html"
tar -C "$TEST_TMP/site" -cf "$TEST_TMP/site.tar" www
check_run "ct-disk-tar" 0 '^<h1>from the tar</h1>$' -- "${RUNC[@]}" --disk "$TEST_TMP/site.tar" "$PROBE" cat /www/index.html
check_run "ct-write-upper" 0 -- "${RUNC[@]}" --disk "$TEST_TMP/site.tar" "$PROBE" write /www/index.html changed
check_run "ct-lower-untouched" 0 '^<h1>from the tar</h1>$' -- "${RUNC[@]}" --disk "$TEST_TMP/site.tar" "$PROBE" cat /www/index.html
check_run "ct-disk-not-tar" 125 'only a tar archive' -- "${RUNC[@]}" --disk "$PROBE" "$PROBE" exit 0

# Two at once: one lower between them, an upper each; a write in one is not seen by the other.
"$UNIKIT" run -d --runtime container --name "ova$$" --disk "$TEST_TMP/site.tar" "$PROBE" wait-term >/dev/null 2>&1
"$UNIKIT" run -d --runtime container --name "ovb$$" --disk "$TEST_TMP/site.tar" "$PROBE" wait-term >/dev/null 2>&1
lowers=$(find "$UNIKIT_ROOT/.cache/rootfs" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)
before=$lowers
uppers=$(ls -d "$UNIKIT_ROOT/.containers/ova$$/upper" "$UNIKIT_ROOT/.containers/ovb$$/upper" 2>/dev/null | wc -l)
# The disk's lower exists once, beside the one of the runs without a disk.
if [ "$uppers" = 2 ] && [ "$lowers" = 2 ]; then
    pass "ct-overlay-shared-lower"
else
    fail "ct-overlay-shared-lower" "$lowers lowers (want 2: with and without the tar), $uppers uppers (want 2)"
fi
"$UNIKIT" stop -t 5 "ova$$" "ovb$$" >/dev/null 2>&1
"$UNIKIT" rm -f "ova$$" "ovb$$" >/dev/null 2>&1
if [ ! -e "$UNIKIT_ROOT/.containers/ova$$" ] && [ ! -e "$UNIKIT_ROOT/.containers/ovb$$" ] &&
    [ "$(find "$UNIKIT_ROOT/.cache/rootfs" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l)" = "$before" ]; then
    pass "ct-rm-upper-gone"
else
    fail "ct-rm-upper-gone" "an upper is left in $UNIKIT_ROOT/.containers, or a lower went"
fi

# ---- signals: SIGTERM to unikit reaches the app, whose status comes back ----
"${RUNC[@]}" "$PROBE" wait-term >"$TEST_TMP/term.log" 2>&1 &
run_pid=$!
for _ in $(seq 1 50); do grep -q ready "$TEST_TMP/term.log" && break; sleep 0.1; done
# unikit -> the container's init -> the app
init_pid=$(pgrep -P "$run_pid" | head -n 1)
app_pid=$(pgrep -P "${init_pid:-0}" | head -n 1)
host_uid=$(awk '/^Uid:/{print $2}' "/proc/${app_pid:-0}/status" 2>/dev/null)
kill -TERM "$run_pid"
wait "$run_pid"
STATUS=$?
OUTPUT=$(cat "$TEST_TMP/term.log")
if expect_status 42 && expect_output '^got SIGTERM$'; then
    pass "ct-sigterm-forwarded"
else
    fail "ct-sigterm-forwarded" "$WHY"
fi
if [ "$host_uid" = 100000 ]; then
    pass "ct-uid-outside"
else
    fail "ct-uid-outside" "the app's uid seen from the host is '$host_uid', expected 100000"
fi

# ---- the lifecycle verbs on a detached container ----
# jget NAME KEY: one field of `unikit inspect NAME`.
jget() { "$UNIKIT" inspect "$1" 2>/dev/null | python3 -c "import json,sys; v=json.load(sys.stdin).get('$2'); print('' if v is None else str(v).lower() if isinstance(v,bool) else v)"; }
# wait_log NAME TEXT: until the instance's log says TEXT (up to 5 s).
wait_log() { for _ in $(seq 1 50); do "$UNIKIT" logs "$1" 2>/dev/null | grep -q "$2" && return 0; sleep 0.1; done; return 1; }
n=ctl$$
check_run "ct-detach-prints-name" 0 "^$n-a\$" -- "$UNIKIT" run -d --runtime container --name "$n-a" "$PROBE" wait-term
wait_log "$n-a" ready
run_with_timeout 10 "$UNIKIT" ps
if expect_output "^$n-a +container +probe +running "; then pass "ct-ps-running"; else fail "ct-ps-running" "$WHY"; fi
check_run "ct-logs" 0 '^ready$' -- "$UNIKIT" logs "$n-a"
run_with_timeout 20 "$UNIKIT" stop -t 10 "$n-a"
if expect_status 0 && [ "$(jget "$n-a" exit_code)" = 42 ] && "$UNIKIT" logs "$n-a" | grep -q 'got SIGTERM'; then
    pass "ct-stop-graceful"
else
    fail "ct-stop-graceful" "${WHY:-exit code $(jget "$n-a" exit_code)}"
fi
"$UNIKIT" run -d --runtime container --name "$n-b" "$PROBE" ignore-term >/dev/null 2>&1
wait_log "$n-b" ready
run_with_timeout 20 "$UNIKIT" stop -t 1 "$n-b"
if expect_status 0 && [ "$(jget "$n-b" exit_code)" = 137 ]; then
    pass "ct-stop-forced"
else
    fail "ct-stop-forced" "${WHY:-exit code $(jget "$n-b" exit_code), expected 137}"
fi
"$UNIKIT" run -d --runtime container --name "$n-c" "$PROBE" wait-term >/dev/null 2>&1
wait_log "$n-c" ready
init_pid=$(jget "$n-c" pid)
[ -n "$init_pid" ] && [ "$init_pid" != 0 ] && kill -KILL "$init_pid"
for _ in $(seq 1 50); do [ "$(jget "$n-c" state)" = exited ] && break; sleep 0.1; done
if [ "$(jget "$n-c" state)" = exited ] && [ "$(jget "$n-c" exit_code)" = 137 ]; then
    pass "ct-init-sigkill-exited"
else
    fail "ct-init-sigkill-exited" "init $init_pid: state $(jget "$n-c" state), exit $(jget "$n-c" exit_code)"
fi
if [ -x "$TEST_TMP/init" ] || ${CC:-gcc} -static -O2 -o "$TEST_TMP/init" tests/helpers/init.c 2>/dev/null; then
    run_with_timeout 30 "$UNIKIT" run --runtime container --name "$n-m" --memory-limit 16M "$TEST_TMP/init" memhog 64
    if [ "$STATUS" = 137 ] && [ "$(jget "$n-m" oom_killed)" = true ]; then
        pass "ct-memory-limit-oom"
    else
        fail "ct-memory-limit-oom" "status $STATUS, oom_killed '$(jget "$n-m" oom_killed)': $(output_summary)"
    fi
fi
"$UNIKIT" rm -f "$n-a" "$n-b" "$n-c" "$n-m" >/dev/null 2>&1
run_with_timeout 10 "$UNIKIT" ps -a
if expect_no_output "^$n-"; then pass "ct-rm"; else fail "ct-rm" "$WHY"; fi

# ---- refused images ----
check_run "ct-dynamic-refused" 125 'dynamically linked' -- "${RUNC[@]}" /bin/true
if [ -f "$BUILD/apps/hello.elf" ]; then
    check_run "ct-pvh-refused" 125 'a unikit image' -- "${RUNC[@]}" "$BUILD/apps/hello.elf"
fi
check_run "ct-missing-refused" 125 'cannot open the container' -- "${RUNC[@]}" "$TEST_TMP/nothing"
check_run "ct-tap-refused" 125 'tap:NAME is for a VM' -- "${RUNC[@]}" --net tap:t0 "$PROBE" exit 0

# ---- nothing left behind: mounts, instance folders, processes ----
left=""
grep -q "$UNIKIT_ROOT" /proc/self/mountinfo && left="$left mounts"
[ -z "$(ls -A "$UNIKIT_ROOT/.containers" 2>/dev/null)" ] || left="$left instance-folders"
pgrep -f "$PROBE" >/dev/null && left="$left processes"
[ -z "$(ls -A "$UNIKIT_ROOT/.net/leases" 2>/dev/null)" ] || left="$left leases"
if [ -z "$left" ]; then
    pass "ct-nothing-left"
else
    fail "ct-nothing-left" "left behind:$left"
fi
