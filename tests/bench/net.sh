#!/bin/bash
# net.sh: `make bench-net`: httpd and kvstore throughput as unikernels (unikit's VMM, QEMU) against their Linux
# builds (and Debian's redis-server) in a network namespace, same machine, same run; figures, not pass/fail.
#
#   wrk -t 2 -c 32 -d DURATION (keep-alive) for a 1 KiB file from httpd
#   redis-benchmark -c 30 -P 16 -t set,get -n N against kvstore (no log) and redis-server (no persistence)
# Everything runs in namespaces made here: the clients in one with a bridge; the VM on a tap on that bridge;
# the Linux servers in a second namespace joined to the bridge by a veth. For each run: requests/s, the ratio
# to the Linux build, exits per request (own VMM: its --stats exit count over the requests of the run, boot
# included), and CPU per request of the server side during the load (the VMM process: guest / VMM user /
# host kernel, from /proc/PID/stat utime, stime and guest_time; QEMU: user and kernel; Linux: the server).
# With perf and its software events: perf stat and a perf record profile of the VMM under the wrk load.
#
#   QUICK=1      5 s wrk runs, smaller redis-benchmark counts
#   ROUNDS=N     N rounds (default 3; QUICK: 1), interleaved (kvm, qemu, linux, ... again): median and range
#   PERF=0       no perf
# Writes the table to stdout and to $BUILD/bench-net.md.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
. tests/netns.sh

QUICK=${QUICK:-0}
PERF=${PERF:-1}
if [ "$QUICK" = 1 ]; then
    DURATION=5 KV_N=200000 ROUNDS=${ROUNDS:-1}
else
    DURATION=10 KV_N=1000000 ROUNDS=${ROUNDS:-3}
fi
HOST_IP=10.81.0.1
GUEST_IP=10.81.0.2
LINUX_IP=10.81.0.3
TAP=tap0
OUT_MD=$BUILD/bench-net.md
HTTPD_IMG=$BUILD/apps/httpd.elf
KV_IMG=$BUILD/apps/kvstore.elf
HTTPD_LINUX=$BUILD/linux/httpd
KV_LINUX=$BUILD/linux/kvstore
RESULTS=$TEST_TMP/results # one line a run: kind target round rps requests exits cpu_guest cpu_user cpu_sys (ticks)
: >"$RESULTS"

