#!/bin/bash
# crun.sh: the crun path of `unikit bench`: one OCI container from a generated bundle, with a veth on the bench's bridge.
#
#   crun.sh start NAME IP      create NAME from $OCI_TEMPLATE, add a veth (IP/$OCI_PREFIX, gateway $OCI_GW)
#                              on $OCI_BRIDGE between `crun create` and `crun start` (what CNI does), start it
#   crun.sh run NAME BUNDLE    `crun run` in the foreground (no network: an empty namespace)
#   crun.sh rm NAME            kill and delete NAME, remove its bundle
#   crun.sh crun ARGS...       crun itself, under the workaround below
# Environment: OCI_DIR (bundles and crun's state), OCI_CGROUP (parent of the containers' cgroups).
#
# crun 1.8 refuses a hybrid cgroup host ("cgroups in hybrid mode not supported"):
# on one (v1 controllers and a v2 tree at /sys/fs/cgroup/unified) it runs in a
# private mount namespace of its own with the v2 tree unmounted, where it sees v1 only.
set -u

crun_() {
    if [ -d /sys/fs/cgroup/memory ] && mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
        unshare -m --propagation private sh -c \
            'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root "$0" "$@"' "$OCI_DIR/state" "$@"
    else
        crun --root "$OCI_DIR/state" "$@"
    fi
}

# The host side of NAME's veth: at most 15 characters.
veth_of() {
    local n=$1
    [ ${#n} -gt 12 ] && n=${n: -12}
    echo "uko$n"
}

case ${1:-} in
start)
    name=$2 ip=$3 b=$OCI_DIR/inst/$2
    mkdir -p "$b"
    sed "s|@NAME@|$name|g" "$OCI_TEMPLATE" >"$b/config.json"
    crun_ create --bundle "$b" --pid-file "$b/pid" "$name" || exit 1
    pid=$(cat "$b/pid")
    veth=$(veth_of "$name")
    ip link add "$veth" type veth peer name eth0 netns "$pid" &&
        ip link set "$veth" master "$OCI_BRIDGE" &&
        ip link set "$veth" up &&
        printf '%s\n' "link set lo up" "link set eth0 up" "addr add $ip/$OCI_PREFIX dev eth0" \
            "route add default via $OCI_GW" | nsenter -t "$pid" -n ip -batch - || exit 1
    crun_ start "$name"
    ;;
run)
    crun_ run --bundle "$3" "$2"
    ;;
rm)
    crun_ delete -f "$2" >/dev/null 2>&1
    rm -rf "${OCI_DIR:?}/inst/$2"
    ;;
crun)
    shift
    crun_ "$@"
    ;;
*)
    echo "usage: crun.sh start NAME IP | run NAME BUNDLE | rm NAME | crun ARGS..." >&2
    exit 2
    ;;
esac
