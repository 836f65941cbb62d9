# throughput.sh: wrk against httpd and redis-benchmark against kvstore on every path, with the serving side's CPU time per request from its cgroup.

cpuacct_ns() { cat "$1/cpuacct.usage" 2>/dev/null || echo ""; }

# CPU ns per request from two cpuacct readings, or "" when unreadable.
ns_per_req() {
    local a=$1 b=$2 reqs=$3
    [ -n "$a" ] && [ -n "$b" ] && [ "${reqs%.*}" -gt 0 ] 2>/dev/null || { echo ""; return; }
    awk -v a="$a" -v b="$b" -v r="$reqs" 'BEGIN { printf "%.0f", (b - a) / r }'
}

bench_throughput() {
    local secs=10 rounds=2 redis_n=400000 r p name c0 c1 out rps reqs lat
    [ "$QUICK" = 1 ] && { secs=5 rounds=1 redis_n=100000; }
    section throughput "Throughput"
    local have_wrk=1 have_redis=1
    command -v wrk >/dev/null || have_wrk=0
    command -v redis-benchmark >/dev/null || have_redis=0
    csv throughput_http.csv round path requests_per_s latency_avg requests errors cpu_ns_per_request
    csv throughput_kv.csv round path test requests_per_s cpu_ns_per_request
    local total=$((rounds * ${#PATHS[@]})) done=0
    for r in $(seq 1 "$rounds"); do
        for p in "${PATHS[@]}"; do
            if [ $have_wrk = 1 ]; then
                progress "wrk against httpd on $p" "$done" "$total"
                next_name "$p"; name=$NAME
                if inst_start "$p" "$name" httpd 20000 && inst_info "$name"; then
                    c0=$(cpuacct_ns "$CPUCG")
                    out=$(wrk -t 2 -c 32 -d "${secs}s" "http://$IP/1k.bin" 2>&1)
                    c1=$(cpuacct_ns "$CPUCG")
                    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
                    reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
                    lat=$(awk '$1 == "Latency" { print $2 }' <<<"$out")
                    local errs
                    errs=$(awk '/Socket errors|Non-2xx/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }' <<<"$out")
                    csv throughput_http.csv "$r" "$p" "${rps:-0}" "${lat:--}" "${reqs:-0}" "$errs" "$(ns_per_req "$c0" "$c1" "${reqs:-0}")"
                else
                    csv throughput_http.csv "$r" "$p" 0 - 0 start-failed ""
                fi
                inst_stop "$name"
            fi
            if [ $have_redis = 1 ]; then
                progress "redis-benchmark against kvstore on $p" "$done" "$total"
                next_name "$p"; name=$NAME
                if inst_start "$p" "$name" kvstore 20000 && inst_info "$name"; then
                    local t
                    for t in set get; do
                        c0=$(cpuacct_ns "$CPUCG")
                        out=$(timeout 300 redis-benchmark -h "$IP" -p 6379 -c 30 -P 16 -n "$redis_n" -t "$t" -q 2>&1 | tr '\r' '\n' | grep -E '^(SET|GET):' | tail -n 1)
                        c1=$(cpuacct_ns "$CPUCG")
                        rps=$(awk '{ print $2 }' <<<"$out")
                        csv throughput_kv.csv "$r" "$p" "$t" "${rps:-0}" "$(ns_per_req "$c0" "$c1" "$redis_n")"
                    done
                else
                    csv throughput_kv.csv "$r" "$p" set 0 start-failed
                fi
                inst_stop "$name"
            fi
            done=$((done + 1))
        done
    done

    md "wrk: 2 threads, 32 connections, keep-alive, ${secs} s, GET of a 1 KiB file; redis-benchmark: 30 connections," \
        "pipeline 16, $redis_n requests per test (SET, then GET), one instance per run, $rounds round(s), paths" \
        "interleaved. The clients run in the bench's namespace on the same $(nproc) CPUs as the servers, so" \
        "these are figures of the whole machine, client included. CPU per request = the instance cgroup's" \
        "cpuacct.usage across the run (the VMM or QEMU with its guest, or the container's processes), divided" \
        "by the requests served." ""
    if [ $have_wrk = 1 ]; then
        csv throughput_http_summary.csv path requests_per_s cpu_us_per_request
        for p in "${PATHS[@]}"; do
            local v c
            v=$(quantile_where "$OUT/throughput_http.csv" 3 0.5 2 "$p")
            c=$(quantile_where "$OUT/throughput_http.csv" 7 0.5 2 "$p")
            csv throughput_http_summary.csv "$p" "$v" "$(awk -v c="$c" 'BEGIN { if (c ~ /^[0-9.]+$/) printf "%.1f", c / 1000; else print "-" }')"
            summary "httpd requests/s (wrk)" req/s "$p" "$v"
            [ "$c" != - ] && summary "httpd CPU per request (serving cgroup)" "µs" "$p" "$(awk -v c="$c" 'BEGIN { printf "%.1f", c / 1000 }')"
        done
        md "**httpd under wrk** (median over rounds):" ""
        md_table throughput_http_summary.csv
    else
        md "wrk is not installed: httpd throughput not measured." ""
    fi
    if [ $have_redis = 1 ]; then
        csv throughput_kv_summary.csv path test requests_per_s cpu_us_per_request
        local t
        for p in "${PATHS[@]}"; do
            for t in set get; do
                local v c
                v=$(awk -F, -v p="$p" -v t="$t" '$2 == p && $3 == t { print $4 }' "$OUT/throughput_kv.csv" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
                c=$(awk -F, -v p="$p" -v t="$t" '$2 == p && $3 == t && $5 ~ /^[0-9]+$/ { print $5 }' "$OUT/throughput_kv.csv" | sort -g | awk '{ a[NR] = $1 } END { if (NR) printf "%.2f", a[int((NR + 1) / 2)] / 1000; else print "-" }')
                csv throughput_kv_summary.csv "$p" "$t" "$v" "$c"
                summary "kvstore $t requests/s (redis-benchmark -P 16)" req/s "$p" "$v"
            done
        done
        md "**kvstore under redis-benchmark** (median over rounds):" ""
        md_table throughput_kv_summary.csv
    else
        md "redis-benchmark is not installed: kvstore throughput not measured." ""
    fi
    md "Raw samples: throughput_http.csv, throughput_kv.csv." ""
    progress_end
}