die() {
    echo "bench-net: $*" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for f in "$UNIKIT" "$HTTPD_IMG" "$KV_IMG" "$HTTPD_LINUX" "$KV_LINUX"; do
    [ -e "$f" ] || die "$f is missing: run make (and make linux-apps)"
done
for t in wrk redis-benchmark redis-cli nsenter; do
    command -v "$t" >/dev/null || die "$t is not installed (tests/packages.txt)"
done
HAVE_KVM=0
[ -c /dev/kvm ] && { : <>/dev/kvm; } 2>/dev/null && HAVE_KVM=1
HAVE_QEMU=0
command -v "${UNIKIT_QEMU:-qemu-system-x86_64}" >/dev/null && HAVE_QEMU=1
HAVE_REDIS=0
command -v redis-server >/dev/null && HAVE_REDIS=1
HZ=$(getconf CLK_TCK)
# QEMU's accelerator, as the launcher picks it (auto: kvm with vmx/svm, else tcg).
if grep -qwE 'vmx|svm' /proc/cpuinfo; then QEMU_ACCEL=kvm; else QEMU_ACCEL=tcg; fi

# perf: hardware counters (perf stat -e instructions) or only software events (cpu-clock)?
PERF_HW=0 PERF_SW=0
if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
    perf stat -x, -e instructions true 2>&1 | grep -q '^[0-9]' && PERF_HW=1
    perf stat -x, -e task-clock true 2>&1 | grep -q '^[0-9.]*,msec,task-clock' && PERF_SW=1
fi

# ------------------------------------------------------------------ namespaces
NS=$(netns_name bnet)
SRV=$(netns_name bsrv)
netns_create "$NS" "$HOST_IP/24" && netns_add_tap "$NS" "$TAP" || die "could not make namespace $NS"
ip netns add "$SRV" || die "could not make namespace $SRV"
NETNS_CREATED+=("$SRV")
netns_add_veth "$NS" veth0 "$SRV" eth0 "$LINUX_IP/24" || die "could not join $SRV to $NS by a veth"
in_ns() { ip netns exec "$NS" "$@"; }

# The site: a 1 KiB file (and an index), as a tar disk for the guests and a folder for the Linux build.
SITE=$TEST_TMP/site
mkdir -p "$SITE" "$TEST_TMP/empty"
head -c 1024 /dev/urandom >"$SITE/1k.bin"
echo '<h1>bench</h1>' >"$SITE/index.html"
tar -cf "$TEST_TMP/site.tar" -C "$SITE" .
tar -cf "$TEST_TMP/empty.tar" -C "$TEST_TMP/empty" .

# ------------------------------------------------------------------ servers
SERVER_PID= # unikit run, or the Linux server
LOAD_PID=   # the process whose CPU is counted: the VMM child of unikit run, or the Linux server
LOG=

# wait_listening LOG PID: waits for the server's "listening" line (or redis-server's "Ready").
wait_listening() {
    for _ in $(seq 200); do
        grep -qE 'listening on port|Ready to accept' "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# start_vm BACKEND LOG DISK IMAGE ARGS...
start_vm() {
    local backend=$1 disk=$3 image=$4
    LOG=$2
    shift 4
    nsenter --net=/run/netns/"$NS" "$UNIKIT" run --vmm "$backend" --stats -m 256M --net "tap:$TAP" \
        --ip "$GUEST_IP/24" --gw "$HOST_IP" --disk "$disk" "$image" "$@" >"$LOG" 2>&1 </dev/null &
    SERVER_PID=$!
    wait_listening "$LOG" "$SERVER_PID" || die "$image under $backend did not start: $(tail -c 400 "$LOG")"
    LOAD_PID=$(pgrep -P "$SERVER_PID" | head -n 1)
    [ -n "$LOAD_PID" ] || die "no VMM process under unikit run $SERVER_PID"
}

# start_linux LOG CMD...: a server in the second namespace.
start_linux() {
    LOG=$1
    shift
    ip netns exec "$SRV" "$@" >"$LOG" 2>&1 </dev/null &
    SERVER_PID=$!
    LOAD_PID=$SERVER_PID # ip netns exec becomes the server
    wait_listening "$LOG" "$SERVER_PID" || die "$1 did not start: $(tail -c 400 "$LOG")"
}

# stop_server: SIGTERM (SIGKILL after 10 s), and waits.
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL -- $(pgrep -P "$SERVER_PID") "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID='' LOAD_PID=''
}

# cpu_ticks PID: "guest user sys" clock ticks of the process (user includes guest time in /proc; taken out).
cpu_ticks() {
    awk '{ g = $43 + 0; print g, $14 - g, $15 }' "/proc/$1/stat" 2>/dev/null || echo "0 0 0"
}
cpu_delta() { # BEFORE AFTER -> "guest user sys"
    local a b
    read -r -a a <<<"$1"
    read -r -a b <<<"$2"
    echo "$((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2]))"
}

# perf_stat_start PID FILE / perf_stop: software counters of PID for the load window.
PERF_PID=
perf_stat_start() {
    PERF_PID=
    [ "$PERF_SW" = 1 ] || return 0
    perf stat -x, -e task-clock,context-switches,cpu-migrations,page-faults -p "$1" -o "$2" 2>/dev/null &
    PERF_PID=$!
}
perf_stop() {
    [ -n "$PERF_PID" ] || return 0
    kill -INT "$PERF_PID" 2>/dev/null
    wait "$PERF_PID" 2>/dev/null
    PERF_PID=
}

# ------------------------------------------------------------------ one run each
# http_run TARGET ROUND: TARGET is kvm, qemu or linux.
http_run() {
    local target=$1 round=$2 url
    case $target in
    linux)
        start_linux "$TEST_TMP/httpd-$target-$round.log" "$HTTPD_LINUX" -p 80 -r "$SITE"
        url=http://$LINUX_IP/1k.bin
        ;;
    *)
        start_vm "$target" "$TEST_TMP/httpd-$target-$round.log" "$TEST_TMP/site.tar" "$HTTPD_IMG" -p 80
        url=http://$GUEST_IP/1k.bin
        ;;
    esac
    in_ns curl -sf -m 10 -o /dev/null "$url" || die "httpd ($target) does not serve $url"
    local before after
    perf_stat_start "$LOAD_PID" "$TEST_TMP/perf-http-$target-$round.csv"
    before=$(cpu_ticks "$LOAD_PID")
    in_ns wrk -t 2 -c 32 -d "${DURATION}s" "$url" >"$TEST_TMP/wrk-$target-$round.txt" 2>&1
    after=$(cpu_ticks "$LOAD_PID")
    perf_stop
    stop_server
    local rps reqs errs exits
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$TEST_TMP/wrk-$target-$round.txt")
    reqs=$(awk '/requests in/ { print $1 }' "$TEST_TMP/wrk-$target-$round.txt")
    errs=$(grep -E 'Socket errors|Non-2xx' "$TEST_TMP/wrk-$target-$round.txt" | tr -s ' ' | tr '\n' ' ')
    [ -n "$errs" ] && echo "bench-net: httpd $target round $round: wrk reports: $errs" >&2
    exits=$(sed -n 's/^unikit: stats: exits \([0-9]*\).*/\1/p' "$LOG" | head -n 1)
    echo "http $target $round ${rps:-0} ${reqs:-0} ${exits:--} $(cpu_delta "$before" "$after")" >>"$RESULTS"
    printf '  httpd  %-6s round %d: %10s req/s  %s requests  exits %s\n' "$target" "$round" "${rps:-?}" \
        "${reqs:-?}" "${exits:--}" >&2
}

