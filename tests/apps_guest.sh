#!/bin/bash
# apps_guest.sh: the unikernel builds of httpd and kvstore (build/apps/*.elf) against real clients, under each backend.
#
# The same client tests as tests/apps_linux.sh, with the server booted by
# `unikit run` on a tap in a network namespace made here (the client runs in
# that namespace, over its bridge). Per backend in ${UNIKIT_TEST_BACKENDS:-qemu kvm}:
#   httpd   — files of 1 B..8 MiB from a tar disk (checksums), HEAD, 404, directory
#             index, keep-alive, 400, path traversal, a slow client, wrk with no socket errors
#   kvstore — every supported command through redis-cli, protocol errors,
#             redis-benchmark, and durability: acknowledged SETs with
#             --appendfsync always, SIGKILL to the VMM, boot again on the same log disk.
# unikit runs under `nsenter --net`, not `ip netns exec` (that remounts /sys and
# hides the cgroup hierarchies the launcher uses).
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/netns.sh

HTTPD_IMG=$BUILD/apps/httpd.elf
KV_IMG=$BUILD/apps/kvstore.elf
BACKENDS=${UNIKIT_TEST_BACKENDS:-qemu kvm}
HOST_IP=10.77.0.1
GUEST_IP=10.77.0.2
TAP=tap0
GUEST_PID=
B= # the backend under test, in every case's name

netns_usable apps-guest || exit 0
command -v nsenter >/dev/null || { skip apps-guest "nsenter (util-linux) is not installed"; exit 0; }
NS=$(netns_name appsg)
if ! { netns_create "$NS" "$HOST_IP/24" && netns_add_tap "$NS" "$TAP"; }; then
    fail apps-guest-netns "could not make the network namespace $NS with $TAP"
    exit 0
fi
in_ns() { ip netns exec "$NS" "$@"; }

# have TOOL NAME: true when TOOL is installed; else reports NAME skipped.
have() {
    command -v "$1" >/dev/null && return 0
    skip "$2" "$1 is not installed (see tests/packages.txt)"
    return 1
}

