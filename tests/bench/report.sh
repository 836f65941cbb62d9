# report.sh: writes $OUT/report.md — the machine at the top, the summary table of ratios, then each module's section.

report_write() {
    local r=$OUT/report.md q=${UNIKIT_QEMU:-qemu-system-x86_64}
    {
        echo "# unikit bench: unikernels against containers on one machine"
        echo
        echo "| | |"
        echo "|---|---|"
        echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
        echo "| run | $([ "$QUICK" = 1 ] && echo "--quick" || echo "full")$([ -n "$ONLY" ] && echo ", --only $ONLY") |"
        echo "| kernel | $(uname -sr) |"
        echo "| CPU | $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs; $(grep -qwE 'vmx|svm' /proc/cpuinfo && echo "vmx/svm offered" || echo "no vmx/svm: KVM here is $(ls /sys/module | grep -E '^kvm_' | tr '\n' ' ')") |"
        echo "| memory | $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
        echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME") |"
        echo "| cgroups | $([ -d /sys/fs/cgroup/memory ] && echo "v1 controllers$(mountpoint -q /sys/fs/cgroup/unified && echo ", hybrid (v2 tree at unified/)")" || echo v2) |"
        echo "| unikit | $("$UNIKIT" --version) ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo "no git")) |"
        echo "| QEMU | $("$q" --version 2>/dev/null | head -n 1 || echo "not installed") |"
        echo "| crun | $(crun --version 2>/dev/null | head -n 1 || echo "not installed") |"
        echo "| clients | $(wrk --version 2>&1 | head -n 1 | awk '{ print $1, $2 }'); $(redis-benchmark --version 2>/dev/null | head -n 1); $(curl --version | head -n 1 | awk '{ print $1, $2 }') |"
        echo
        echo "Paths: **vm** = the unikernel image on unikit's own VMM (/dev/kvm); **qemu** = the same image on QEMU microvm;"
        echo "**container** = the app's static Linux build under \`unikit run --runtime container\`; **crun** = the same"
        echo "build under Debian's crun with an OCI bundle from tools/oci_bundle.sh (same memory limit, a veth on the"
        echo "same bridge). All of it in a network namespace of the bench's own, paths interleaved round by round."
        echo "Figures are of this shared, noisy machine: read the ratios, which were measured side by side."
        echo
        local p
        for p in "${PATHS_ALL[@]}"; do
            [ -n "${SKIPPED[$p]:-}" ] && echo "- **$p skipped**: ${SKIPPED[$p]}"
        done
        echo
        echo "## Summary"
        echo
        echo "Medians unless the metric says otherwise; ÷ columns are ratios of the two paths' figures (lower is less)."
        echo
        report_summary_table
        echo
        cat "$OUT"/.sections/*.md 2>/dev/null
    } >"$r"
    rm -rf "$OUT/.sections"
}

report_summary_table() {
    awk -F, '
        NR == 1 { next }
        { key = $1 SUBSEP $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key; metric[n] = $1; unit[n] = $2 }
          v[key, $3] = $4 }
        function cell(x) { return (x == "" ? "–" : x) }
        function ratio(a, b) { return (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) ? sprintf("%.2f", a / b) : "–" }
        END {
            print "| metric | unit | vm | qemu | container | crun | vm ÷ container | vm ÷ crun | qemu ÷ crun | container ÷ crun |"
            print "|---|---|---|---|---|---|---|---|---|---|"
            for (i = 1; i <= n; i++) {
                k = order[i]
                a = v[k, "vm"]; b = v[k, "qemu"]; c = v[k, "container"]; d = v[k, "crun"]
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", metric[i], unit[i], cell(a), cell(b), cell(c), cell(d),
                    ratio(a, c), ratio(a, d), ratio(b, d), ratio(c, d)
            }
        }' "$OUT/summary.csv"
}
