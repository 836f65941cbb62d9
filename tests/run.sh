#!/bin/bash
# run.sh: runs every test suite (the unit test programs, then tests/*.sh) and sums up their results.
#
# Each suite prints PASS/FAIL/SKIP lines; they are echoed as they come, and the
# last line is "N passed, N failed" (", N skipped" when some were). Exits 1 if
# anything failed, or if a suite ended badly without saying FAIL.
#   BUILD=build tests/run.sh            (make test does this)
#   tests/run.sh tests/launcher.sh      only the suites named
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
export UNIKIT_NET=${UNIKIT_NET:-none} # no suite may make a bridge in the host's namespace

passed=0 failed=0 skipped=0

# run_suite NAME COMMAND...: runs one suite, echoing and counting its result lines.
run_suite() {
    local name=$1 line status out
    shift
    out=$(mktemp)
    "$@" >"$out" 2>&1 </dev/null
    status=$?
    local suite_failed=0
    while IFS= read -r line; do
        case $line in
        "PASS "*) passed=$((passed + 1)) ;;
        "FAIL "*) failed=$((failed + 1)) suite_failed=1 ;;
        "SKIP "*) skipped=$((skipped + 1)) ;;
        esac
        printf '%s\n' "$line"
    done <"$out"
    rm -f "$out"
    if [ "$status" != 0 ] && [ "$suite_failed" = 0 ]; then
        echo "FAIL $name: exited with status $status without reporting a failure"
        failed=$((failed + 1))
    fi
}

if [ $# -gt 0 ]; then
    suites=("$@")
else
    suites=()
    for t in "$BUILD"/tests/unit/test_*; do
        [ -x "$t" ] && suites+=("$t")
    done
    for s in tests/*.sh; do
        case ${s##*/} in
        lib.sh | run.sh) ;;
        *) suites+=("$s") ;;
        esac
    done
fi

for s in "${suites[@]}"; do
    case $s in
    *.sh) run_suite "${s##*/}" bash "$s" ;;
    *) run_suite "${s##*/}" "$s" ;;
    esac
done

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