# kv_run TARGET ROUND: TARGET is kvm, qemu, linux or redis.
kv_run() {
    local target=$1 round=$2 host
    case $target in
    linux)
        start_linux "$TEST_TMP/kv-$target-$round.log" "$KV_LINUX" -p 6379
        host=$LINUX_IP
        ;;
    redis)
        start_linux "$TEST_TMP/kv-$target-$round.log" redis-server --port 6379 --bind 0.0.0.0 \
            --protected-mode no --save '' --appendonly no --daemonize no --logfile ''
        host=$LINUX_IP
        ;;
    *)
        start_vm "$target" "$TEST_TMP/kv-$target-$round.log" "$TEST_TMP/empty.tar" "$KV_IMG" -p 6379
        host=$GUEST_IP
        ;;
    esac
    [ "$(in_ns timeout 10 redis-cli -h "$host" PING)" = PONG ] || die "$target does not answer PING"
    local before after out
    perf_stat_start "$LOAD_PID" "$TEST_TMP/perf-kv-$target-$round.csv"
    before=$(cpu_ticks "$LOAD_PID")
    out=$(in_ns timeout 300 redis-benchmark -h "$host" -c 30 -P 16 -t set,get -n "$KV_N" -q 2>&1 | tr '\r' '\n')
    after=$(cpu_ticks "$LOAD_PID")
    perf_stop
    stop_server
    local set get exits
    set=$(sed -n 's/^SET: \([0-9.]*\) requests per second.*/\1/p' <<<"$out" | tail -n 1)
    get=$(sed -n 's/^GET: \([0-9.]*\) requests per second.*/\1/p' <<<"$out" | tail -n 1)
    [ -n "$set" ] && [ -n "$get" ] || echo "bench-net: kvstore $target round $round: $(tail -c 300 <<<"$out")" >&2
    exits=$(sed -n 's/^unikit: stats: exits \([0-9]*\).*/\1/p' "$LOG" | head -n 1)
    local delta
    delta=$(cpu_delta "$before" "$after")
    echo "kvset $target $round ${set:-0} $KV_N ${exits:--} $delta" >>"$RESULTS"
    echo "kvget $target $round ${get:-0} $KV_N ${exits:--} $delta" >>"$RESULTS"
    printf '  kv     %-6s round %d: SET %10s GET %10s req/s  exits %s\n' "$target" "$round" "${set:-?}" "${get:-?}" \
        "${exits:--}" >&2
}

