#!/bin/bash
# netns.sh: network namespaces for the tests — a namespace with a bridge, taps and veths on it, removed on exit.
#
# Sourced by a suite after lib.sh; run alone, it tests itself (tests/run.sh does that).
#   netns_usable NAME                 true when namespaces can be made here; else reports NAME skipped
#   netns_name TAG                    prints a namespace name unique to this shell: uk-TAG-PID
#   netns_create NS [ADDR/PREFIX]     namespace NS: lo up, bridge ukbr0 up with ADDR (default 10.77.0.1/24)
#   netns_add_tap NS TAP              tap TAP made inside NS, up, on ukbr0: start the VM in NS with --net tap:TAP,
#                                     and give the guest an address of the bridge's subnet (e.g. 10.77.0.2/24)
#   netns_add_veth NS IF PEER PEER_IF [ADDR/PREFIX]
#                                     veth pair: IF in NS on ukbr0, PEER_IF moved into PEER (a namespace name,
#                                     or the pid of a process in the namespace, e.g. a container's init), up
#   netns_exec NS CMD...              runs CMD in NS
#   netns_destroy NS                  kills what still runs in NS and deletes it
#   netns_cleanup                     destroys every namespace these helpers made (run on exit by the trap below)
# Nothing here touches the host's own network namespace: every device is made inside a namespace made here.
#
# Sourcing installs an EXIT trap that runs netns_cleanup and then removes lib.sh's TEST_TMP,
# and makes INT and TERM exit through it.

NETNS_BRIDGE=ukbr0
NETNS_CREATED=()

netns_usable() {
    if [ "$(id -u)" != 0 ]; then
        skip "$1" "network namespaces need root"
        return 1
    fi
    if ! command -v ip >/dev/null; then
        skip "$1" "ip (iproute2) is not installed"
        return 1
    fi
    return 0
}

netns_name() {
    echo "uk-$1-$$"
}

netns_exec() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

netns_create() {
    local ns=$1 addr=${2:-10.77.0.1/24}
    ip netns add "$ns" || return 1
    NETNS_CREATED+=("$ns")
    ip -n "$ns" link set lo up &&
        ip -n "$ns" link add "$NETNS_BRIDGE" type bridge &&
        ip -n "$ns" addr add "$addr" dev "$NETNS_BRIDGE" &&
        ip -n "$ns" link set "$NETNS_BRIDGE" up
}

netns_add_tap() {
    local ns=$1 tap=$2
    ip -n "$ns" tuntap add dev "$tap" mode tap &&
        ip -n "$ns" link set "$tap" master "$NETNS_BRIDGE" &&
        ip -n "$ns" link set "$tap" up
}

# Runs `ip ARGS...` in PEER: a namespace name or a pid.
_netns_peer_ip() {
    local peer=$1
    shift
    case $peer in
    *[!0-9]*) ip -n "$peer" "$@" ;;
    *) nsenter -t "$peer" -n ip "$@" ;;
    esac
}

netns_add_veth() {
    local ns=$1 ifname=$2 peer=$3 peer_if=$4 addr=${5:-}
    ip -n "$ns" link add "$ifname" type veth peer name "$peer_if" &&
        ip -n "$ns" link set "$ifname" master "$NETNS_BRIDGE" &&
        ip -n "$ns" link set "$ifname" up &&
        ip -n "$ns" link set "$peer_if" netns "$peer" &&
        _netns_peer_ip "$peer" link set "$peer_if" up &&
        _netns_peer_ip "$peer" link set lo up || return 1
    [ -z "$addr" ] || _netns_peer_ip "$peer" addr add "$addr" dev "$peer_if"
}

netns_destroy() {
    local ns=$1 pids
    pids=$(ip netns pids "$ns" 2>/dev/null)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086 # one pid a word
        kill -TERM $pids 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            pids=$(ip netns pids "$ns" 2>/dev/null)
            [ -z "$pids" ] && break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
    fi
    ip netns del "$ns" 2>/dev/null
    local kept=() n
    for n in "${NETNS_CREATED[@]}"; do
        [ "$n" = "$ns" ] || kept+=("$n")
    done
    NETNS_CREATED=("${kept[@]}")
}

netns_cleanup() {
    local ns
    for ns in "${NETNS_CREATED[@]}"; do
        netns_destroy "$ns"
    done
}

_netns_exit() {
    netns_cleanup
    [ -z "${TEST_TMP:-}" ] || rm -rf "$TEST_TMP"
}
trap _netns_exit EXIT
trap 'exit 130' INT TERM

# Run alone: make a namespace with a tap, a second one joined by a veth, ping across, tear down.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cd "$(dirname "$0")/.." || exit 1
    . tests/lib.sh
    trap _netns_exit EXIT
    name=netns-helpers
    if netns_usable "$name"; then
        a=$(netns_name bra) b=$(netns_name peer)
        if ! { netns_create "$a" 10.77.0.1/24 && netns_add_tap "$a" tap0 && netns_create "$b" 10.78.0.1/24 &&
            netns_add_veth "$a" veth0 "$b" eth0 10.77.0.9/24; }; then
            fail "$name" "could not build the namespaces"
        elif ! ip -n "$a" -o link show master "$NETNS_BRIDGE" | grep -q 'tap0'; then
            fail "$name" "tap0 is not on $NETNS_BRIDGE"
        elif ! run_with_timeout 10 ip netns exec "$b" ping -c 1 -W 2 10.77.0.1 || ! expect_status 0; then
            fail "$name" "ping over the veth to the bridge failed: $(output_summary)"
        else
            netns_destroy "$a"
            netns_destroy "$b"
            if ip netns list | grep -q -- "-$$\b"; then
                fail "$name" "a namespace survived netns_destroy"
            else
                pass "$name"
            fi
        fi
    fi
fi
