#!/bin/bash
# apps_linux.sh: the Linux builds of httpd and kvstore against real clients (curl, nc, wrk, redis-cli, redis-benchmark), inside a network namespace.
#
# Also runs the apps' host unit tests (build/linux/tests/test_*). Servers and
# clients both run in a namespace made here, over its loopback and its bridge;
# the namespace and everything in it go when the suite exits.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/netns.sh

HTTPD=$BUILD/linux/httpd
KVSTORE=$BUILD/linux/kvstore
SERVER_PID=

for t in "$BUILD"/linux/tests/test_*; do
    [ -x "$t" ] && "$t"
done

netns_usable apps-linux || exit 0
NS=$(netns_name apps)
if ! netns_create "$NS" 10.77.0.1/24; then
    fail apps-linux-netns "could not make the network namespace $NS"
    exit 0
fi
in_ns() { ip netns exec "$NS" "$@"; }

# have TOOL NAME: true when TOOL is installed; else reports NAME skipped (tests/packages.txt lists the tools).
have() {
    command -v "$1" >/dev/null && return 0
    skip "$2" "$1 is not installed (see tests/packages.txt)"
    return 1
}

# start_server LOG CMD...: starts CMD in the namespace, waits for its "listening" line; sets SERVER_PID.
start_server() {
    local log=$1
    shift
    ip netns exec "$NS" "$@" >"$log" 2>&1 &
    SERVER_PID=$! # ip netns exec becomes the server
    for _ in $(seq 50); do
        grep -q 'listening on port' "$log" 2>/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    WHY="did not start: $(tr '\n' '|' <"$log" | tail -c 300)"
    return 1
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -"${1:-TERM}" "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_PID=
}

