# memory.sh: memory per idle httpd instance (MemAvailable drop over N, RSS/PSS of the host processes, cgroup usage), and the smallest -m that still boots and serves.

# RSS and PSS in KiB summed over PIDS: "rss pss".
rss_pss_kib() {
    local pid r=0 s=0 a b
    for pid in "$@"; do
        read -r a b < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } END { print r + 0, p + 0 }' "/proc/$pid/smaps_rollup" 2>/dev/null)
        r=$((r + ${a:-0})) s=$((s + ${b:-0}))
    done
    echo "$r $s"
}

# Does hello run (exit 0, its last line) / httpd serve, with -m SIZE_MIB on PATH?
fits_hello() {
    local path=$1 mib=$2
    case $path in
    vm) "$UNIKIT" run --vmm kvm --net none -m "${mib}M" "$BUILD/apps/hello.elf" ;;
    qemu) "$UNIKIT" run --vmm qemu --net none -m "${mib}M" "$BUILD/apps/hello.elf" ;;
    container) "$UNIKIT" run --runtime container --net none --memory-limit "${mib}M" "$WORK/bin/hello" ;;
    esac 2>/dev/null </dev/null | grep -q '^exiting with status 0$'
}
fits_httpd() {
    local path=$1 mib=$2 name ok=1
    next_name "$path"; name=$NAME
    case $path in
    vm | qemu) VM_MEM=${mib}M inst_start "$path" "$name" httpd 3000 && ok=0 ;;
    container) MEMORY_LIMIT=${mib}M inst_start "$path" "$name" httpd 3000 && ok=0 ;;
    esac
    inst_stop "$name"
    return $ok
}
# The smallest MiB in [lo, hi] for which `fits_APP PATH MiB` holds (hi assumed to); lo when lo does.
bisect_mib() {
    local fn=$1 path=$2 lo=$3 hi=$4 mid
    "$fn" "$path" "$lo" && { echo "$lo"; return; }
    "$fn" "$path" "$hi" || { echo ">$hi"; return; }
    while [ $((hi - lo)) -gt 1 ]; do
        mid=$(((lo + hi) / 2))
        if "$fn" "$path" "$mid"; then hi=$mid; else lo=$mid; fi
    done
    echo "$hi"
}

