# lib.sh: helpers for the test suites (sourced): result lines, timeouts, status and output checks.
#
# A suite prints one line per case, which tests/run.sh counts:
#   PASS <name>            FAIL <name>: <why>            SKIP <name>: <why>
# Typical use:
#   run_with_timeout 10 "$UNIKIT" run "$img"
#   expect_status 125 && expect_output "^unikit: $img: " && pass "$name" || fail "$name" "$WHY"

# No test may touch the host's own network: without --net, runs get none
# (the launcher's default is a bridge, made in the caller's namespace).
export UNIKIT_NET=${UNIKIT_NET:-none}

# Where things are, for every suite (run.sh sets BUILD; a suite may be run alone).
BUILD=${BUILD:-build}
UNIKIT=${UNIKIT:-$BUILD/unikit}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-failed}"; }
skip() { echo "SKIP $1: ${2:-skipped}"; }

# A scratch directory for the suite, removed when it exits.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/unikit-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

# run_with_timeout SECONDS COMMAND [ARGS...]
# Runs COMMAND with no standard input, killing it after SECONDS (then KILL 5 s
# later). Sets STATUS (124 on a timeout) and OUTPUT (stdout and stderr together).
run_with_timeout() {
    local seconds=$1
    shift
    timeout --kill-after=5 "$seconds" "$@" </dev/null >"$TEST_TMP/output" 2>&1
    STATUS=$?
    OUTPUT=$(cat "$TEST_TMP/output")
}

# One line of output, short enough to read inside a FAIL line.
output_summary() {
    printf '%s' "$OUTPUT" | tail -c 400 | tr '\n' '|'
}

# expect_status WANT: true when the last run exited with WANT; else sets WHY.
expect_status() {
    if [ "$STATUS" = "$1" ]; then
        return 0
    fi
    if [ "$STATUS" = 124 ]; then
        WHY="timed out (expected status $1); output: $(output_summary)"
    else
        WHY="exit status $STATUS, expected $1; output: $(output_summary)"
    fi
    return 1
}

# expect_output REGEX...: true when each extended regex matches a line of OUTPUT; else sets WHY.
expect_output() {
    local re
    for re in "$@"; do
        if ! printf '%s\n' "$OUTPUT" | grep -Eq -- "$re"; then
            WHY="output lacks /$re/: $(output_summary)"
            return 1
        fi
    done
    return 0
}

# expect_no_output REGEX: true when no line of OUTPUT matches; else sets WHY.
expect_no_output() {
    if printf '%s\n' "$OUTPUT" | grep -Eq -- "$1"; then
        WHY="output has /$1/: $(output_summary)"
        return 1
    fi
    return 0
}

# check_run NAME WANT_STATUS [REGEX...] -- COMMAND [ARGS...]
# Runs COMMAND (timeout TEST_TIMEOUT, default 30 s) and reports NAME: PASS when
# it exits with WANT_STATUS and every REGEX matches its output.
check_run() {
    local name=$1 want=$2
    shift 2
    local regexes=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        regexes+=("$1")
        shift
    done
    shift
    run_with_timeout "${TEST_TIMEOUT:-30}" "$@"
    if expect_status "$want" && expect_output "${regexes[@]}"; then
        pass "$name"
    else
        fail "$name" "$WHY"
    fi
}

# need_root NAME: true when running as root; else reports NAME skipped.
need_root() {
    [ "$(id -u)" = 0 ] && return 0
    skip "$1" "needs root"
    return 1
}

# need_kvm NAME: true when /dev/kvm can be opened read-write; else reports NAME skipped.
need_kvm() {
    if [ ! -e /dev/kvm ]; then
        skip "$1" "no /dev/kvm on this machine"
        return 1
    fi
    if ! { : <>/dev/kvm; } 2>/dev/null; then
        skip "$1" "/dev/kvm is not readable and writable by $(id -un)"
        return 1
    fi
    return 0
}

# need_file NAME PATH [WHAT]: true when PATH exists; else reports NAME skipped.
need_file() {
    [ -e "$2" ] && return 0
    skip "$1" "${3:-$2 is missing}"
    return 1
}