# ---------------------------------------------------------------- httpd
httpd_tests() {
    local site=$TEST_TMP/site url=http://127.0.0.1:8080
    mkdir -p "$site/sub" "$site/empty"
    echo '<h1>home</h1>' >"$site/index.html"
    echo '<h1>sub</h1>' >"$site/sub/index.html"
    echo 'plain text' >"$site/a.txt"
    local sizes=(1 1000 65536 1048577 8388608) s
    for s in "${sizes[@]}"; do
        head -c "$s" /dev/urandom >"$site/f$s.bin"
    done

    if ! start_server "$TEST_TMP/httpd.log" "$HTTPD" -p 8080 -r "$site"; then
        fail httpd-start "$WHY"
        return
    fi
    if grep -q "^httpd: listening on port 8080, root $site\$" "$TEST_TMP/httpd.log"; then
        pass httpd-banner
    else
        fail httpd-banner "$(head -c 200 "$TEST_TMP/httpd.log")"
    fi

    local bad=""
    for s in "${sizes[@]}"; do
        in_ns curl -sf -o "$TEST_TMP/got" "$url/f$s.bin" &&
            [ "$(sha256sum <"$TEST_TMP/got")" = "$(sha256sum <"$site/f$s.bin")" ] || bad="$bad $s"
    done
    [ -z "$bad" ] && pass httpd-get-sizes || fail httpd-get-sizes "wrong or missing body for sizes:$bad"

    # The same over the bridge address, not only loopback.
    in_ns curl -sf -o "$TEST_TMP/got" "http://10.77.0.1:8080/f65536.bin" && cmp -s "$TEST_TMP/got" "$site/f65536.bin" &&
        pass httpd-get-bridge || fail httpd-get-bridge "GET over 10.77.0.1 failed"

    local head
    head=$(in_ns curl -sI "$url/f1000.bin" | tr -d '\r')
    if grep -q '^HTTP/1.1 200' <<<"$head" && grep -qi '^content-length: 1000$' <<<"$head" &&
        grep -qi '^content-type: application/octet-stream$' <<<"$head"; then
        pass httpd-head
    else
        fail httpd-head "$(tr '\n' '|' <<<"$head")"
    fi
    local body_bytes
    body_bytes=$(in_ns curl -s -X HEAD -m 3 -o - "$url/f1000.bin" 2>/dev/null | wc -c)
    [ "$body_bytes" = 0 ] && pass httpd-head-no-body || fail httpd-head-no-body "HEAD sent $body_bytes body bytes"

    code() { in_ns curl -s -o /dev/null -w '%{http_code}' "$@"; }
    [ "$(code "$url/nope.html")" = 404 ] && pass httpd-404 || fail httpd-404 "got $(code "$url/nope.html")"
    in_ns curl -sf "$url/" | grep -q home && in_ns curl -sf "$url/sub/" | grep -q sub &&
        pass httpd-dir-index || fail httpd-dir-index "/ or /sub/ did not give its index.html"
    local loc
    loc=$(in_ns curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$url/sub?x=1")
    [ "$loc" = "301 $url/sub/?x=1" ] && pass httpd-dir-redirect || fail httpd-dir-redirect "got '$loc'"
    [ "$(code "$url/empty/")" = 403 ] && pass httpd-dir-no-index || fail httpd-dir-no-index "got $(code "$url/empty/")"
    local types
    types=$(in_ns curl -s -o /dev/null -w '%{content_type}' "$url/a.txt")/$(in_ns curl -s -o /dev/null -w '%{content_type}' "$url/sub/")
    [ "$types" = "text/plain; charset=utf-8/text/html; charset=utf-8" ] && pass httpd-content-type ||
        fail httpd-content-type "got '$types'"
    [ "$(code -X POST -d x=1 "$url/a.txt")" = 405 ] && pass httpd-405 || fail httpd-405 "POST got $(code -X POST "$url/a.txt")"
    local long
    long=$(head -c 5000 /dev/zero | tr '\0' a)
    [ "$(code "$url/$long")" = 414 ] && pass httpd-414 || fail httpd-414 "got $(code "$url/$long")"

    in_ns curl -sv -o /dev/null -o /dev/null "$url/a.txt" "$url/f1000.bin" 2>"$TEST_TMP/curl.err"
    grep -q 'Re-using existing connection' "$TEST_TMP/curl.err" && pass httpd-keep-alive ||
        fail httpd-keep-alive "curl opened a second connection"

    # Raw requests through nc: -N shuts the socket down after the input, as a client that is done sending.
    raw() { printf "$1" | in_ns timeout 5 nc -N 127.0.0.1 8080 | tr -d '\r'; }
    raw 'GARBAGE\r\n\r\n' | grep -q '^HTTP/1.1 400 ' && pass httpd-400-request-line || fail httpd-400-request-line "no 400"
    raw 'GET / HTTP/1.1\r\n\r\n' | grep -q '^HTTP/1.1 400 ' && pass httpd-400-no-host || fail httpd-400-no-host "no 400"
    local pipe
    pipe=$(raw 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nHEAD /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
        grep '^HTTP/1.1' | tr '\n' ' ')
    [ "$pipe" = "HTTP/1.1 200 OK HTTP/1.1 404 Not Found HTTP/1.1 200 OK " ] && pass httpd-pipelined ||
        fail httpd-pipelined "got '$pipe'"
    local t bad_trav=""
    for t in '/../../../../etc/passwd' '/%2e%2e/%2e%2e/%2e%2e/etc/passwd' '/sub/..%2f..%2f..%2fetc/passwd' '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd'; do
        local out
        out=$(raw "GET ${t//%/%%} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        grep -q '^HTTP/1.1 403 ' <<<"$out" && ! grep -q 'root:' <<<"$out" || bad_trav="$bad_trav $t"
    done
    raw 'GET /a.txt%%00.html HTTP/1.1\r\nHost: x\r\n\r\n' | grep -q '^HTTP/1.1 400 ' || bad_trav="$bad_trav NUL"
    [ -z "$bad_trav" ] && pass httpd-path-traversal || fail httpd-path-traversal "not refused:$bad_trav"

    # A client stuck half-way through its request holds up nobody else.
    ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf "GET /a.txt HT" >&3; sleep 4' &
    local slow=$!
    sleep 0.3
    run_with_timeout 3 ip netns exec "$NS" curl -sf "$url/a.txt"
    expect_status 0 && pass httpd-slow-client || fail httpd-slow-client "$WHY"
    kill "$slow" 2>/dev/null
    wait "$slow" 2>/dev/null

    if have wrk httpd-wrk; then
        run_with_timeout 30 ip netns exec "$NS" wrk -t 2 -c 256 -d 3s "$url/f1000.bin"
        if expect_status 0 && expect_output 'Requests/sec' && expect_no_output 'Socket errors|Non-2xx'; then
            pass httpd-wrk
            echo "httpd wrk (256 connections, 1000 B): $(grep 'Requests/sec' <<<"$OUTPUT" | tr -s ' ')"
        else
            fail httpd-wrk "$WHY"
        fi
    fi
    kill -0 "$SERVER_PID" 2>/dev/null && pass httpd-alive || fail httpd-alive "httpd died: $(tail -c 300 "$TEST_TMP/httpd.log")"
    stop_server
}

# ---------------------------------------------------------------- kvstore
# rc NAME EXPECTED ARGS...: redis-cli ARGS in the namespace prints EXPECTED (lines joined by '|').
rc() {
    local name=$1 want=$2 got
    shift 2
    got=$(in_ns timeout 5 redis-cli "$@" 2>&1 | if [ -n "${SORTED:-}" ]; then sort; else cat; fi |
        tr '\n' '|' | sed 's/|*$//')
    [ "$got" = "$want" ] && pass "$name" || fail "$name" "redis-cli $* gave '$got', expected '$want'"
}

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
    in_ns redis-cli INFO | grep -q '^db0:keys=6,' && pass kv-info || fail kv-info "no db0:keys=6 line"
    rc kv-config-get 'appendonly|yes' CONFIG GET appendonly
    rc kv-unknown "ERR unknown command 'NOSUCH'" NOSUCH x
    rc kv-arity "ERR wrong number of arguments for 'get' command" GET
    rc kv-quit OK QUIT
    rc kv-flushall OK FLUSHALL
    rc kv-dbsize-after-flush 0 DBSIZE
}

# kv_raw INPUT: sends INPUT (printf format) to kvstore through nc and prints the reply.
kv_raw() { printf "$1" | in_ns timeout 5 nc -N 127.0.0.1 6379 | tr -d '\r'; }

kvstore_protocol() {
    [ "$(kv_raw 'PING\r\nSET "a b" "x\\ny"\r\nGET "a b"\r\n' | tr '\n' '|')" = '+PONG|+OK|$3|x|y|' ] &&
        pass kv-inline || fail kv-inline "got '$(kv_raw 'PING\r\n' | tr '\n' '|')'"
    [ "$(kv_raw '*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$3\r\na b\r\n' | tr '\n' '|')" = '+PONG|$3|x|y|' ] &&
        pass kv-resp-pipelined || fail kv-resp-pipelined "pipelined RESP commands got a wrong reply"
    kv_raw '*1\r\n$x\r\nPING\r\n' | grep -q '^-ERR Protocol error' && pass kv-protocol-error ||
        fail kv-protocol-error "no protocol error reply"
    kv_raw 'SET q "unbalanced\r\n' | grep -q '^-ERR Protocol error' && pass kv-unbalanced-quotes ||
        fail kv-unbalanced-quotes "no protocol error reply"
    rc kv-alive-after-errors PONG PING
}

kvstore_bench() {
    have redis-benchmark kv-benchmark || return
    run_with_timeout 120 ip netns exec "$NS" redis-benchmark -h 127.0.0.1 -t set,get -n 20000 -P 16 -q
    OUTPUT=$(tr '\r' '\n' <<<"$OUTPUT") # its progress lines end in CR
    if expect_status 0 && expect_output '^SET: .*requests per second' '^GET: .*requests per second'; then
        pass kv-benchmark
        printf '%s\n' "$OUTPUT" | grep -E '^(SET|GET): .*requests per second' | sed 's/^/kvstore /'
    else
        fail kv-benchmark "$WHY"
    fi
}

# kv_count_present PREFIX N: prints how many of PREFIX1..PREFIXN exist.
kv_count_present() {
    local total=0 i j
    for ((i = 1; i <= $2; i += 1000)); do
        local keys=()
        for ((j = i; j <= $2 && j < i + 1000; j++)); do keys+=("$1$j"); done
        total=$((total + $(in_ns redis-cli EXISTS "${keys[@]}")))
    done
    echo "$total"
}

kvstore_durability() {
    local log=$TEST_TMP/dur.aof
    start_server "$TEST_TMP/kv2.log" "$KVSTORE" --aof "$log" --appendfsync always || { fail kv-durability "$WHY"; return; }
    seq 1 300 | sed 's/.*/SET d& value&/' | in_ns redis-cli >"$TEST_TMP/acks"
    stop_server KILL
    # Acknowledged writes racing the kill: every key whose OK came back must be there after the restart.
    start_server "$TEST_TMP/kv2.log" "$KVSTORE" --aof "$log" --appendfsync always || { fail kv-durability "$WHY"; return; }
    seq 1 1000000 | sed 's/.*/SET r& value&/' | in_ns redis-cli >"$TEST_TMP/racing" 2>/dev/null &
    local writer=$!
    sleep 1.5
    stop_server KILL
    wait "$writer" 2>/dev/null
    local acked
    acked=$(grep -c '^OK$' "$TEST_TMP/racing")
    start_server "$TEST_TMP/kv2.log" "$KVSTORE" --aof "$log" --appendfsync always || { fail kv-durability "$WHY"; return; }
    local d r
    d=$(kv_count_present d 300)
    r=$(kv_count_present r "$acked")
    [ "$(grep -c '^OK$' "$TEST_TMP/acks")" = 300 ] && [ "$d" = 300 ] && [ "$acked" -gt 0 ] && [ "$r" = "$acked" ] &&
        [ "$(in_ns redis-cli GET d300)" = value300 ] && pass kv-durability ||
        fail kv-durability "after kill -9: $d of 300 keys, $r of $acked racing acknowledged keys"
    echo "kvstore durability: $acked acknowledged SETs (appendfsync always, one client) before kill -9, all found"
    stop_server KILL

    # A torn tail: cut the log inside its last record, which is then dropped, and the log goes on.
    local torn=$TEST_TMP/torn.aof big
    big=$(head -c 3000 /dev/zero | tr '\0' z)
    start_server "$TEST_TMP/kv3.log" "$KVSTORE" --aof "$torn" || { fail kv-torn-tail "$WHY"; return; }
    for i in 1 2 3 4 5; do in_ns redis-cli SET "t$i" "v$i" >/dev/null; done
    in_ns redis-cli SET big "$big" >/dev/null
    stop_server KILL
    truncate -s $(($(stat -c %s "$torn") - 1500)) "$torn"
    if start_server "$TEST_TMP/kv3.log" "$KVSTORE" --aof "$torn" &&
        [ "$(in_ns redis-cli EXISTS t1 t2 t3 t4 t5 big)" = 5 ] && grep -q '5 records replayed' "$TEST_TMP/kv3.log" &&
        [ "$(in_ns redis-cli SET after yes)" = OK ]; then
        stop_server KILL
        if start_server "$TEST_TMP/kv3.log" "$KVSTORE" --aof "$torn" && [ "$(in_ns redis-cli EXISTS t5 after big)" = 2 ]; then
            pass kv-torn-tail
        else
            fail kv-torn-tail "a write after the torn tail was lost: $(tr '\n' '|' <"$TEST_TMP/kv3.log")"
        fi
    else
        fail kv-torn-tail "replay of the cut log: $(tr '\n' '|' <"$TEST_TMP/kv3.log")"
    fi
    stop_server KILL

    # Garbage in place of the last record (a raw disk keeps what it had): dropped the same way.
    start_server "$TEST_TMP/kv3.log" "$KVSTORE" --aof "$torn" || { fail kv-garbage-tail "$WHY"; return; }
    in_ns redis-cli SET big "$big" >/dev/null
    stop_server KILL
    head -c 1000 /dev/urandom | dd of="$torn" bs=1 seek=$(($(stat -c %s "$torn") - 2500)) conv=notrunc status=none
    if start_server "$TEST_TMP/kv3.log" "$KVSTORE" --aof "$torn" && [ "$(in_ns redis-cli EXISTS t1 t5 after big)" = 3 ]; then
        pass kv-garbage-tail
    else
        fail kv-garbage-tail "$(tr '\n' '|' <"$TEST_TMP/kv3.log")"
    fi
    stop_server KILL

    # A fresh zeroed file is an empty log; a file of something else is refused.
    truncate -s 1M "$TEST_TMP/zero.aof"
    if start_server "$TEST_TMP/kv4.log" "$KVSTORE" --aof "$TEST_TMP/zero.aof" && [ "$(in_ns redis-cli DBSIZE)" = 0 ] &&
        [ "$(in_ns redis-cli SET z 1)" = OK ]; then
        pass kv-zeroed-log
    else
        fail kv-zeroed-log "$(tr '\n' '|' <"$TEST_TMP/kv4.log")"
    fi
    stop_server KILL
    echo 'not a log' >"$TEST_TMP/text.aof"
    run_with_timeout 5 "$KVSTORE" -p 6390 --aof "$TEST_TMP/text.aof"
    expect_status 1 && expect_output 'not a kvstore log' && pass kv-refuses-foreign-log || fail kv-refuses-foreign-log "$WHY"

    # FLUSHALL starts the log again: nothing older comes back.
    start_server "$TEST_TMP/kv4.log" "$KVSTORE" --aof "$log" || { fail kv-flushall-log "$WHY"; return; }
    in_ns redis-cli FLUSHALL >/dev/null
    in_ns redis-cli SET fresh 1 >/dev/null
    stop_server KILL
    start_server "$TEST_TMP/kv4.log" "$KVSTORE" --aof "$log" && [ "$(in_ns redis-cli DBSIZE)" = 1 ] &&
        pass kv-flushall-log || fail kv-flushall-log "DBSIZE $(in_ns redis-cli DBSIZE) after FLUSHALL, SET, restart"
    stop_server KILL
}

# The log on a raw block device (a loop device over a zeroed file), as /dev/vdb is in the unikernel.
LOOP=
trap '_netns_exit_loop' EXIT
_netns_exit_loop() {
    [ -z "$LOOP" ] || losetup -d "$LOOP"
    _netns_exit
}
kvstore_blockdev() {
    local name=kv-block-device
    truncate -s 64K "$TEST_TMP/disk.img"
    if ! LOOP=$(losetup -f --show "$TEST_TMP/disk.img" 2>/dev/null); then
        LOOP=
        skip "$name" "no loop device can be set up here"
        return
    fi
    start_server "$TEST_TMP/kv5.log" "$KVSTORE" --aof "$LOOP" || { fail "$name" "$WHY"; return; }
    # 64 KiB: the header and 127 one-sector writes; then writes are refused, reads still work.
    seq 1 130 | sed 's/.*/SET b& v&/' | in_ns redis-cli >"$TEST_TMP/block-acks"
    local acked full
    acked=$(grep -c '^OK$' "$TEST_TMP/block-acks")
    full=$(grep -c 'log device is full' "$TEST_TMP/block-acks")
    stop_server KILL
    if start_server "$TEST_TMP/kv5.log" "$KVSTORE" --aof "$LOOP" && [ "$acked" = 127 ] && [ "$full" = 3 ] &&
        [ "$(kv_count_present b 127)" = 127 ] && grep -q '127 records replayed' "$TEST_TMP/kv5.log"; then
        pass "$name"
    else
        fail "$name" "$acked acknowledged, $full refused; $(tr '\n' '|' <"$TEST_TMP/kv5.log")"
    fi
    stop_server KILL
    losetup -d "$LOOP"
    LOOP=
}

if [ -x "$HTTPD" ] && have curl httpd; then
    httpd_tests
else
    skip httpd "$HTTPD is not built (make linux-apps) or curl is missing"
fi
if [ -x "$KVSTORE" ] && have redis-cli kvstore; then
    if start_server "$TEST_TMP/kv.log" "$KVSTORE" --aof "$TEST_TMP/kv.aof" --appendfsync everysec; then
        kvstore_commands
        kvstore_protocol
        kvstore_bench
        kill -0 "$SERVER_PID" 2>/dev/null && pass kv-alive || fail kv-alive "kvstore died: $(tail -c 300 "$TEST_TMP/kv.log")"
        stop_server
    else
        fail kv-start "$WHY"
    fi
    kvstore_durability
    kvstore_blockdev
else
    skip kvstore "$KVSTORE is not built (make linux-apps) or redis-cli is missing"
fi