bench_memory() {
    local counts=(10 50 200) n p i name names before after rp t0
    [ "$QUICK" = 1 ] && counts=(10)
    section memory "Memory"
    csv memory.csv path instances answering memavailable_drop_kib_per_instance rss_kib_per_instance pss_kib_per_instance cgroup_kib_per_instance idle_cpu_pct_per_instance
    local total=$((${#counts[@]} * ${#PATHS[@]})) done=0
    for n in "${counts[@]}"; do
        for p in "${PATHS[@]}"; do
            progress "$n idle httpd on $p" "$done" "$total"
            before=$(mem_available_settled)
            names=()
            for i in $(seq 1 "$n"); do
                next_name "$p"; name=$NAME
                names+=("$name")
                inst_start "$p" "$name" httpd 20000
            done
            local ok ok_ips="" pids="" cg=0 u cpu0=0 cpu1=0
            for name in "${names[@]}"; do inst_info "$name" && cpu0=$((cpu0 + $(cat "$CPUCG/cpuacct.usage" 2>/dev/null || echo 0))); done
            sleep 2 # idle: let boot-time allocations settle
            for name in "${names[@]}"; do inst_info "$name" && cpu1=$((cpu1 + $(cat "$CPUCG/cpuacct.usage" 2>/dev/null || echo 0))); done
            after=$(mem_available_settled)
            for name in "${names[@]}"; do
                inst_info "$name" || continue
                curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$IP/" | grep -q 200 && ok_ips="$ok_ips $IP"
                pids="$pids $PIDS"
                u=$(cat "$MEMCG/memory.usage_in_bytes" 2>/dev/null || echo 0)
                cg=$((cg + u / 1024))
            done
            ok=$(printf '%s\n' $ok_ips | sort -u | grep -c .) # distinct addresses: N instances, not one N times
            # shellcheck disable=SC2086
            read -r rss pss < <(rss_pss_kib $pids)
            csv memory.csv "$p" "$n" "$ok" $(((before - after) / n)) $((rss / n)) $((pss / n)) $((cg / n)) \
                "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$n" 'BEGIN { printf "%.3f", (b - a) / 2e9 / n * 100 }')"
            for name in "${names[@]}"; do inst_stop "$name"; done
            done=$((done + 1))
        done
    done

    # The smallest guest memory (VMs: -m) or memory limit (container: --memory-limit) that still works, by bisection in MiB.
    csv memory_min.csv path app smallest_mib knob
    local lo_vm=4 hi=64
    for p in "${PATHS[@]}"; do
        [ "$p" = crun ] && continue
        progress "smallest memory: $p" 0 1
        local knob="-m"
        [ "$p" = container ] && knob="--memory-limit"
        csv memory_min.csv "$p" hello "$(bisect_mib fits_hello "$p" $([ "$p" = container ] && echo 1 || echo $lo_vm) $hi)" "$knob"
        csv memory_min.csv "$p" httpd "$(bisect_mib fits_httpd "$p" $([ "$p" = container ] && echo 1 || echo $lo_vm) $hi)" "$knob"
    done

    md "**Per idle httpd instance**, N instances of a path started at once and left idle 2 s (every one asked for / first:" \
        "*answering*). MemAvailable drop = what the whole machine lost, kernel objects included (cgroups, taps," \
        "veths, page tables), divided by N; RSS/PSS = the host processes of each instance (supervisor, VMM or QEMU," \
        "container init and app) from smaps_rollup; cgroup = memory.usage_in_bytes of the instance's cgroup (v1)." \
        "Idle CPU = the instances' cgroups' cpuacct over the 2 s idle window, per instance, in % of one CPU." \
        "VMs run with the default -m 32M (pages the guest never touched cost nothing); the shared machine moves" \
        "MemAvailable by a few MiB on its own, so the small-N rows are the noisiest." ""
    md_table memory.csv
    local last=${counts[$((${#counts[@]} - 1))]}
    for p in "${PATHS[@]}"; do
        summary "memory per idle httpd (MemAvailable drop at N=$last)" KiB "$p" \
            "$(awk -F, -v p="$p" -v n="$last" '$1 == p && $2 == n { print $4 }' "$OUT/memory.csv")"
        summary "memory per idle httpd (PSS of host processes)" KiB "$p" \
            "$(awk -F, -v p="$p" -v n="$last" '$1 == p && $2 == n { print $6 }' "$OUT/memory.csv")"
        summary "memory per idle httpd (cgroup usage)" KiB "$p" \
            "$(awk -F, -v p="$p" -v n="$last" '$1 == p && $2 == n { print $7 }' "$OUT/memory.csv")"
        summary "idle CPU per httpd instance (N=$last)" "% of a CPU" "$p" \
            "$(awk -F, -v p="$p" -v n="$last" '$1 == p && $2 == n { print $8 }' "$OUT/memory.csv")"
    done
    [ ${#counts[@]} -gt 1 ] && plot memory_per_instance "MemAvailable drop per idle httpd instance" instances KiB memory.csv 2 4 1
    md "**Smallest memory that works** (bisection in MiB between the launcher's floor and 64 MiB; hello must exit 0" \
        "having printed its last line, httpd must answer GET / with 200). For the container it is the cgroup limit" \
        "(--memory-limit), a different knob: the host kernel's memory for the process, not a guest's RAM. crun is" \
        "left out here: its limit is the same cgroup knob as the container's." ""
    md_table memory_min.csv
    for p in vm qemu; do
        local v
        v=$(awk -F, -v p="$p" '$1 == p && $2 == "httpd" { print $3 }' "$OUT/memory_min.csv")
        [ -n "$v" ] && summary "smallest -m at which httpd serves" MiB "$p" "$v"
    done
    progress_end
}
