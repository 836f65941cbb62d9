# paths.sh: the four ways `unikit bench` runs an app — vm, qemu, container, crun — behind one set of functions (sourced by bench.sh).
#
#   paths_probe                   fills PATHS (what runs here) and SKIPPED[path] (why not)
#   hello_cmd PATH                sets CMD: the command that runs hello once, in the foreground
#   inst_start PATH NAME APP [TIMEOUT_MS]   starts APP (httpd or kvstore) as instance NAME in the
#                                 background; sets START_MS: exec -> first HTTP 200 (kvstore: first
#                                 PONG), -1 and returns 1 when it never answered. Not in a $(...):
#                                 it records the instance in this shell
#   inst_info NAME                sets IP, PIDS (host processes: supervisor, VMM/QEMU/init, app),
#                                 MEMCG and CPUCG (its cgroup folders); cached after the first call
#   inst_stop NAME                stops and removes it (and its cgroup, veth or tap, lease)
#   inst_stop_all                 every instance this bench started
# Instance names are b<bench pid><path letter><sequence>: letters v, q, c, o (OCI/crun).

PATHS_ALL=(vm qemu container crun)
PATHS=()
declare -A SKIPPED=() INST_PATH=() INST_CACHE=()
INST_SEQ=0
CRUN_SEQ=0

path_letter() { case $1 in vm) echo v ;; qemu) echo q ;; container) echo c ;; crun) echo o ;; esac; }

hello_cmd() {
    case $1 in
    vm) CMD=("$UNIKIT" run --vmm kvm --net none "$BUILD/apps/hello.elf") ;;
    qemu) CMD=("$UNIKIT" run --vmm qemu --net none "$BUILD/apps/hello.elf") ;;
    container) CMD=("$UNIKIT" run --runtime container --net none "$WORK/bin/hello") ;;
    crun) CRUN_SEQ=$((CRUN_SEQ + 1)); CMD=("$BENCH_DIR/crun.sh" run "b${BENCH_PID}h$CRUN_SEQ" "$OCI_DIR/hello") ;;
    esac
}

# The unikit command line of APP on PATH, detached, on the bench's bridge. VM_MEM (-m) and
# MEMORY_LIMIT (--memory-limit) change the defaults when set; httpd gets the site as its disk.
unikit_app_cmd() {
    local path=$1 name=$2 app=$3 args disk=() lim=()
    case $app in
    httpd) args=(-p 80 -r /) disk=(--disk "$SITE_TAR:ro") ;; # read-only: QEMU locks a writable image
    kvstore) args=(-p 6379) ;;
    esac
    [ -n "${MEMORY_LIMIT:-}" ] && lim=(--memory-limit "$MEMORY_LIMIT")
    local base=("$UNIKIT" run -d --name "$name" --net bridge "${lim[@]}" "${disk[@]}")
    case $path in
    vm) CMD=("${base[@]}" --vmm kvm ${VM_MEM:+-m "$VM_MEM"} "$BUILD/apps/$app.elf" "${args[@]}") ;;
    qemu) CMD=("${base[@]}" --vmm qemu ${VM_MEM:+-m "$VM_MEM"} "$BUILD/apps/$app.elf" "${args[@]}") ;;
    container) CMD=("${base[@]}" --runtime container "$BUILD/linux/$app" "${args[@]}") ;;
    esac
}

# Sets CRUN_IP, the next address for a crun container: the upper half of the bench's /16
# (unikit leases from the bottom). Not in a $(...).
crun_ip() {
    CRUN_IPSEQ=$((${CRUN_IPSEQ:-0} + 1))
    CRUN_IP=$SUBNET_BASE.$((128 + CRUN_IPSEQ / 250)).$((CRUN_IPSEQ % 250 + 2))
}

inst_start() {
    local path=$1 name=$2 app=$3 timeout=${4:-20000} target port ip out rc
    INST_PATH[$name]=$path
    case $app in httpd) port=80 ;; kvstore) port=6379 ;; esac
    if [ "$path" = crun ]; then
        crun_ip
        ip=$CRUN_IP
        INST_CACHE[$name.ip]=$ip
        CMD=("$BENCH_DIR/crun.sh" start "$name" "$ip")
        OCI_TEMPLATE=$OCI_DIR/$app.json
        export OCI_TEMPLATE
        target=$ip
    else
        unikit_app_cmd "$path" "$name" "$app"
        target=lease:$UNIKIT_ROOT/.net/leases/$UNIKIT_BRIDGE/$name
    fi
    if [ "$app" = httpd ]; then
        out=$("$WORK/bin/bench_time" http "$target" "$port" "$timeout" "${CMD[@]}")
        rc=$?
        START_MS=${out%% *}
        return $rc
    fi
    # kvstore: start, then ask for PONG
    local t0 t1
    t0=$(date +%s%N)
    "${CMD[@]}" >/dev/null 2>&1 </dev/null &
    local bg=$!
    for _ in $(seq 1 $((timeout / 20))); do
        [ "$path" = crun ] || ip=$(lease_ip "$name")
        if [ -n "$ip" ] && [ "$(timeout 1 redis-cli -h "$ip" -p "$port" ping 2>/dev/null)" = PONG ]; then
            t1=$(date +%s%N)
            wait "$bg" 2>/dev/null
            START_MS=$(((t1 - t0) / 1000000))
            return 0
        fi
        sleep 0.02
    done
    wait "$bg" 2>/dev/null
    START_MS=-1
    return 1
}

