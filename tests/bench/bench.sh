#!/bin/bash
# bench.sh: `unikit bench`: the same apps through every path, interleaved, in a network namespace of its own; writes DIR/report.md, CSVs and plots.
#
#   unikit bench [--quick] [--only NAME,...] [--out DIR]      (cmd_bench.c runs this with --unikit PATH first)
#
# Two halves. The outer one makes the scratch folder and the namespace (with
# nothing in it but lo), runs the inner half inside it with nsenter (not `ip
# netns exec`, which remounts /sys without the cgroup hierarchies), then
# removes everything and checks that nothing is left: instances, crun
# containers, cgroups, the namespace (and with it the bridge, taps, veths and
# nftables rules), leases and state. The inner half builds the helpers,
# probes the paths and runs the modules: one file each beside this one.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/../.." && pwd)
MODULES_ALL=(start size surface memory throughput density)

QUICK=0 ONLY="" OUT="" UNIKIT=""
while [ $# -gt 0 ]; do
    case $1 in
    --unikit) UNIKIT=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --only=*) ONLY=${1#--only=}; shift ;;
    --out) OUT=$2; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    *) echo "unikit: bench: unknown argument \`$1\` (see \`unikit bench --help\`)" >&2; exit 125 ;;
    esac
done
[ -n "$UNIKIT" ] || UNIKIT=$BENCH_DIR/../../build/unikit
UNIKIT=$(realpath "$UNIKIT")
BUILD=$(dirname "$UNIKIT")
[ -n "$OUT" ] || OUT=bench-$(date +%Y%m%d-%H%M%S)
MODULES=()
for m in ${ONLY//,/ }; do
    case " ${MODULES_ALL[*]} " in
    *" $m "*) MODULES+=("$m") ;;
    *) echo "unikit: bench: --only $m: expected some of ${MODULES_ALL[*]}" >&2; exit 125 ;;
    esac