# The profile: perf record (cpu-clock) of the own VMM under the wrk load, after the measured rounds.
profile_vmm() {
    [ "$PERF_SW" = 1 ] && [ "$HAVE_KVM" = 1 ] || return 0
    start_vm kvm "$TEST_TMP/httpd-profile.log" "$TEST_TMP/site.tar" "$HTTPD_IMG" -p 80
    in_ns wrk -t 2 -c 32 -d "$((DURATION / 2 + 1))s" "http://$GUEST_IP/1k.bin" >/dev/null 2>&1 &
    local wrk=$!
    sleep 1
    perf record -q -e cpu-clock -F 2000 -p "$LOAD_PID" -o "$TEST_TMP/perf.data" -- sleep "$((DURATION / 2 - 1))" \
        >/dev/null 2>&1
    wait "$wrk"
    stop_server
    perf report -i "$TEST_TMP/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null |
        grep -E '^ +[0-9.]+%' | head -n 15 >"$TEST_TMP/profile.txt"
}

# ------------------------------------------------------------------ the rounds
HTTP_TARGETS=() KV_TARGETS=()
[ "$HAVE_KVM" = 1 ] && HTTP_TARGETS+=(kvm) KV_TARGETS+=(kvm)
[ "$HAVE_QEMU" = 1 ] && HTTP_TARGETS+=(qemu) KV_TARGETS+=(qemu)
HTTP_TARGETS+=(linux) KV_TARGETS+=(linux)
[ "$HAVE_REDIS" = 1 ] && KV_TARGETS+=(redis)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-net: $ROUNDS round(s), wrk ${DURATION}s, redis-benchmark -n $KV_N; load average before: $LOAD_BEFORE" >&2
for round in $(seq "$ROUNDS"); do
    for t in "${HTTP_TARGETS[@]}"; do http_run "$t" "$round"; done
    for t in "${KV_TARGETS[@]}"; do kv_run "$t" "$round"; done
done
profile_vmm
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ the table
# stat KIND TARGET: "median min max" of requests/s over the rounds.
stat_rps() {
    awk -v k="$1" -v t="$2" '$1 == k && $2 == t { print $4 }' "$RESULTS" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit; m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
               printf "%.0f %.0f %.0f\n", m, v[1], v[NR] }'
}
# sums KIND TARGET: requests, exits, guest, user, sys ticks summed over the rounds (kv: SET and GET together).
sums() {
    awk -v k="$1" -v t="$2" -v hz="$HZ" '$1 == k && $2 == t {
            r += ($1 ~ /^kv/ ? 2 * $5 : $5); e += ($6 == "-" ? 0 : $6); ex = ($6 != "-"); g += $7; u += $8; s += $9 }
        END { if (r == 0) exit;
              printf "%s %s %.1f %.1f %.1f\n", r, (ex ? sprintf("%.3f", e / r) : "-"),
                     g / hz * 1e6 / r, u / hz * 1e6 / r, s / hz * 1e6 / r }' "$RESULTS"
}
label() {
    case $1 in
    kvm) echo "unikernel, unikit VMM (KVM)" ;;
    qemu) echo "unikernel, QEMU ($QEMU_ACCEL)" ;;
    linux) echo "Linux build, namespace + veth" ;;
    redis) echo "Debian redis-server, namespace + veth" ;;
    esac
}

