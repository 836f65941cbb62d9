#!/bin/bash
# guest.sh: boots every guest test image through `unikit run` on each backend and checks console text and exit status.
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh
. tests/site.sh

BUILD=${BUILD:-build}
UNIKIT=$BUILD/unikit
APPS=$BUILD/apps
BACKENDS=${UNIKIT_TEST_BACKENDS:-$( { : <>/dev/kvm; } 2>/dev/null && echo "qemu kvm" || echo qemu)}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# guest_case NAME STATUS 'REGEX...' -- unikit-run-arguments...
# Passes when the run exits with STATUS and every REGEX (grep -E) matches its output.
guest_case() {
    local name=$1 want=$2
    shift 2
    local regexes=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do regexes+=("$1"); shift; done
    shift
    for backend in $BACKENDS; do
        local log=$OUT/$name.$backend.log
        timeout 60 "$UNIKIT" run --vmm "$backend" "$@" </dev/null >"$log" 2>&1
        local got=$?
        if [ "$got" != "$want" ]; then
            fail "$name [$backend]" "exit status $got, expected $want; output: $(tail -c 600 "$log" | tr '\n' '|')"
            continue
        fi
        local missing=""
        for re in "${regexes[@]}"; do
            grep -Eq -- "$re" "$log" || missing="$re"
        done
        if [ -n "$missing" ]; then
            fail "$name [$backend]" "output lacks /$missing/: $(tail -c 600 "$log" | tr '\n' '|')"
        else
            pass "$name [$backend]"
        fi
    done
}

if [ ! -x "$UNIKIT" ] || [ ! -f "$APPS/hello.elf" ]; then
    fail "guest images" "$UNIKIT or $APPS/hello.elf missing: run make first"
    exit 0
fi

# hello: greeting, argv, environment, time, float, malloc, and the exit status
guest_case hello-default 0 '^Hello from unikit' '^argv\[0\] = "hello"$' '^time: 20[0-9]{2}-' \
    '^sqrt\(2\) = 1\.414214$' '^malloc: a string from malloc$' -- "$APPS/hello.elf"
guest_case hello-exit-1 1 'exiting with status 1' -- "$APPS/hello.elf" 1
guest_case hello-exit-42 42 '^argv\[1\] = "42"$' -- "$APPS/hello.elf" 42
guest_case hello-exit-200 200 'exiting with status 200' -- "$APPS/hello.elf" 200
guest_case hello-args-env 7 '^argv\[2\] = "two words"$' '^argv\[3\] = "--"$' '^argv\[4\] = ""$' \
    '^argv\[5\] = "100%"$' '^env: GREETING=hi there$' '^env: EMPTY=$' -- \
    -e "GREETING=hi there" -e EMPTY= "$APPS/hello.elf" 7 "two words" -- "" "100%"

# libc and kernel services
guest_case malloc-stress 0 '^SUCCESS$' 'peak live bytes: [0-9]+$' -- "$APPS/test_malloc.elf"
guest_case time-advances 0 '^SUCCESS$' -- "$APPS/test_time.elf"
guest_case sockets-loopback 0 '^SUCCESS$' -- "$APPS/test_sockapi.elf"
guest_case threads 0 '^SUCCESS$' '^counter: 8000$' -- "$APPS/test_threads.elf"
guest_case libc-syscalls 0 '^SUCCESS$' '^stderr works$' -- -e LIBC_TEST=yes "$APPS/test_libc.elf"

# panics: the report names the exception and the faulting function; status 255
CRASH=$APPS/test_crash.elf
guest_case panic-null-write 255 'panic: page fault: user write at 0x0+ ' '^rip .*<write_through_null\+' \
    'called from .*<main\+' '^backtrace:' '<kernel_main\+' -- "$CRASH" null
guest_case panic-stack-overflow 255 'panic: stack overflow' '<recurse_forever\+' -- "$CRASH" stack
guest_case panic-thread-stack-overflow 255 'panic: stack overflow' '<recurse_forever\+' \
    '<recurse_in_thread\+' -- "$CRASH" thread-stack
guest_case panic-divide 255 'panic: divide error' '^rip .*<divide\+' -- "$CRASH" divide
guest_case panic-invalid-opcode 255 'panic: invalid opcode' '^rip .*<invalid_opcode\+' -- "$CRASH" ud2
guest_case panic-general-protection 255 'panic: general protection fault' \
    '^rip .*<general_protection\+' -- "$CRASH" gp
guest_case panic-abort 255 'panic: abort\(\) called' '<abort\+' '<main\+' -- "$CRASH" abort
guest_case panic-assert 255 'assertion "argc == 42" failed' 'panic: abort\(\) called' \
    '<__assert_func\+' -- "$CRASH" assert
guest_case crash-nothing 3 'nothing crashed' -- "$CRASH" none

# files: a tar archive on disk 0 mounted at /, raw disks at /dev/vdb, /dev/vdc; refused first disks
FILES=$APPS/test_files.elf
make_site "$OUT/site/root"
for fmt in gnu ustar posix; do # implied/ has no entry of its own: appended after the rest
    tar -cf "$OUT/site-$fmt.tar" --format=$fmt -C "$OUT/site/root" . &&
        tar -rf "$OUT/site-$fmt.tar" --format=$fmt -C "$OUT/site/extra" implied/x.txt
done
truncate -s 1M "$OUT/raw.img"
{ printf 'unikit-ro'; head -c 65527 /dev/zero; } >"$OUT/ro.img"
guest_case files-tar 0 '^SUCCESS$' -- --disk "$OUT/site-gnu.tar" --disk "$OUT/raw.img" \
    --disk "$OUT/ro.img:ro" "$FILES" tar
if [ "$(dd if="$OUT/raw.img" bs=1 skip=4097 count=19 2>/dev/null)" = unikit-files-marker ]; then
    pass "files-raw-written"
else
    fail "files-raw-written" "the marker written to /dev/vdb is not in the disk image"
fi
guest_case files-ustar 0 '^SUCCESS$' -- --disk "$OUT/site-ustar.tar" "$FILES" tar
guest_case files-pax 0 '^SUCCESS$' -- --disk "$OUT/site-posix.tar" "$FILES" tar
{ for i in $(seq 100); do printf 'this is not a tar archive\n'; done; } >"$OUT/notar.img"
truncate -s 64K "$OUT/notar.img"
guest_case files-not-tar 0 '^unikit: disk 0 \(/dev/vda\) is not a tar archive: no tar header at byte 0' \
    '^SUCCESS$' -- --disk "$OUT/notar.img" "$FILES" notar
cp "$OUT/site-gnu.tar" "$OUT/badsum.tar" && printf 'X' | dd of="$OUT/badsum.tar" bs=1 seek=520 conv=notrunc 2>/dev/null
guest_case files-bad-checksum 0 \
    '^unikit: disk 0 \(/dev/vda\) is not a tar archive: the header at byte 512 has a bad checksum' \
    '^SUCCESS$' -- --disk "$OUT/badsum.tar" "$FILES" notar
head -c $(( $(stat -c %s "$OUT/site-gnu.tar") / 1024 * 512 )) "$OUT/site-gnu.tar" >"$OUT/truncated.tar"
guest_case files-truncated 0 '^unikit: disk 0 \(/dev/vda\) is not a tar archive: truncated' \
    '^SUCCESS$' -- --disk "$OUT/truncated.tar" "$FILES" notar
: >"$OUT/zero-length.img" # refused by the launcher before either backend boots
guest_case files-empty-disk 125 'at least one 512-byte sector' -- --disk "$OUT/zero-length.img" "$FILES" notar
