#!/bin/bash
# bench_smoke.sh: `unikit bench --quick --only size,surface` into a scratch folder: report.md and CSVs with numbers, nothing left behind.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

need_root bench-smoke || exit 0
need_file bench-smoke "$UNIKIT" "$UNIKIT is missing: run make first" || exit 0
for t in jq gcc ip nsenter; do
    command -v "$t" >/dev/null || { skip bench-smoke "$t is not installed (tools/deps.sh)"; exit 0; }
done

OUT=$TEST_TMP/report
# What other benches on this machine have now, so that only this run's leftovers count.
before_tmp=$(ls -d /tmp/unikit-bench.* 2>/dev/null | sort)
before_ns=$(ip netns list 2>/dev/null | grep -o '^ukbench-[0-9]*' | sort)
before_cg=$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'unikit-bench-*' 2>/dev/null | sort)
run_with_timeout 180 "$UNIKIT" bench --quick --only size,surface --out "$OUT"
if expect_status 0 && expect_output 'cleaned up: nothing left behind'; then
    pass bench-smoke-run
else
    fail bench-smoke-run "$WHY"
fi

# report.md: the machine at the top, the summary table, both sections, the clean-up line.
if [ -f "$OUT/report.md" ] &&
    grep -q '^| kernel | ' "$OUT/report.md" && grep -q '^| QEMU | ' "$OUT/report.md" &&
    grep -q '^## Summary' "$OUT/report.md" && grep -q '^## Image size' "$OUT/report.md" &&
    grep -q '^## Host attack surface' "$OUT/report.md" && grep -q 'nothing left behind' "$OUT/report.md"; then
    pass bench-smoke-report
else
    fail bench-smoke-report "report.md missing or incomplete: $(head -c 300 "$OUT/report.md" 2>/dev/null | tr '\n' '|')"
fi

# The CSVs: a header and at least one row with a number in the column that matters.
bad=""
check_csv() {
    local f=$OUT/$1 col=$2
    [ -f "$f" ] && [ "$(tail -n +2 "$f" | cut -d, -f"$col" | grep -cE '^[0-9]+(\.[0-9]+)?$')" -ge 1 ] || bad="$bad $1"
}
check_csv size.csv 3
check_csv surface_syscalls.csv 5
check_csv surface_code.csv 5
check_csv summary.csv 4
[ -z "$bad" ] && pass bench-smoke-csv || fail bench-smoke-csv "no numbers in:$bad"

# The VMM's allowlist as the kernel holds it is what the VMM says it installs.
if grep -q '^vm,unikit (VMM),' "$OUT/surface_syscalls.csv" 2>/dev/null; then
    got=$(awk -F, '$1 == "vm" && $2 == "unikit (VMM)" { print $5 }' "$OUT/surface_syscalls.csv")
    want=$("$UNIKIT" run --stats --net none "$BUILD/apps/hello.elf" 2>&1 >/dev/null | sed -n 's/.*seccomp: \([0-9]*\) system calls.*/\1/p')
    [ "$got" = "$want" ] && pass bench-smoke-seccomp-count ||
        fail bench-smoke-seccomp-count "seccomp_count read $got calls, the VMM says $want"
else
    skip bench-smoke-seccomp-count "no vm path here"
fi

# Nothing left: namespaces, scratch folders, cgroups, crun state.
left=""
new_ns=$(comm -13 <(echo "$before_ns") <(ip netns list 2>/dev/null | grep -o '^ukbench-[0-9]*' | sort) | grep .)
[ -n "$new_ns" ] && left="$left namespace($(echo $new_ns))"
[ "$(ls -d /tmp/unikit-bench.* 2>/dev/null | sort)" = "$before_tmp" ] || left="$left scratch-folder"
comm -13 <(echo "$before_cg") <(find /sys/fs/cgroup -maxdepth 6 -type d -name 'unikit-bench-*' 2>/dev/null | sort) |
    grep -q . && left="$left cgroups"
# A process of a finished bench names a scratch folder that is gone (a bench still running elsewhere
# keeps its own); allow a moment for processes on their way out.
for _ in 1 2 3; do
    leaked=$(for p in $(pgrep -f '/tmp/unikit-bench\.'); do
        d=$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -o '/tmp/unikit-bench\.[A-Za-z0-9]*' | head -n 1)
        [ -n "$d" ] && [ ! -d "$d" ] && echo "$p"
    done)
    [ -z "$leaked" ] && break
    sleep 1
done
[ -n "$leaked" ] && left="$left processes($(echo $leaked))"
[ -z "$left" ] && pass bench-smoke-nothing-left || fail bench-smoke-nothing-left "left behind:$left"