lease_ip() {
    grep -l "^owner $1\$" "$UNIKIT_ROOT/.net/leases/$UNIKIT_BRIDGE"/* 2>/dev/null | head -n 1 | xargs -r basename
}

inst_info() {
    local name=$1 path=${INST_PATH[$1]}
    if [ -n "${INST_CACHE[$name.memcg]:-}" ]; then
        IP=${INST_CACHE[$name.ip]} MEMCG=${INST_CACHE[$name.memcg]} CPUCG=${INST_CACHE[$name.cpucg]}
        PIDS=${INST_CACHE[$name.pids]}
        return 0
    fi
    if [ "$path" = crun ]; then
        IP=${INST_CACHE[$name.ip]}
        MEMCG=$CG_MEMORY_MNT$OCI_CGROUP/$name
        CPUCG=$CG_CPUACCT_MNT$OCI_CGROUP/$name
        PIDS=$(cat "$MEMCG/cgroup.procs" 2>/dev/null | tr '\n' ' ')
    else
        local j
        j=$("$UNIKIT" inspect "$name" 2>/dev/null) || return 1
        IP=$(jq -r '.ip // "" | sub("/.*"; "")' <<<"$j")
        MEMCG=$(jq -r '.cgroup.path // ""' <<<"$j")
        CPUCG=$(jq -r '.cgroup.cpuacct // .cgroup.path // ""' <<<"$j")
        PIDS="$(jq -r '.supervisor_pid // empty' <<<"$j") $(cat "$MEMCG/cgroup.procs" 2>/dev/null | tr '\n' ' ')"
    fi
    INST_CACHE[$name.ip]=$IP INST_CACHE[$name.memcg]=$MEMCG INST_CACHE[$name.cpucg]=$CPUCG
    INST_CACHE[$name.pids]=$PIDS
}

inst_stop() {
    local name=$1 path=${INST_PATH[$1]:-}
    case $path in
    crun) "$BENCH_DIR/crun.sh" rm "$name" ;;
    "") return 0 ;;
    *) "$UNIKIT" rm -f "$name" >/dev/null 2>&1 ;;
    esac
    unset "INST_PATH[$name]"
    local k
    for k in ip memcg cpucg pids; do unset "INST_CACHE[$name.$k]"; done
}

inst_stop_all() {
    local n
    for n in "${!INST_PATH[@]}"; do inst_stop "$n"; done
}

# Sets NAME, unique to this run (other unikit users share /sys/fs/cgroup/*/unikit/):
# b<pid><letter><seq>. Not in a $(...): the sequence lives in this shell.
next_name() {
    INST_SEQ=$((INST_SEQ + 1))
    NAME=b$BENCH_PID$(path_letter "$1")$INST_SEQ
}

paths_probe() {
    local p
    for p in "${PATHS_ALL[@]}"; do
        case $p in
        vm) { : <>/dev/kvm; } 2>/dev/null || { SKIPPED[vm]="/dev/kvm is not usable here"; continue; } ;;
        qemu) command -v "${UNIKIT_QEMU:-qemu-system-x86_64}" >/dev/null || { SKIPPED[qemu]="QEMU is not installed"; continue; } ;;
        crun)
            command -v crun >/dev/null || { SKIPPED[crun]="crun is not installed (tools/deps.sh installs it)"; continue; }
            command -v jq >/dev/null || { SKIPPED[crun]="jq is not installed (the OCI bundle is made with it)"; continue; }
            ;;
        esac
        hello_cmd "$p"
        if "${CMD[@]}" >"$WORK/probe-$p.log" 2>&1 </dev/null; then
            PATHS+=("$p")
            # the bridge exists after the first run on it: ARP retries every 10 ms there, not every
            # second, so that a probe sent before an instance is up costs a start little
            if [ ! -e "/proc/sys/net/ipv4/neigh/$UNIKIT_BRIDGE" ]; then
                [ "$p" = crun ] || "$UNIKIT" run --net bridge --runtime container "$WORK/bin/hello" >/dev/null 2>&1 </dev/null ||
                    "$UNIKIT" run --net bridge "$BUILD/apps/hello.elf" >/dev/null 2>&1 </dev/null
                [ -e "/proc/sys/net/ipv4/neigh/$UNIKIT_BRIDGE" ] &&
                    echo 10 >"/proc/sys/net/ipv4/neigh/$UNIKIT_BRIDGE/retrans_time_ms"
            fi
        else
            SKIPPED[$p]="hello did not run: $(tail -c 200 "$WORK/probe-$p.log" | tr '\n' ' ')"
        fi
    done
}
