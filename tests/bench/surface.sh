# surface.sh: host attack surface, counted — system calls each path's host processes may make, VM exits the VMM handles, privileged host code, host kernel functions entered.

UNISTD_H=/usr/include/x86_64-linux-gnu/asm/unistd_64.h

# Lines of C in FILES: all lines (wc -l) and code lines (no blank lines, no comment-only lines).
code_lines() {
    cat "$@" | awk '
        { line = $0 }
        incomment { if (sub(/.*\*\//, "", line)) incomment = 0; else next }
        { gsub(/\/\*([^*]|\*[^\/])*\*\//, "", line) }
        match(line, /\/\*/) { incomment = 1; line = substr(line, 1, RSTART - 1) }
        { sub(/\/\/.*/, "", line) }
        line ~ /[^ \t]/ { n++ }
        END { print n + 0 }'
}

# The launcher sources `unikit run` uses for every path (not the other verbs, QEMU, UEFI or bench).
launcher_common_files() {
    ls "$REPO"/launcher/*.c | grep -vE '/(cmd_(ps|stop|kill|rm|logs|stats|inspect|bench)|qemu[^/]*|uefi[^/]*|firmware_options)\.c$'
}

surface_processes() {
    local p=$1 name=$2 pid role
    inst_info "$name"
    for pid in $PIDS; do
        [ -r "/proc/$pid/comm" ] || continue
        role=$(tr -d '\n' <"/proc/$pid/comm")
        out=$("$WORK/bin/seccomp_count" "$pid" "$UNISTD_H" 2>&1 | tail -n 1)
        # "seccomp PID: filters F, allowed A of T (conditional C)" or "seccomp PID: no filter, allowed T of T"
        local allowed total cond filters
        allowed=$(sed -n 's/.*allowed \([0-9]*\) of.*/\1/p' <<<"$out")
        total=$(sed -n 's/.* of \([0-9]*\).*/\1/p' <<<"$out")
        cond=$(sed -n 's/.*(conditional \([0-9]*\)).*/\1/p' <<<"$out")
        filters=$(sed -n 's/.*filters \([0-9]*\),.*/\1/p' <<<"$out")
        local uid sup
        uid=$(awk '/^Uid:/ { print $3 }' "/proc/$pid/status")
        sup=${PIDS%% *}
        if [ "$p" != crun ] && [ "$pid" = "$sup" ]; then role="$role (supervisor)"
        elif [ "$role" = unikit ] && [ "$p" = vm ]; then role="unikit (VMM)"
        elif [ "$role" = unikit ]; then role="unikit (container init)"
        fi
        csv surface_syscalls.csv "$p" "$role" "$uid" "${filters:-0}" "$allowed" "${cond:-0}" "$total"
    done
}

ftrace_count() {
    local p=$1 name=$2 requests=$3
    inst_info "$name"
    local tids="" pid
    # the serving side: the VMM or QEMU process, or the container's app (not the supervisor)
    for pid in $(cat "$MEMCG/cgroup.procs" 2>/dev/null); do
        tids="$tids $(ls "/proc/$pid/task" 2>/dev/null | tr '\n' ' ')"
    done
    [ -n "${tids// /}" ] || { echo "-"; return; }
    local urls="" i
    for i in $(seq 1 "$requests"); do urls="$urls http://$IP/1k.bin"; done
    # tracefs in a mount namespace of its own: nothing is mounted on the host
    unshare -m --propagation private bash -c '
        T=/sys/kernel/tracing
        mount -t tracefs nodev $T 2>/dev/null || exit 3
        [ "$(cat $T/current_tracer)" = nop ] || exit 4
        old_kb=$(cat $T/buffer_size_kb)
        echo 65536 >$T/buffer_size_kb
        echo >$T/trace
        echo "$1" >$T/set_ftrace_pid
        echo function >$T/current_tracer
        shift
        curl -s $@ >/dev/null
        echo nop >$T/current_tracer
        grep -v "^#" $T/trace | grep -oE ": [A-Za-z0-9_.]+ <-" | sort -u | wc -l
        grep -h overrun $T/per_cpu/cpu*/stats | awk "{ s += \$2 } END { print s + 0 }"
        echo >$T/set_ftrace_pid
        echo >$T/trace
        echo $old_kb >$T/buffer_size_kb
    ' ftrace "$tids" $urls
}

bench_surface() {
    local p name requests=100 r
    section surface "Host attack surface"
    csv surface_syscalls.csv path process uid filters allowed conditional of

    # ---- system calls: counted from the filters the kernel holds for each running host process
    for p in "${PATHS[@]}"; do
        progress "system calls: $p" 0 1
        next_name "$p"; name=$NAME
        inst_start "$p" "$name" httpd 20000 || continue
        surface_processes "$p" "$name"
        inst_stop "$name"
    done
    local q=${UNIKIT_QEMU:-qemu-system-x86_64} opts
    if command -v "$q" >/dev/null; then
        for opts in "on" "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"; do
            "$q" -M microvm -nodefaults -display none -S -sandbox "$opts" >/dev/null 2>&1 &
            local qp=$!
            sleep 0.5
            out=$("$WORK/bin/seccomp_count" "$qp" "$UNISTD_H" 2>&1 | tail -n 1)
            csv surface_syscalls.csv "qemu -sandbox ${opts%%,*}$([ "$opts" != on ] && echo '+deny-all')" qemu-system-x86 0 \
                "$(sed -n 's/.*filters \([0-9]*\),.*/\1/p' <<<"$out")" "$(sed -n 's/.*allowed \([0-9]*\) of.*/\1/p' <<<"$out")" \
                "$(sed -n 's/.*(conditional \([0-9]*\)).*/\1/p' <<<"$out")" "$(sed -n 's/.* of \([0-9]*\).*/\1/p' <<<"$out")"
            kill "$qp" 2>/dev/null
            wait "$qp" 2>/dev/null
        done
    fi
    md "**System calls each host process may make**, read back from the kernel: tests/bench/seccomp_count.c takes a running" \
        "process's seccomp filters (PTRACE_SECCOMP_GET_FILTER) and runs them for every x86_64 system call of this kernel's" \
        "headers, following both ways wherever a filter looks at arguments (*conditional*: allowed for some arguments)." \
        "An httpd instance per path; uid is the process's user on the host (0 = root). The guest of a VM makes no" \
        "system calls at all: what it can reach on the host is its VMM's calls and the exits below." \
        "crun's container runs with Debian's containers-common seccomp.json converted for x86_64 and no capabilities" \
        "(tools/oci_bundle.sh); QEMU as unikit starts it has no filter; the two rows below it show QEMU's own \`-sandbox\`." ""
    md_table surface_syscalls.csv
    for p in "${PATHS[@]}"; do
        # the process the workload runs in: the VMM, QEMU, or the app (the last row of its path)
        local v
        v=$(awk -F, -v p="$p" '$1 == p { a = $5 } END { print a }' "$OUT/surface_syscalls.csv")
        [ -n "$v" ] && summary "host system calls the serving process may make" count "$p" "$v"
    done

    # ---- VM exits: what unikit's VMM handles (from its source), and what a fixed load costs in exits
    local vcpu=$REPO/launcher/vmm/vcpu.c abi=$REPO/kernel/include/unikit/boot_abi.h
    local reasons hcs
    reasons=$(grep -oE '^\s*case KVM_EXIT_[A-Z_]+' "$vcpu" | sed 's/.*case KVM_EXIT_//' | tr '\n' ' ')
    hcs=$(awk '/#define UK_HC_COUNT/ { print $3 }' "$abi")
    md "**VM exits unikit's VMM handles**: launcher/vmm/vcpu.c dispatches $(echo $reasons | wc -w) KVM exit reasons" \
        "(${reasons% }): IO, MMIO and HLT are served, the rest (and any other) stop the" \
        "guest with a message; $hcs hypercalls (boot_abi.h: console write, exit, wait) on one port range, and the" \
        "virtio-mmio windows of the devices attached (virtio-blk, virtio-net). The VMM's seccomp allows 16 calls and" \
        "3 ioctls (\`unikit run --stats\` prints it; the count above is the same one read back from the kernel)." ""
    if [[ " ${PATHS[*]} " == *" vm "* ]]; then
        csv surface_exits.csv run requests exits io mmio hypercalls
        local log
        for r in idle load; do
            progress "exits: vm $r" 0 1
            log=$WORK/exits-$r.log
            "$UNIKIT" run --stats --net bridge --name "b${BENCH_PID}x$r" --disk "$SITE_TAR" "$BUILD/apps/httpd.elf" -p 80 -r / \
                >"$log" 2>&1 </dev/null &
            local bg=$! ip=""
            for _ in $(seq 100); do ip=$(lease_ip "b${BENCH_PID}x$r"); [ -n "$ip" ] && grep -q listening "$log" && break; sleep 0.05; done
            local n=0 urls="" i
            if [ $r = load ]; then
                n=$requests
                for i in $(seq 1 $n); do urls="$urls http://$ip/1k.bin"; done
                curl -s $urls >/dev/null
            else
                curl -s -o /dev/null "http://$ip/1k.bin"
                n=1
            fi
            kill -TERM $bg
            wait $bg 2>/dev/null
            "$UNIKIT" rm -f "b${BENCH_PID}x$r" >/dev/null 2>&1
            csv surface_exits.csv "$r" "$n" "$(awk '/stats: exits/ { print $NF }' "$log")" \
                "$(awk '$3 == "IO" { print $4 }' "$log")" "$(awk '$3 == "MMIO" { print $4 }' "$log")" \
                "$(awk '/hypercalls/ { print $NF }' "$log")"
        done
        md "Exits of one httpd VM from boot to SIGTERM: with 1 request, and with $requests keep-alive GETs of 1 KiB:" ""
        md_table surface_exits.csv
        local per
        per=$(awk -F, 'NR == 2 { e1 = $3; n1 = $2 } NR == 3 { e2 = $3; n2 = $2 } END { if (n2 > n1) printf "%.2f", (e2 - e1) / (n2 - n1) }' "$OUT/surface_exits.csv")
        md "→ **$per exits per request** (the difference of the two runs over the difference in requests)." ""
        summary "vm: VM exits per HTTP request" count vm "$per"
    fi

    # ---- privileged host code: what runs as root in the parent for each path
    local common vmm net cont qemu_files
    common=$(launcher_common_files)
    vmm=$(ls "$REPO"/launcher/vmm/*.c)
    net=$(ls "$REPO"/launcher/net/*.c 2>/dev/null)
    cont=$(ls "$REPO"/launcher/container/*.c 2>/dev/null)
    qemu_files=$(ls "$REPO"/launcher/qemu.c "$REPO"/launcher/qemu_command.c "$REPO"/launcher/accel.c 2>/dev/null)
    csv surface_code.csv path what files lines code_lines binary_bytes shared_libraries
    # shellcheck disable=SC2086
    csv surface_code.csv vm "unikit launcher + own VMM + bridge networking" "$(echo $common $vmm $net | wc -w)" \
        "$(cat $common $vmm $net | wc -l)" "$(code_lines $common $vmm $net)" "$(stat -c %s "$UNIKIT")" "$(ldd "$UNIKIT" 2>/dev/null | grep -c '=>')"
    local qbin
    qbin=$(command -v "${UNIKIT_QEMU:-qemu-system-x86_64}" 2>/dev/null)
    # shellcheck disable=SC2086
    csv surface_code.csv qemu "unikit launcher + bridge networking (QEMU itself: its binary; no source here)" \
        "$(echo $common $net | wc -w)" "$(cat $common $net | wc -l)" "$(code_lines $common $net)" \
        "$([ -n "$qbin" ] && stat -c %s "$qbin")" "$([ -n "$qbin" ] && ldd "$qbin" | grep -c '=>')"
    # shellcheck disable=SC2086
    csv surface_code.csv container "unikit launcher + namespace runtime + bridge networking" "$(echo $common $cont $net | wc -w)" \
        "$(cat $common $cont $net | wc -l)" "$(code_lines $common $cont $net)" "$(stat -c %s "$UNIKIT")" "$(ldd "$UNIKIT" 2>/dev/null | grep -c '=>')"
    local cbin
    cbin=$(command -v crun 2>/dev/null)
    [ -n "$cbin" ] && csv surface_code.csv crun "crun $(crun --version | awk 'NR == 1 { print $3 }') (binary only; libcrun is not on this machine as source) + tests/bench/crun.sh + ip" \
        "" "" "" "$(stat -c %s "$cbin")" "$(ldd "$cbin" | grep -c '=>')"
    md "**Host code in the privileged parent** (root, outside any sandbox) of each path, counted over the source files" \
        "\`unikit run\` links for it (wc -l, and lines that are neither blank nor only comment). For QEMU and crun only" \
        "the binaries are here: their size and the shared libraries they load stand in. A VM path adds the VMM, a small" \
        "seccomp-confined process running as root; the container paths share the host kernel with the app instead." ""
    md_table surface_code.csv
    for p in vm container; do
        local v
        v=$(awk -F, -v p="$p" '$1 == p { print $5 }' "$OUT/surface_code.csv")
        summary "privileged host code (unikit's own code lines)" lines "$p" "$v"
    done

    # ---- host kernel functions entered by the serving side during a fixed load (ftrace)
    local avail=""
    avail=$(unshare -m --propagation private sh -c 'T=/sys/kernel/tracing
        mount -t tracefs nodev $T 2>/dev/null || { echo "tracefs cannot be mounted here"; exit; }
        grep -qw function $T/available_tracers || { echo "this kernel has no function tracer"; exit; }
        [ "$(cat $T/current_tracer)" = nop ] || { echo "the tracer is in use ($(cat $T/current_tracer))"; exit; }
        if ! echo function 2>/dev/null >$T/current_tracer; then
            echo "the kernel lists the function tracer but refuses to start it (writing current_tracer: Operation not permitted, as root with CAP_SYS_ADMIN)"
            exit
        fi
        echo nop >$T/current_tracer')
    if [ -z "$avail" ]; then
        csv surface_ftrace.csv path requests distinct_kernel_functions overruns
        for p in "${PATHS[@]}"; do
            progress "ftrace: $p" 0 1
            next_name "$p"; name=$NAME
            inst_start "$p" "$name" httpd 20000 || continue
            out=$(ftrace_count "$p" "$name" "$requests" | tr '\n' ' ')
            inst_stop "$name"
            set -- $out
            csv surface_ftrace.csv "$p" "$requests" "${1:--}" "${2:--}"
            [ -n "${1:-}" ] && summary "distinct host kernel functions entered serving $requests requests" count "$p" "$1"
        done
        md "**Host kernel functions entered** while serving $requests keep-alive GETs of 1 KiB (curl, one connection), by the" \
            "serving side's threads only (the VMM or QEMU process, or the container's app: set_ftrace_pid), function tracer," \
            "64 MiB buffer a CPU; overruns = events lost (then the count is a lower bound). Kernel work done in the" \
            "client's context or in interrupts elsewhere (the bridge, the veth or tap) is not in it, alike for every path." ""
        md_table surface_ftrace.csv
    else
        md "**Host kernel functions entered**: not measured — $avail." ""
    fi
    progress_end
}