done
[ ${#MODULES[@]} -gt 0 ] || MODULES=("${MODULES_ALL[@]}")

. "$BENCH_DIR/common.sh"

# ---------------------------------------------------------------- outer half
if [ -z "${BENCH_INNER:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "unikit: bench: needs root (namespaces, bridges, cgroups)" >&2; exit 125; }
    for t in ip nsenter unshare jq gcc; do
        command -v "$t" >/dev/null || { echo "unikit: bench: $t is not installed (tools/deps.sh)" >&2; exit 125; }
    done
    mkdir -p "$OUT" || exit 125
    OUT=$(cd "$OUT" && pwd)
    WORK=$(mktemp -d /tmp/unikit-bench.XXXXXX)
    chmod 0711 "$WORK" # crun's containers (uid 100000) reach their root filesystems through it
    NS=ukbench-$$
    # The containers' and VMs' cgroups: unikit nests under the memory cgroup it runs
    # in; crun's go beside them. Which folders exist now, so that exactly ours go.
    MEM_SELF=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
    OCI_CGROUP=${MEM_SELF%/}/unikit-bench-$$
    BENCH_PID=$$
    export BENCH_INNER=1 WORK NS OCI_CGROUP QUICK OUT BENCH_PID
    export CG_PREEXISTING
    CG_PREEXISTING=$(d=$OCI_CGROUP; while [ "$d" != / ] && [ -n "$d" ]; do
        for c in /sys/fs/cgroup/*/; do [ -d "$c${d#/}" ] && echo "$c${d#/}"; done; d=$(dirname "$d"); done)

    cleanup() {
        local left=""
        # instances unikit knows of, crun containers, what runs in the namespace
        UNIKIT_ROOT=$WORK/root "$UNIKIT" ps -a --format json 2>/dev/null | jq -r '.[].name? // empty' 2>/dev/null |
            while read -r n; do UNIKIT_ROOT=$WORK/root nsenter --net=/run/netns/"$NS" "$UNIKIT" rm -f "$n" >/dev/null 2>&1; done
        if [ -d "$WORK/oci/state" ]; then
            for n in $(ls "$WORK/oci/state" 2>/dev/null); do OCI_DIR=$WORK/oci "$BENCH_DIR/crun.sh" rm "$n"; done
        fi
        ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
        sleep 0.2
        ip netns del "$NS" 2>/dev/null
        # cgroups: ours, deepest first, and the parents crun made that were not there before
        local c d
        for c in /sys/fs/cgroup/*/; do
            d=$c${OCI_CGROUP#/}
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
            d=$(dirname "$d")
            while [ "$d" != "${c%/}" ] && [ -d "$d" ] && ! grep -qxF "$d" <<<"$CG_PREEXISTING"; do
                rmdir "$d" 2>/dev/null || break
                d=$(dirname "$d")
            done
        done
        # what must be gone now
        ip netns list 2>/dev/null | grep -qw "$NS" && left="$left namespace"
        for c in /sys/fs/cgroup/*/; do [ -d "$c${OCI_CGROUP#/}" ] && left="$left cgroup:${c#/sys/fs/cgroup/}"; done
        [ -n "$(find /sys/fs/cgroup -maxdepth 7 -type d -name "b$BENCH_PID*" 2>/dev/null | head -n 1)" ] && left="$left unikit-cgroups"
        [ -n "$(ls "$WORK/root" 2>/dev/null)" ] && left="$left instance-state"
        [ -n "$(find "$WORK/root/.net" -type f 2>/dev/null)" ] && left="$left leases"
        pgrep -f "$WORK/" >/dev/null && left="$left processes"
        rm -rf "$WORK"
        if [ -f "$OUT/report.md" ]; then
            {
                echo
                echo "## Clean-up"
                echo
                if [ -z "$left" ]; then
                    echo "Every instance, crun container, cgroup, lease and the namespace (with its bridge, taps, veths and nftables rules) was removed at the end, and checked: nothing left behind."
                else
                    echo "**Left behind after clean-up:**$left"
                fi
            } >>"$OUT/report.md"
        fi
        [ -z "$left" ] && log "cleaned up: nothing left behind" || log "left behind:$left"
        [ -z "$left" ]
    }
    INNER=""
    trap '[ -n "$INNER" ] && kill -TERM "$INNER" 2>/dev/null && wait "$INNER"; cleanup; exit 130' INT TERM
    ip netns add "$NS" || { echo "unikit: bench: cannot create namespace $NS" >&2; rm -rf "$WORK"; exit 125; }
    ip -n "$NS" link set lo up
    t0=$(date +%s)
    nsenter --net=/run/netns/"$NS" bash "$BENCH_DIR/bench.sh" --unikit "$UNIKIT" ${ONLY:+--only "$ONLY"} --out "$OUT" \
        $([ "$QUICK" = 1 ] && echo --quick) &
    INNER=$!
    wait "$INNER"
    rc=$?
    INNER=""
    cleanup || rc=1
    log "done in $(($(date +%s) - t0)) s: $OUT/report.md"
    exit $rc
fi

# ---------------------------------------------------------------- inner half (in the namespace)
export UNIKIT UNIKIT_ROOT=$WORK/root UNIKIT_BRIDGE=ukbb$$ SUBNET_BASE=10.123
export UNIKIT_SUBNET=$SUBNET_BASE.0.0/16 OCI_DIR=$WORK/oci OCI_BRIDGE=ukbb$$ OCI_GW=$SUBNET_BASE.0.1 OCI_PREFIX=16
unset UNIKIT_NETNS UNIKIT_NET
mkdir -p "$UNIKIT_ROOT" "$WORK/bin" "$OCI_DIR/inst"
CG_MEMORY_MNT=/sys/fs/cgroup/memory
CG_CPUACCT_MNT=/sys/fs/cgroup/cpuacct
[ -d $CG_CPUACCT_MNT ] || CG_CPUACCT_MNT=/sys/fs/cgroup/cpu,cpuacct
. "$BENCH_DIR/paths.sh"
trap 'inst_stop_all' EXIT
trap 'exit 130' INT TERM

# Helpers: built here, so that `unikit bench` needs nothing but a built tree.
CC=${CC:-gcc}
for h in bench_time seccomp_count; do
    $CC -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE -o "$WORK/bin/$h" "$BENCH_DIR/$h.c" || exit 1
done
$CC -static -O2 -o "$WORK/bin/hello" "$BENCH_DIR/../../apps/hello/hello.c" -lm || exit 1
for f in "$BUILD/apps/hello.elf" "$BUILD/apps/httpd.elf" "$BUILD/apps/kvstore.elf" "$BUILD/linux/httpd" "$BUILD/linux/kvstore"; do
    [ -f "$f" ] || { log "$f is missing: run make first"; exit 1; }
done

# The site httpd serves (a 1 KiB file and an index), as the tar disk every path gets.
mkdir -p "$WORK/site"
head -c 1024 /dev/urandom >"$WORK/site/1k.bin"
echo '<h1>unikit bench</h1>' >"$WORK/site/index.html"
SITE_TAR=$WORK/site.tar
tar -C "$WORK/site" --owner=0 --group=0 -cf "$SITE_TAR" .

# crun's bundles: one shared read-only root per app; a config template per app (@NAME@ per instance).
if command -v crun >/dev/null && command -v jq >/dev/null; then
    T=$BENCH_DIR/../../tools/oci_bundle.sh
    "$T" --rootfs "$OCI_DIR/rootfs-hello" --cgroup "$OCI_CGROUP/hello" "$OCI_DIR/hello" "$WORK/bin/hello" >/dev/null &&
        "$T" --rootfs "$OCI_DIR/rootfs-httpd" --tar "$SITE_TAR" --cgroup "$OCI_CGROUP/@NAME@" "$OCI_DIR/tpl-httpd" \
            "$BUILD/linux/httpd" -p 80 -r / &&
        "$T" --rootfs "$OCI_DIR/rootfs-kvstore" --cgroup "$OCI_CGROUP/@NAME@" "$OCI_DIR/tpl-kvstore" \
            "$BUILD/linux/kvstore" -p 6379 &&
        cp "$OCI_DIR/tpl-httpd/config.json" "$OCI_DIR/httpd.json" &&
        cp "$OCI_DIR/tpl-kvstore/config.json" "$OCI_DIR/kvstore.json"
fi

rm -f "$OUT"/*.csv "$OUT"/*.svg "$OUT/report.md"
rm -rf "$OUT/.sections"
csv summary.csv metric unit path value
MODULE=probe
paths_probe
log "paths: ${PATHS[*]}$(for p in "${!SKIPPED[@]}"; do printf '; %s skipped: %s' "$p" "${SKIPPED[$p]}"; done)"

for m in "${MODULES[@]}"; do
    MODULE=$m
    log "---- $m"
    t_mod=$(date +%s)
    . "$BENCH_DIR/$m.sh"
    "bench_$m"
    inst_stop_all
    progress_end
    log "$m took $(($(date +%s) - t_mod)) s"
done

. "$BENCH_DIR/report.sh"
report_write