table() {
    local kind title linux_rps
    echo "# bench-net: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r)"
    echo
    echo "Same machine, same run; rounds: $ROUNDS (interleaved; median, range in brackets when more than one)."
    echo "httpd: \`wrk -t 2 -c 32 -d ${DURATION}s\`, keep-alive, a 1 KiB file. kvstore: \`redis-benchmark -c 30 -P 16 -t set,get -n $KV_N\`,"
    echo "no log (kvstore without --aof, redis-server --save '' --appendonly no). QEMU runs with accel $QEMU_ACCEL$([ "$QEMU_ACCEL" = tcg ] && echo ' (no VT-x/AMD-V here: QEMU emulates the CPU)')."
    echo "Exits/req: the own VMM's --stats exit count (boot included) over the run's requests (kvstore: SET + GET)."
    echo "CPU µs/req on the server side during the load: guest / VMM user / host kernel (the VMM process;"
    echo "QEMU: its threads' user / kernel; Linux: the server process, user / kernel; kvstore: over SET and GET"
    echo "together). Not counted: the clients, and the bridge/veth/tap work the host does in the clients' context."
    echo "The machine is shared: load average before $LOAD_BEFORE, after $LOAD_AFTER (2 CPUs)."
    echo
    echo "| workload | server | req/s | vs Linux build | exits/req | CPU µs/req guest | user | kernel |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for kind in http kvset kvget; do
        case $kind in http) title="httpd GET 1 KiB" ;; kvset) title="kvstore SET" ;; kvget) title="kvstore GET" ;; esac
        linux_rps=$(stat_rps "$kind" linux | cut -d' ' -f1)
        local t
        for t in kvm qemu linux redis; do
            local s m lo hi rng ratio u_exits u_g u_u u_s
            s=$(stat_rps "$kind" "$t")
            [ -n "$s" ] || continue
            read -r m lo hi <<<"$s"
            rng=
            [ "$ROUNDS" -gt 1 ] && rng=" [$lo–$hi]"
            ratio=$(awk -v a="$m" -v b="${linux_rps:-0}" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }')
            read -r _ u_exits u_g u_u u_s <<<"$(sums "$kind" "$t")"
            [ "$t" = kvm ] || u_g=-
            echo "| $title | $(label "$t") | $m$rng | $ratio | ${u_exits:--} | ${u_g:--} | ${u_u:--} | ${u_s:--} |"
        done
    done
    echo
    if [ "$PERF_HW" = 0 ] && command -v perf >/dev/null; then
        echo "perf: no hardware counters here (\`perf stat -e instructions\` is not supported); software events only."
    fi
    local f
    for f in "$TEST_TMP"/perf-http-kvm-1.csv "$TEST_TMP"/perf-http-linux-1.csv; do
        [ -s "$f" ] || continue
        local who reqs
        case $f in *kvm*) who="the own VMM (httpd, round 1)" ;; *) who="the Linux httpd (round 1)" ;; esac
        reqs=$(awk -v t="${f##*perf-http-}" '$1 == "http" && $2 "-" $3 ".csv" == t { print $5 }' "$RESULTS")
        echo "perf stat of $who over the wrk run, per request: $(awk -F, -v r="${reqs:-0}" '
            $3 ~ /task-clock|context-switches|cpu-migrations|page-faults/ && r > 0 {
                v = $1 / r; if ($3 == "task-clock") printf "%s %.1f µs; ", $3, v * 1000; else printf "%s %.3f; ", $3, v }' "$f")"
    done
    if [ -s "$TEST_TMP/profile.txt" ]; then
        echo
        echo "Profile of the own VMM process under the wrk load (perf record -e cpu-clock; guest code runs inside"
        echo "the KVM_RUN ioctl, so the time in the guest shows as the host's entry/exit path):"
        echo
        echo '```'
        cat "$TEST_TMP/profile.txt"
        echo '```'
    fi
}
table | tee "$OUT_MD"
