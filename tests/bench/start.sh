# start.sh: start latency — hello exec to exit, httpd exec to the first HTTP 200, and where a VM's start goes (exits counted).

bench_start() {
    local rounds=50 httpd_rounds=20 split_rounds=20 r p out name t total done=0
    if [ "$QUICK" = 1 ]; then rounds=10 httpd_rounds=5 split_rounds=5; fi
    section start "Start latency"

    # hello: exec -> exit, every path once a round
    csv start_hello.csv round path wall_ms first_output_ms status
    total=$((rounds * ${#PATHS[@]}))
    for r in $(seq 1 "$rounds"); do
        for p in "${PATHS[@]}"; do
            progress "hello on $p" "$done" "$total"
            hello_cmd "$p"
            out=$("$WORK/bin/bench_time" run "${CMD[@]}")
            csv start_hello.csv "$r" "$p" ${out// /,}
            done=$((done + 1))
        done
    done

    # httpd: exec -> first HTTP 200 on its bridge address; then stopped and removed
    csv start_httpd.csv round path first_200_ms
    done=0 total=$((httpd_rounds * ${#PATHS[@]}))
    for r in $(seq 1 "$httpd_rounds"); do
        for p in "${PATHS[@]}"; do
            progress "httpd on $p" "$done" "$total"
            next_name "$p"; name=$NAME
            inst_start "$p" "$name" httpd 20000
            csv start_httpd.csv "$r" "$p" "$START_MS"
            inst_stop "$name"
            done=$((done + 1))
        done
    done

    # The own VMM's split, from `unikit run --stats` (hello): the launcher before the VMM,
    # the VMM's host set-up, the guest's boot to main()'s first output, main() to exit.
    local have_vm=0
    for p in "${PATHS[@]}"; do [ "$p" = vm ] && have_vm=1; done
    if [ $have_vm = 1 ]; then
        csv start_split.csv round launcher_ms host_setup_ms boot_to_main_ms main_to_exit_ms wall_ms exits
        for r in $(seq 1 "$split_rounds"); do
            progress "vm split (--stats)" "$r" "$split_rounds"
            "$UNIKIT" run --stats --vmm kvm --net none "$BUILD/apps/hello.elf" 2>"$WORK/stats.txt" >/dev/null </dev/null
            awk -v r="$r" '
                /stats: exits [0-9]+$/ { exits = $NF }
                /stats: host setup/ { gsub(",", ""); setup = $5; first_out = $13; tot = $16 }
                /stats: backend kvm, wall/ { gsub(",", ""); wall = $6 }
                END { printf "%s,%.3f,%.3f,%.3f,%.3f,%.1f,%s\n", r, wall - tot, setup, first_out - setup, tot - first_out, wall, exits }' \
                "$WORK/stats.txt" >>"$OUT/start_split.csv"
        done
    fi

    # ---- report
    md "Each path runs the same program: the unikernel image (vm: unikit's VMM on /dev/kvm; qemu: QEMU microvm," \
        "$(qemu_accel_note)) or the app's static Linux build (container: \`unikit run --runtime container\`; crun: an OCI bundle" \
        "made by tools/oci_bundle.sh). Paths interleaved: round r runs every path once, in turn." ""
    md "**hello, exec → exit** ($rounds runs each; whole process: fork of the command to the end of its wait, its output read from a pipe; first output: to hello's first line, printed in main()):" ""
    csv start_hello_summary.csv path median_ms p99_ms first_output_median_ms
    for p in "${PATHS[@]}"; do
        csv start_hello_summary.csv "$p" "$(quantile_where "$OUT/start_hello.csv" 3 0.5 2 "$p")" \
            "$(quantile_where "$OUT/start_hello.csv" 3 0.99 2 "$p")" "$(quantile_where "$OUT/start_hello.csv" 4 0.5 2 "$p")"
        summary "hello exec→exit (median)" ms "$p" "$(quantile_where "$OUT/start_hello.csv" 3 0.5 2 "$p")"
    done
    md_table start_hello_summary.csv
    md "**httpd, exec → first HTTP 200** ($httpd_rounds runs each; \`unikit run -d --net bridge\` or crun create + veth + start, then GET / every millisecond to its address on the bridge, each try a fresh connection; -1 = no answer within 20 s):" ""
    csv start_httpd_summary.csv path median_ms p99_ms failures
    for p in "${PATHS[@]}"; do
        csv start_httpd_summary.csv "$p" "$(quantile_where "$OUT/start_httpd.csv" 3 0.5 2 "$p")" \
            "$(quantile_where "$OUT/start_httpd.csv" 3 0.99 2 "$p")" \
            "$(awk -F, -v p="$p" '$2 == p && $3 == -1' "$OUT/start_httpd.csv" | wc -l)"
        summary "httpd exec→first HTTP 200 (median)" ms "$p" "$(quantile_where "$OUT/start_httpd.csv" 3 0.5 2 "$p")"
    done
    md_table start_httpd_summary.csv
    if [ -f "$OUT/start_split.csv" ]; then
        md "**Where a start goes under unikit's VMM** (hello, \`unikit run --stats\`, $split_rounds runs, medians): launcher = the launcher's own work before and after the VMM (instance state, cgroup, fork, wait, clean-up); host set-up = the VMM from its start to the first KVM_RUN; boot to main = first KVM_RUN to main()'s first console write; main to exit = the rest. Exits = every VM exit of the run, each one a round trip through the VMM (a hypercall or port I/O)." ""
        csv start_split_summary.csv what median
        local i cols=(round launcher_ms host_setup_ms boot_to_main_ms main_to_exit_ms wall_ms exits)
        for i in 2 3 4 5 6 7; do
            csv start_split_summary.csv "${cols[$((i - 1))]}" "$(quantile "$OUT/start_split.csv" "$i" 0.5)"
        done
        md_table start_split_summary.csv
        summary "vm: VM exits to boot and run hello" count vm "$(quantile "$OUT/start_split.csv" 7 0.5)"
    fi
    md "QEMU's own split is not instrumented; its first-output column above is the same boundary (main()'s first write) seen from outside." ""
    plot start_hello "hello exec→exit per round" round ms start_hello.csv 1 3 2
    plot start_httpd "httpd exec→first HTTP 200 per round" round ms start_httpd.csv 1 3 2
    md "Raw samples: start_hello.csv, start_httpd.csv$([ -f "$OUT/start_split.csv" ] && echo ", start_split.csv")." ""
}

# The accelerator unikit's QEMU backend picks here (vmx/svm in /proc/cpuinfo: kvm, else tcg).
qemu_accel_note() {
    if grep -qwE 'vmx|svm' /proc/cpuinfo; then echo "accel kvm (the CPU offers vmx/svm)"; else echo "accel tcg (this CPU offers no vmx/svm to QEMU)"; fi
}
