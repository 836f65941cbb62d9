# density.sh: httpd instances on one path until a memory budget or a count is reached; every one must answer; everything removed afterwards.
#
# BENCH_DENSITY_BUDGET_MIB (default 4096; --quick 512) and BENCH_DENSITY_MAX (default 1000; --quick 40).
# A path also stops when the host is saturated — the 1-minute load average above 8 per CPU, or
# one start slower than 5 s — since past that the checks and the clean-up crawl, and what is
# measured is the CPU, not memory.

bench_density() {
    local budget=${BENCH_DENSITY_BUDGET_MIB:-4096} max=${BENCH_DENSITY_MAX:-1000}
    if [ "$QUICK" = 1 ]; then budget=${BENCH_DENSITY_BUDGET_MIB:-512} max=${BENCH_DENSITY_MAX:-40}; fi
    section density "Density"
    csv density.csv path n start_ms memavailable_drop_mib
    csv density_summary.csv path instances stopped_by answering start_all_s stop_all_s memavailable_drop_mib left_after
    local p n name base drop t0 t1 why names ok
    for p in "${PATHS[@]}"; do
        base=$(mem_available_settled)
        names=() n=0 why=count drop=0
        t0=$(date +%s%N)
        while [ "$n" -lt "$max" ]; do
            next_name "$p"; name=$NAME
            if ! inst_start "$p" "$name" httpd 20000; then
                why="a start failed (instance $((n + 1)))"
                inst_stop "$name"
                break
            fi
            names+=("$name")
            n=$((n + 1))
            drop=$(((base - $(mem_available_kib)) / 1024))
            csv density.csv "$p" "$n" "$START_MS" "$drop"
            progress "httpd on $p: $n instances, $drop MiB of $budget" "$n" "$max"
            if [ "$drop" -ge "$budget" ]; then why="memory budget"; break; fi
            if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v c="$(nproc)" 'BEGIN { exit !(l > 8 * c) }'; then
                why="host CPU saturated (load average $(cut -d' ' -f1 /proc/loadavg))"
                break
            fi
            if awk -v t="$START_MS" 'BEGIN { exit !(t > 5000) }'; then why="a start took over 5 s"; break; fi
        done
        t1=$(date +%s%N)
        local ok_ips=""
        for name in "${names[@]}"; do
            inst_info "$name" && curl -s -m 3 -o /dev/null -w '%{http_code}' "http://$IP/" 2>/dev/null | grep -q 200 &&
                ok_ips="$ok_ips $IP"
        done
        ok=$(printf '%s\n' $ok_ips | sort -u | grep -c .) # distinct addresses that answered
        local s0 s1 left
        s0=$(date +%s%N)
        for name in "${names[@]}"; do inst_stop "$name"; done
        s1=$(date +%s%N)
        # what is left of this path: instances unikit knows, crun containers, interfaces on the bridge
        sleep 1 # a veth goes when its namespace's last process is gone
        left=$("$UNIKIT" ps -a --format json 2>/dev/null | jq 'length' 2>/dev/null)
        left=$((${left:-0} + $(ls "$OCI_DIR/state" 2>/dev/null | wc -l) + $(ip -o link | grep -cE ' (ukt|ukv|uko)')))
        [ "$left" = 0 ] || log "density: left after $p: $("$UNIKIT" ps -a 2>/dev/null | tail -n +2 | awk '{ print $1 }' | tr '\n' ' ')$(ls "$OCI_DIR/state" 2>/dev/null | tr '\n' ' ')$(ip -o link | grep -oE ' (ukt|ukv|uko)[^:@]*' | tr '\n' ' ')"
        csv density_summary.csv "$p" "$n" "$why" "$ok" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')" \
            "$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')" "$drop" "$left"
        summary "density: httpd instances in the budget (or the cap)" count "$p" "$n"
        summary "density: MemAvailable per instance at the end" KiB "$p" "$(awk -v d="$drop" -v n="$n" 'BEGIN { if (n) printf "%.0f", d * 1024 / n }')"
        sleep 1
    done
    md "Paths one after another (each needs the whole budget): start httpd instances (\`unikit run -d --net bridge\`, or" \
        "crun create + veth + start), one at a time, until MemAvailable has dropped by $budget MiB from before the first" \
        "or $max are running (or the host is saturated: load average above 8 per CPU, or a start over 5 s);" \
        "then GET / of every one (*answering*), then stop and remove them all" \
        "(*stop_all_s*) and count what is left: instances in unikit's state, crun containers, taps and veths" \
        "(*left_after*, 0 = nothing). Start time is exec → first HTTP 200 of each new instance, with the ones before" \
        "it still running." ""
    md_table density_summary.csv
    plot density_memory "MemAvailable drop vs running httpd instances" instances MiB density.csv 2 4 1
    plot density_start "start (exec→first HTTP 200) vs running instances" instances ms density.csv 2 3 1
    md "All instances of every path were stopped and removed after their count; see *left_after* above and the" \
        "clean-up section at the end. Raw samples: density.csv." ""
    progress_end
}