# start_guest LOG UNIKIT_ARGS... -- IMAGE ARGS...: boots IMAGE on the tap in the namespace; waits for
# its "listening on port" line. GUEST_PID is `unikit run` itself (nsenter execs it), the VMM is its child.
start_guest() {
    local log=$1 args=()
    shift
    while [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    shift
    nsenter --net=/run/netns/"$NS" "$UNIKIT" run --vmm "$B" -m 128M --net "tap:$TAP" --ip "$GUEST_IP/24" \
        --gw "$HOST_IP" "${args[@]}" "$@" >"$log" 2>&1 </dev/null &
    GUEST_PID=$!
    for _ in $(seq 150); do
        grep -q 'listening on port' "$log" 2>/dev/null && return 0
        kill -0 "$GUEST_PID" 2>/dev/null || break
        sleep 0.1
    done
    WHY="did not start: $(tr '\n' '|' <"$log" | tail -c 300)"
    stop_guest KILL
    return 1
}

# vmm_pid: the VMM process (unikit's own VMM, or QEMU): the child of `unikit run`.
vmm_pid() { pgrep -P "$GUEST_PID" | head -n 1; }

# stop_guest [SIGNAL]: SIGTERM (or SIGNAL) to `unikit run`, waits (at most 15 s); sets STATUS.
stop_guest() {
    [ -n "$GUEST_PID" ] || return 0
    kill -"${1:-TERM}" "$GUEST_PID" 2>/dev/null
    local n
    for n in $(seq 150); do
        kill -0 "$GUEST_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$GUEST_PID" 2>/dev/null; then
        kill -KILL -- "$(vmm_pid)" "$GUEST_PID" 2>/dev/null
    fi
    wait "$GUEST_PID" 2>/dev/null
    STATUS=$?
    GUEST_PID=
}

# stop_server_checked NAME LOG: SIGTERM to `unikit run` ends the server run with 143 under both backends.
stop_server_checked() {
    local name=$1 log=$2
    stop_guest TERM
    if [ "$STATUS" = 143 ]; then
        pass "$name"
    else
        fail "$name" "exit status $STATUS after SIGTERM: $(tail -c 300 "$log" | tr '\n' '|')"
    fi
}

# ---------------------------------------------------------------- httpd
# The site: /www is httpd's root (-r /www); /secret.txt lies outside it, for the traversal case.
make_httpd_site() {
    local d=$TEST_TMP/site
    [ -f "$TEST_TMP/site.tar" ] && return 0
    mkdir -p "$d/www/sub" "$d/www/empty"
    echo '<h1>home</h1>' >"$d/www/index.html"
    echo '<h1>sub</h1>' >"$d/www/sub/index.html"
    echo 'plain text' >"$d/www/a.txt"
    echo 'TOP-SECRET-OUTSIDE-ROOT' >"$d/secret.txt"
    local s
    for s in $HTTPD_SIZES; do
        head -c "$s" /dev/urandom >"$d/www/f$s.bin"
    done
    tar -cf "$TEST_TMP/site.tar" -C "$d" .
}
HTTPD_SIZES="1 1000 4096 65536 1048577 8388608"

httpd_tests() {
    local site=$TEST_TMP/site/www url=http://$GUEST_IP log=$TEST_TMP/httpd-$B.log
    make_httpd_site
    if ! start_guest "$log" --disk "$TEST_TMP/site.tar" -- "$HTTPD_IMG" -p 80 -r /www; then
        fail "httpd-start [$B]" "$WHY"
        return
    fi
    grep -q '^httpd: listening on port 80, root /www' "$log" && grep -q "^net: en0 static $GUEST_IP/" "$log" &&
        pass "httpd-banner [$B]" || fail "httpd-banner [$B]" "$(head -c 300 "$log" | tr '\n' '|')"

    local bad="" s
    for s in $HTTPD_SIZES; do
        rm -f "$TEST_TMP/got"
        in_ns curl -sf -m 60 -o "$TEST_TMP/got" "$url/f$s.bin" &&
            [ "$(sha256sum <"$TEST_TMP/got")" = "$(sha256sum <"$site/f$s.bin")" ] || bad="$bad $s"
    done
    [ -z "$bad" ] && pass "httpd-get-sizes [$B]" || fail "httpd-get-sizes [$B]" "wrong or missing body for sizes:$bad"

    local head
    head=$(in_ns curl -sI -m 10 "$url/f1000.bin" | tr -d '\r')
    if grep -q '^HTTP/1.1 200' <<<"$head" && grep -qi '^content-length: 1000$' <<<"$head" &&
        grep -qi '^content-type: application/octet-stream$' <<<"$head"; then
        pass "httpd-head [$B]"
    else
        fail "httpd-head [$B]" "$(tr '\n' '|' <<<"$head")"
    fi
    local body_bytes
    body_bytes=$(in_ns curl -s -X HEAD -m 3 -o - "$url/f1000.bin" 2>/dev/null | wc -c)
    [ "$body_bytes" = 0 ] && pass "httpd-head-no-body [$B]" || fail "httpd-head-no-body [$B]" "HEAD sent $body_bytes body bytes"

    code() { in_ns curl -s -m 10 -o /dev/null -w '%{http_code}' "$@"; }
    local c
    c=$(code "$url/nope.html")
    [ "$c" = 404 ] && pass "httpd-404 [$B]" || fail "httpd-404 [$B]" "got $c"
    in_ns curl -sf -m 10 "$url/" | grep -q home && in_ns curl -sf -m 10 "$url/sub/" | grep -q sub &&
        pass "httpd-dir-index [$B]" || fail "httpd-dir-index [$B]" "/ or /sub/ did not give its index.html"
    local loc
    loc=$(in_ns curl -s -m 10 -o /dev/null -w '%{http_code} %{redirect_url}' "$url/sub?x=1")
    [ "$loc" = "301 $url/sub/?x=1" ] && pass "httpd-dir-redirect [$B]" || fail "httpd-dir-redirect [$B]" "got '$loc'"
    c=$(code "$url/empty/")
    [ "$c" = 403 ] && pass "httpd-dir-no-index [$B]" || fail "httpd-dir-no-index [$B]" "got $c"
    local types
    types=$(code -w '/%{content_type}' "$url/a.txt")$(code -w '/%{content_type}' "$url/sub/")
    [ "$types" = "/text/plain; charset=utf-8/text/html; charset=utf-8" ] && pass "httpd-content-type [$B]" ||
        fail "httpd-content-type [$B]" "got '$types'"
    c=$(code -X POST -d x=1 "$url/a.txt")
    [ "$c" = 405 ] && pass "httpd-405 [$B]" || fail "httpd-405 [$B]" "POST got $c"
    local long
    long=$(head -c 5000 /dev/zero | tr '\0' a)
    c=$(code "$url/$long")
    [ "$c" = 414 ] && pass "httpd-414 [$B]" || fail "httpd-414 [$B]" "got $c"

    in_ns curl -sv -m 10 -o /dev/null -o /dev/null -o /dev/null "$url/a.txt" "$url/f1000.bin" "$url/f65536.bin" \
        2>"$TEST_TMP/curl.err"
    [ "$(grep -c 'Re-using existing connection' "$TEST_TMP/curl.err")" = 2 ] &&
        [ "$(grep -c '^< HTTP/1.1 200' "$TEST_TMP/curl.err")" = 3 ] && pass "httpd-keep-alive [$B]" ||
        fail "httpd-keep-alive [$B]" "curl did not make three requests over one connection"

    # Raw requests through nc: -N shuts the socket down after the input, as a client that is done sending.
    raw() { printf "$1" | in_ns timeout 10 nc -N "$GUEST_IP" 80 | tr -d '\r'; }
    raw 'GARBAGE\r\n\r\n' | grep -q '^HTTP/1.1 400 ' && pass "httpd-400-request-line [$B]" ||
        fail "httpd-400-request-line [$B]" "no 400"
    raw 'GET / HTTP/1.1\r\n\r\n' | grep -q '^HTTP/1.1 400 ' && pass "httpd-400-no-host [$B]" ||
        fail "httpd-400-no-host [$B]" "no 400"
    local pipe
    pipe=$(raw 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
        grep '^HTTP/1.1' | tr '\n' ' ')
    [ "$pipe" = "HTTP/1.1 200 OK HTTP/1.1 404 Not Found HTTP/1.1 200 OK " ] && pass "httpd-pipelined [$B]" ||
        fail "httpd-pipelined [$B]" "got '$pipe'"
    local t bad_trav="" out
    for t in '/../secret.txt' '/../../../../secret.txt' '/%2e%2e/secret.txt' '/sub/..%2f..%2fsecret.txt' \
        '/%2E%2E%2Fsecret.txt' '/sub/../../secret.txt'; do
        out=$(raw "GET ${t//%/%%} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        grep -q '^HTTP/1.1 403 ' <<<"$out" && ! grep -q 'TOP-SECRET' <<<"$out" || bad_trav="$bad_trav $t"
    done
    raw 'GET /a.txt%%00.html HTTP/1.1\r\nHost: x\r\n\r\n' | grep -q '^HTTP/1.1 400 ' || bad_trav="$bad_trav NUL"
    [ -z "$bad_trav" ] && pass "httpd-path-traversal [$B]" || fail "httpd-path-traversal [$B]" "not refused:$bad_trav"

    # A client stuck half-way through its request holds up nobody else.
    ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/$GUEST_IP/80; printf 'GET /a.txt HT' >&3; sleep 4" &
    local slow=$!
    sleep 0.3
    run_with_timeout 3 ip netns exec "$NS" curl -sf "$url/a.txt"
    expect_status 0 && pass "httpd-slow-client [$B]" || fail "httpd-slow-client [$B]" "$WHY"
    kill "$slow" 2>/dev/null
    wait "$slow" 2>/dev/null

    if have wrk "httpd-wrk [$B]"; then
        run_with_timeout 30 ip netns exec "$NS" wrk -t 2 -c 256 -d 3s "$url/f1000.bin"
        if expect_status 0 && expect_output 'Requests/sec' && expect_no_output 'Socket errors|Non-2xx'; then
            pass "httpd-wrk [$B]"
            echo "httpd [$B] wrk (256 connections, 1000 B): $(grep 'Requests/sec' <<<"$OUTPUT" | tr -s ' ')"
        else
            fail "httpd-wrk [$B]" "$WHY"
        fi
    fi
    # Still serving, and the same bytes, after all that.
    in_ns curl -sf -m 30 -o "$TEST_TMP/got" "$url/f1048577.bin" && cmp -s "$TEST_TMP/got" "$site/f1048577.bin" &&
        pass "httpd-alive [$B]" || fail "httpd-alive [$B]" "httpd stopped serving: $(tail -c 300 "$log" | tr '\n' '|')"
    stop_server_checked "httpd-sigterm [$B]" "$log"
}

# ---------------------------------------------------------------- kvstore
# rc NAME EXPECTED ARGS...: redis-cli ARGS against the guest prints EXPECTED (lines joined by '|').
rc() {
    local name="$1 [$B]" want=$2 got
    shift 2
    got=$(in_ns timeout 10 redis-cli -h "$GUEST_IP" "$@" 2>&1 | if [ -n "${SORTED:-}" ]; then sort; else cat; fi |
        tr '\n' '|' | sed 's/|*$//')
    [ "$got" = "$want" ] && pass "$name" || fail "$name" "redis-cli $* gave '$got', expected '$want'"
}
cli() { in_ns timeout 30 redis-cli -h "$GUEST_IP" "$@"; }

kvstore_commands() {
    rc kv-ping PONG PING
    rc kv-ping-msg hello PING hello
    rc kv-echo 'a b' ECHO 'a b'
    rc kv-set OK SET k1 v1
    rc kv-get v1 GET k1
    rc kv-get-missing '' GET nope
    rc kv-set-nx '' SET k1 other NX
    rc kv-set-nx-new OK SET k2 v2 NX
    rc kv-set-xx-missing '' SET k3 v3 XX
    rc kv-set-xx OK SET k2 v2b XX
    rc kv-set-ex OK SET ex1 v EX 100
    rc kv-ttl 100 TTL ex1
    rc kv-ttl-none -1 TTL k1
    rc kv-ttl-missing -2 TTL nope
    rc kv-set-px OK SET px1 v PX 150
    rc kv-set-bad-expire 'ERR invalid expire time in '"'"'set'"'"' command' SET k1 v EX 0
    rc kv-set-syntax 'ERR syntax error' SET k1 v NX XX
    sleep 0.3
    rc kv-px-expired '' GET px1
    rc kv-exists 2 EXISTS k1 k2 nope
    rc kv-del 2 DEL k1 k2 nope
    rc kv-exists-after-del 0 EXISTS k1 k2
    rc kv-incr 1 INCR n
    rc kv-incrby 11 INCRBY n 10
    rc kv-decr 10 DECR n
    rc kv-decrby 3 DECRBY n 7
    rc kv-incr-negative -5 INCRBY n -8
    rc kv-incr-not-int 'ERR value is not an integer or out of range' INCR ex1
    rc kv-incr-overflow 'ERR increment or decrement would overflow' INCRBY n -9223372036854775807
    rc kv-mset OK MSET m1 a m2 b m3 c
    rc kv-mget 'a||c' MGET m1 nope m3
    rc kv-mset-odd "ERR wrong number of arguments for 'mset' command" MSET m1 a m2
    rc kv-expire 1 EXPIRE m1 50
    rc kv-expire-ttl 50 TTL m1
    rc kv-expire-missing 0 EXPIRE nope 5
    rc kv-persist 1 PERSIST m1
    rc kv-persist-ttl -1 TTL m1
    rc kv-persist-none 0 PERSIST m1
    rc kv-set-c OK SET c 5 EX 100
    rc kv-incr-c 6 INCR c
    rc kv-incr-keeps-ttl 100 TTL c
    SORTED=1 rc kv-keys 'm1|m2|m3' KEYS 'm[0-9]'
    SORTED=1 rc kv-keys-all 'c|ex1|m1|m2|m3|n' KEYS '*'
    rc kv-dbsize 6 DBSIZE
    cli INFO | grep -q '^db0:keys=6,' && pass "kv-info [$B]" || fail "kv-info [$B]" "no db0:keys=6 line"
    rc kv-config-get 'appendonly|yes' CONFIG GET appendonly
    rc kv-unknown "ERR unknown command 'NOSUCH'" NOSUCH x
    rc kv-arity "ERR wrong number of arguments for 'get' command" GET
    rc kv-quit OK QUIT
    rc kv-flushall OK FLUSHALL
    rc kv-dbsize-after-flush 0 DBSIZE
}

# kv_raw INPUT: sends INPUT (printf format) to kvstore through nc and prints the reply.
kv_raw() { printf "$1" | in_ns timeout 10 nc -N "$GUEST_IP" 6379 | tr -d '\r'; }

kvstore_protocol() {
    [ "$(kv_raw 'PING\r\nSET "a b" "x\\ny"\r\nGET "a b"\r\n' | tr '\n' '|')" = '+PONG|+OK|$3|x|y|' ] &&
        pass "kv-inline [$B]" || fail "kv-inline [$B]" "got '$(kv_raw 'PING\r\n' | tr '\n' '|')'"
    [ "$(kv_raw '*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$3\r\na b\r\n' | tr '\n' '|')" = '+PONG|$3|x|y|' ] &&
        pass "kv-resp-pipelined [$B]" || fail "kv-resp-pipelined [$B]" "pipelined RESP commands got a wrong reply"
    kv_raw '*1\r\n$x\r\nPING\r\n' | grep -q '^-ERR Protocol error' && pass "kv-protocol-error [$B]" ||
        fail "kv-protocol-error [$B]" "no protocol error reply"
    kv_raw 'SET q "unbalanced\r\n' | grep -q '^-ERR Protocol error' && pass "kv-unbalanced-quotes [$B]" ||
        fail "kv-unbalanced-quotes [$B]" "no protocol error reply"
    rc kv-alive-after-errors PONG PING
}

kvstore_bench() {
    have redis-benchmark "kv-benchmark [$B]" || return
    run_with_timeout 120 ip netns exec "$NS" redis-benchmark -h "$GUEST_IP" -t set,get -n 20000 -P 16 -q
    OUTPUT=$(tr '\r' '\n' <<<"$OUTPUT") # its progress lines end in CR
    if expect_status 0 && expect_output '^SET: .*requests per second' '^GET: .*requests per second'; then
        pass "kv-benchmark [$B]"
        printf '%s\n' "$OUTPUT" | grep -E '^(SET|GET): .*requests per second' | sed "s/^/kvstore [$B] /"
    else
        fail "kv-benchmark [$B]" "$WHY"
    fi
}

# kv_count_present PREFIX N: prints how many of PREFIX1..PREFIXN exist.
kv_count_present() {
    local total=0 i j n
    for ((i = 1; i <= $2; i += 1000)); do
        local keys=()
        for ((j = i; j <= $2 && j < i + 1000; j++)); do keys+=("$1$j"); done
        n=$(cli EXISTS "${keys[@]}")
        total=$((total + ${n:-0}))
    done
    echo "$total"
}

# kill_vmm: SIGKILL to the VMM process (own VMM or QEMU), then reaps `unikit run`.
kill_vmm() {
    local vmm
    vmm=$(vmm_pid)
    if [ -z "$vmm" ]; then
        WHY="no VMM process under unikit run $GUEST_PID"
        stop_guest KILL
        return 1
    fi
    kill -KILL "$vmm"
    stop_guest TERM # `unikit run` ends by itself once its VMM is gone; this only waits
    return 0
}

kvstore_durability() {
    local disk=$TEST_TMP/dur-$B.img log=$TEST_TMP/kv-dur-$B.log name="kv-durability [$B]"
    local kv=(--disk "$TEST_TMP/empty.tar" --disk "$disk" -- "$KV_IMG" --aof /dev/vdb --appendfsync always)
    truncate -s 16M "$disk"
    start_guest "$log" "${kv[@]}" || { fail "$name" "$WHY"; return; }
    seq 1 300 | sed 's/.*/SET d& value&/' | in_ns timeout 60 redis-cli -h "$GUEST_IP" >"$TEST_TMP/acks"
    kill_vmm || { fail "$name" "$WHY"; return; }
    # Acknowledged writes racing the kill: every key whose OK came back must be there after the boot.
    # (No RST comes from a killed VM: the writer is stopped after the kill; stdbuf keeps its OKs line by line.)
    start_guest "$log" "${kv[@]}" || { fail "$name" "second boot: $WHY"; return; }
    seq 1 200000 | sed 's/.*/SET r& value&/' >"$TEST_TMP/racing.in"
    # (ip netns exec execs the client: $! is redis-cli itself, not a subshell that would outlive a kill.)
    ip netns exec "$NS" stdbuf -oL redis-cli -h "$GUEST_IP" <"$TEST_TMP/racing.in" >"$TEST_TMP/racing" 2>/dev/null &
    local writer=$!
    sleep 1.5
    kill_vmm || { fail "$name" "$WHY"; kill "$writer"; return; }
    sleep 0.2
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null
    local acked d r
    acked=$(grep -c '^OK$' "$TEST_TMP/racing")
    start_guest "$log" "${kv[@]}" || { fail "$name" "third boot: $WHY"; return; }
    d=$(kv_count_present d 300)
    r=$(kv_count_present r "$acked")
    if [ "$(grep -c '^OK$' "$TEST_TMP/acks")" = 300 ] && [ "$d" = 300 ] && [ "$acked" -gt 0 ] && [ "$r" = "$acked" ] &&
        [ "$(cli GET d300)" = value300 ] && [ "$(cli GET "r$acked")" = "value$acked" ]; then
        pass "$name"
        echo "kvstore [$B] durability: $acked acknowledged SETs (appendfsync always, one client) before kill -9 of the VMM, all found; $(grep -o '[0-9]* records replayed' "$log")"
    else
        fail "$name" "after kill -9: $d of 300 keys, $r of $acked racing acknowledged keys; $(grep replayed "$log" | tr '\n' '|')"
    fi
    stop_guest KILL
}

kvstore_tests() {
    local log=$TEST_TMP/kv-$B.log
    [ -f "$TEST_TMP/empty.tar" ] || { mkdir -p "$TEST_TMP/empty" && tar -cf "$TEST_TMP/empty.tar" -C "$TEST_TMP/empty" .; }
    truncate -s 16M "$TEST_TMP/kv-$B.img"
    if start_guest "$log" --disk "$TEST_TMP/empty.tar" --disk "$TEST_TMP/kv-$B.img" -- "$KV_IMG" \
        --aof /dev/vdb --appendfsync everysec; then
        grep -q '^kvstore: listening on port 6379, log /dev/vdb' "$log" && pass "kv-banner [$B]" ||
            fail "kv-banner [$B]" "$(tr '\n' '|' <"$log" | head -c 300)"
        kvstore_commands
        kvstore_protocol
        kvstore_bench
        rc kv-alive PONG PING
        stop_server_checked "kv-sigterm [$B]" "$log"
    else
        fail "kv-start [$B]" "$WHY"
    fi
    kvstore_big_value
    kvstore_durability
}

# kvstore_big_value: values of 15 kB and 100 kB, each a command longer than one read, there and back.
# (A boot of its own: when the guest hangs on one, the other cases still run.)
kvstore_big_value() {
    local log=$TEST_TMP/kv-big-$B.log name="kv-big-value [$B]" size bad=""
    truncate -s 16M "$TEST_TMP/kv-big-$B.img"
    start_guest "$log" --disk "$TEST_TMP/empty.tar" --disk "$TEST_TMP/kv-big-$B.img" -- "$KV_IMG" || {
        fail "$name" "$WHY"
        return
    }
    for size in 15000 100000; do
        head -c "$size" /dev/urandom | base64 -w0 | head -c "$size" >"$TEST_TMP/bigval"
        [ "$(in_ns timeout 10 redis-cli -h "$GUEST_IP" -x SET "big$size" <"$TEST_TMP/bigval" 2>&1)" = OK ] &&
            [ "$(in_ns timeout 10 redis-cli -h "$GUEST_IP" GET "big$size" | head -c -1 | sha256sum)" = \
                "$(sha256sum <"$TEST_TMP/bigval")" ] || bad="$bad $size"
    done
    [ -z "$bad" ] && pass "$name" || fail "$name" "SET/GET of a value of$bad bytes failed (guest: $(tail -c 200 "$log" | tr '\n' '|'))"
    stop_guest KILL
}

[ -c /dev/kvm ] || BACKENDS=$(sed 's/\bkvm\b//' <<<"$BACKENDS")
for B in $BACKENDS; do
    if [ "$B" = qemu ] && ! command -v "${UNIKIT_QEMU:-qemu-system-x86_64}" >/dev/null; then
        skip "apps-guest [qemu]" "QEMU is not installed"
        continue
    fi
    if [ ! -x "$UNIKIT" ]; then
        fail "apps-guest [$B]" "$UNIKIT is not built (make)"
        continue
    fi
    if [ -f "$HTTPD_IMG" ] && have curl "httpd [$B]"; then
        httpd_tests
    else
        skip "httpd [$B]" "$HTTPD_IMG is not built (make) or curl is missing"
    fi
    if [ -f "$KV_IMG" ] && have redis-cli "kvstore [$B]"; then
        kvstore_tests
    else
        skip "kvstore [$B]" "$KV_IMG is not built (make) or redis-cli is missing"
    fi
done
exit 0
