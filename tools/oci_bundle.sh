#!/bin/bash
# oci_bundle.sh: an OCI bundle for crun/runc from an app's static Linux build, with the limits `unikit run --runtime container` gives.
#
# Usage: tools/oci_bundle.sh [OPTIONS] BUNDLE BINARY [ARGS...]
#   --tar FILE          unpack FILE's files into the root filesystem (as `--disk FILE` fills
#                       unikit's container lower), e.g. the site httpd serves
#   --rootfs DIR        use (and fill, if empty) DIR as the root filesystem instead of
#                       BUNDLE/rootfs: several bundles can share one read-only root
#   --memory BYTES      memory limit (default 33554432: unikit's default for a container)
#   --pids N            pids limit (default none)
#   --cpus N.N          CPU quota in CPUs (default none)
#   --cgroup PATH       cgroupsPath (default /unikit-oci/<bundle's folder name>)
#   --seccomp PROFILE   a containers-common seccomp.json (the moby/podman format) to
#                       convert for x86_64 and no capabilities; default
#                       /usr/share/containers/seccomp.json when present, else none
#   --no-seccomp        no seccomp filter
# Writes BUNDLE/config.json (and BUNDLE/rootfs unless --rootfs). Like unikit's
# container the process runs as root of a user namespace mapped to uid/gid
# 100000 outside, with no capabilities, no_new_privs, a read-only root, its own
# pid/net/ipc/uts/mount/cgroup namespaces, and may bind low ports (a sysctl of
# its own network namespace). The network namespace starts empty: the caller
# adds a veth between `crun create` and `crun start` (tests/bench/paths.sh).
# Needs jq.
set -euo pipefail

die() { echo "oci_bundle: $*" >&2; exit 2; }

MEMORY=33554432 PIDS="" CPUS="" CGROUP="" TAR="" ROOTFS=""
SECCOMP=/usr/share/containers/seccomp.json
[ -f "$SECCOMP" ] || SECCOMP=""
while [ $# -gt 0 ]; do
    case $1 in
    --tar) TAR=$2; shift 2 ;;
    --rootfs) ROOTFS=$2; shift 2 ;;
    --memory) MEMORY=$2; shift 2 ;;
    --pids) PIDS=$2; shift 2 ;;
    --cpus) CPUS=$2; shift 2 ;;
    --cgroup) CGROUP=$2; shift 2 ;;
    --seccomp) SECCOMP=$2; shift 2 ;;
    --no-seccomp) SECCOMP=""; shift ;;
    --) shift; break ;;
    -*) die "unknown option $1 (see the header of this file)" ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || die "usage: oci_bundle.sh [OPTIONS] BUNDLE BINARY [ARGS...]"
BUNDLE=$1 BINARY=$2
shift 2
command -v jq >/dev/null || die "needs jq"
[ -x "$BINARY" ] || die "$BINARY: expected an executable (the app's static Linux build)"
case $MEMORY in *[!0-9]* | "") die "--memory $MEMORY: expected bytes" ;; esac
[ -z "$SECCOMP" ] || [ -f "$SECCOMP" ] || die "--seccomp $SECCOMP: no such file"

mkdir -p "$BUNDLE"
BUNDLE=$(cd "$BUNDLE" && pwd)
[ -n "$ROOTFS" ] || ROOTFS=$BUNDLE/rootfs
[ -n "$CGROUP" ] || CGROUP=/unikit-oci/$(basename "$BUNDLE")
name=$(basename "$BINARY")

# The root filesystem: the layout of unikit's container lower (bin/<app>, mount points, the tar's files).
if [ ! -e "$ROOTFS/bin/$name" ]; then
    mkdir -p "$ROOTFS"/{bin,dev,etc,proc,tmp,sys}
    cp "$BINARY" "$ROOTFS/bin/$name"
    chmod 0755 "$ROOTFS/bin/$name"
    [ -z "$TAR" ] || tar --no-same-owner -C "$ROOTFS" -xf "$TAR"
    chmod -R a+rX "$ROOTFS"
fi

# The seccomp profile, for x86_64 and an empty capability set: an entry counts when
# its includes hold (arch amd64, caps all present) and its excludes do not.
seccomp_json=null
if [ -n "$SECCOMP" ]; then
    seccomp_json=$(jq -c --argjson caps '[]' '
        def arch_ok: (.includes.arches // null) as $a | ($a == null or ($a | index("amd64")) != null)
            and ((.excludes.arches // []) | index("amd64")) == null;
        def caps_ok: ((.includes.caps // []) - $caps | length) == 0
            and ([(.excludes.caps // [])[] | select(($caps | index(.)) != null)] | length) == 0;
        {defaultAction, defaultErrnoRet,
         architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
         syscalls: [.syscalls[] | select(arch_ok and caps_ok)
                    | {names, action} + (if .args then {args} else {} end)
                      + (if .errnoRet then {errnoRet} else {} end)]}' "$SECCOMP")
fi

args_json=$(printf '%s\n' "/bin/$name" "$@" | jq -cR '[., inputs]')
resources=$(jq -cn --argjson mem "$MEMORY" --arg pids "$PIDS" --arg cpus "$CPUS" '
    {memory: {limit: $mem}}
    + (if $pids != "" then {pids: {limit: ($pids | tonumber)}} else {} end)
    + (if $cpus != "" then {cpu: {period: 100000, quota: (($cpus | tonumber) * 100000 | floor)}} else {} end)')

jq -n --arg root "$ROOTFS" --arg cgroup "$CGROUP" --argjson args "$args_json" \
    --argjson resources "$resources" '
{
  ociVersion: "1.0.2",
  process: {
    terminal: false, user: {uid: 0, gid: 0}, args: $args, cwd: "/",
    env: ["PATH=/bin"],
    capabilities: {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []},
    rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
    noNewPrivileges: true
  },
  root: {path: $root, readonly: true},
  hostname: "oci",
  mounts: [
    {destination: "/proc", type: "proc", source: "proc"},
    {destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "size=1024k"]}
  ],
  linux: {
    uidMappings: [{containerID: 0, hostID: 100000, size: 65536}],
    gidMappings: [{containerID: 0, hostID: 100000, size: 65536}],
    namespaces: [{type: "user"}, {type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"},
                 {type: "mount"}, {type: "cgroup"}],
    sysctl: {"net.ipv4.ip_unprivileged_port_start": "0"},
    cgroupsPath: $cgroup,
    resources: $resources,
    maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug", "/sys/firmware"],
    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}' >"$BUNDLE/config.json.tmp"
if [ "$seccomp_json" != null ]; then
    jq --argjson s "$seccomp_json" '.linux.seccomp = $s' "$BUNDLE/config.json.tmp" >"$BUNDLE/config.json"
    rm -f "$BUNDLE/config.json.tmp"
else
    mv "$BUNDLE/config.json.tmp" "$BUNDLE/config.json"
fi
