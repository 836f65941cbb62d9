#!/bin/bash
# vmm.sh: unikit's own VMM: host unit tests (accessor, virtqueue, virtio-blk), then tiny hand-made guests and hello on /dev/kvm.
set -u
cd "$(dirname "$0")/.."
if [ -f tests/lib.sh ]; then
    . tests/lib.sh
else
    pass() { echo "PASS $1"; }
    fail() { echo "FAIL $1: $2"; }
    skip() { echo "SKIP $1: $2"; }
fi

BUILD=${BUILD:-build}
UNIKIT=$BUILD/unikit
OUT=$BUILD/tests/vmm
HOSTCC=${HOSTCC:-gcc}
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Ikernel/include -Ilauncher"
V=launcher/vmm
# The exit-status port as --stats prints it ("0x4f0").
STATUS_PORT=$(awk '$1 == "#define" && $2 == "UK_PORT_EXIT_STATUS" { print $3 }' \
    kernel/include/unikit/boot_abi.h)
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- host unit tests: each program prints PASS/FAIL lines ----
unit() {
    local name=$1
    shift
    if ! $HOSTCC $CFLAGS -o "$OUT/$name" "$V/tests/$name.c" "$@" 2>"$TMP/$name.cc"; then
        fail "$name (build)" "$(head -c 600 "$TMP/$name.cc" | tr '\n' '|')"
        return
    fi
    "$OUT/$name" >"$TMP/$name.out" 2>"$TMP/$name.err"
    local status=$?
    while read -r verdict case rest; do
        case $verdict in
        PASS) pass "$case" ;;
        FAIL) fail "${case%:}" "$rest" ;;
        SKIP) skip "${case%:}" "$rest" ;;
        esac
    done <"$TMP/$name.out"
    [ $status = 0 ] || grep -q '^FAIL' "$TMP/$name.out" ||
        fail "$name" "exited with status $status: $(head -c 400 "$TMP/$name.err")"
}
unit test_mem $V/mem.c
unit test_virtq $V/mem.c $V/virtq.c
unit test_seccomp $V/seccomp.c $V/err.c
unit test_blk $V/mem.c $V/virtq.c $V/virtio_mmio.c $V/virtio_blk.c $V/iov.c $V/err.c $V/io.c

# ---- booted tests ----
if [ ! -x "$UNIKIT" ]; then
    skip "vmm boot tests" "$UNIKIT missing: run make first"
    exit 0
fi
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    skip "vmm boot tests" "/dev/kvm missing or not accessible"
    exit 0
fi

# Tiny PVH guests (32-bit ring-0 code, no kernel), one per case in guests.S.
guest() {
    local c=$1
    gcc -c -Ikernel/include -DCASE_$c "$V/tests/guests.S" -o "$OUT/$c.o" &&
        ld --no-warn-rwx-segments -T "$V/tests/guest.ld" -o "$OUT/$c.elf" "$OUT/$c.o"
}

# vmm_case NAME STATUS 'REGEX...' -- unikit-run-arguments...
vmm_case() {
    local name=$1 want=$2
    shift 2
    local regexes=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do regexes+=("$1"); shift; done
    shift
    local log=$TMP/$name.log
    timeout 20 "$UNIKIT" run --vmm kvm "$@" </dev/null >"$log" 2>&1
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "$name" "exit status $got, expected $want; output: $(tail -c 600 "$log" | tr '\n' '|')"
        return
    fi
    for re in "${regexes[@]}"; do
        if ! grep -Eq -- "$re" "$log"; then
            fail "$name" "output lacks /$re/: $(tail -c 600 "$log" | tr '\n' '|')"
            return
        fi
    done
    pass "$name"
}

for c in exit_port uart cmdline hypercalls bad_console bad_hypercall triple_fault \
    unhandled_port unbacked_mmio spin virtio_magic; do
    guest $c 2>"$TMP/guest.err" || fail "guest $c (build)" "$(head -c 400 "$TMP/guest.err")"
done
G=$OUT
vmm_case vmm-exit-port 7 -- "$G/exit_port.elf"
vmm_case vmm-uart 0 '^hello from a tiny guest$' -- "$G/uart.elf"
# The command line: each launcher option once, then the VMM's devices, then env and argv.
head -c 4096 /dev/zero >"$TMP/cmdline.img"
vmm_case vmm-cmdline 0 '^tsc_khz=[0-9]+ wallclock=[0-9]+ platform=ukvm virtio_mmio.device=4K@0xd0000000:5 -- A=b -- cmdline x$' \
    -- --disk "$TMP/cmdline.img" -e A=b "$G/cmdline.elf" x
vmm_case vmm-hypercalls 42 '^hello from a tiny guest$' -- "$G/hypercalls.elf"
vmm_case vmm-console-efault 42 -- "$G/bad_console.elf"
vmm_case vmm-bad-hypercall 255 'argument at 0xfffffff8 is misaligned or outside guest memory' \
    'rip 0x' -- "$G/bad_hypercall.elf"
vmm_case vmm-triple-fault 255 'triple fault \(KVM_EXIT_SHUTDOWN\) at rip 0x100000' 'rax ' \
    -- "$G/triple_fault.elf"
vmm_case vmm-unhandled-port 255 'unhandled port 0x80' -- "$G/unhandled_port.elf"
vmm_case vmm-unbacked-mmio 255 'MMIO read of 4 bytes at unbacked address 0xe0000000' \
    -- "$G/unbacked_mmio.elf"
vmm_case vmm-console-file 42 -- --console "$TMP/console.txt" "$G/hypercalls.elf"
if grep -qx 'hello from a tiny guest' "$TMP/console.txt" 2>/dev/null; then
    pass vmm-console-file-contents
else
    fail vmm-console-file-contents "--console file lacks the guest's line"
fi
vmm_case vmm-stats 7 '^unikit: stats: exits 2$' "port $STATUS_PORT " 'port 0xf4 ' 'host setup' \
    -- --stats "$G/exit_port.elf"

# ---- the sandbox: the VMM runs in a child of `unikit run`, under seccomp ----

# start_spin: starts a spinning guest in the background; sets LAUNCHER and
# VMM_PID (the child that runs the guest, once it is in KVM_RUN).
start_spin() {
    "$UNIKIT" run --vmm kvm "$G/spin.elf" >"$TMP/spin.log" 2>&1 &
    LAUNCHER=$!
    VMM_PID=
    for _ in $(seq 100); do
        VMM_PID=$(pgrep -P "$LAUNCHER" | head -n 1)
        [ -n "$VMM_PID" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$VMM_PID/status" 2>/dev/null && break
        sleep 0.02
    done
}
seccomp_mode() { awk '/^Seccomp:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# The filter is on in the VMM while the guest runs, off in the launcher; SIGTERM
# to the launcher reaches the guest's VMM, which stops it cleanly: 128 + 15.
start_spin
vmm_mode=$(seccomp_mode "${VMM_PID:-none}") launcher_mode=$(seccomp_mode "$LAUNCHER")
kill -TERM "$LAUNCHER"
wait "$LAUNCHER"
got=$?
if [ "$vmm_mode" = 2 ] && [ "$launcher_mode" = 0 ]; then
    pass vmm-seccomp-on
else
    fail vmm-seccomp-on "Seccomp: ${vmm_mode:-?} in the VMM (pid ${VMM_PID:-none}), ${launcher_mode:-?} in the launcher; expected 2 and 0"
fi
if [ $got = 143 ]; then pass vmm-sigterm; else fail vmm-sigterm "exit status $got, expected 143"; fi

# --user: the VMM child gives up root after opening its files (still under the filter).
"$UNIKIT" run --vmm kvm --user 65534:65534 "$G/spin.elf" >"$TMP/spin.log" 2>&1 &
LAUNCHER=$!
VMM_PID=
for _ in $(seq 100); do
    VMM_PID=$(pgrep -P "$LAUNCHER" | head -n 1)
    [ -n "$VMM_PID" ] && grep -q '^Seccomp:[[:space:]]*2' "/proc/$VMM_PID/status" 2>/dev/null && break
    sleep 0.02
done
ids=$(awk '/^(Uid|Gid):/ { printf "%s %s ", $2, $3 }' "/proc/${VMM_PID:-none}/status" 2>/dev/null)
kill -TERM "$LAUNCHER"
wait "$LAUNCHER"
if [ "$ids" = "65534 65534 65534 65534 " ] && [ "$(seccomp_mode "$LAUNCHER")" = "" ]; then
    pass vmm-user-drop
else
    fail vmm-user-drop "VMM uid/gid '$ids', expected 65534 everywhere"
fi
run_with_timeout 10 "$UNIKIT" run --vmm kvm --user 65534 "$BUILD/apps/hello.elf" 3
expect_status 3 && expect_output '^Hello from unikit' && pass vmm-user-hello || fail vmm-user-hello "$WHY"
run_with_timeout 10 "$UNIKIT" run --user nobody:x "$BUILD/apps/hello.elf"
expect_status 125 && expect_output "--user 'nobody:x'" && pass vmm-user-bad-flag || fail vmm-user-bad-flag "$WHY"

# A VMM killed by seccomp (SIGSYS, sent by hand here: the unit test above
# makes real forbidden calls) is reported by the launcher, status 125.
start_spin
[ -n "$VMM_PID" ] && kill -SYS "$VMM_PID"
wait "$LAUNCHER"
got=$?
if [ $got = 125 ] && grep -q 'outside its seccomp allowlist and was killed (SIGSYS)' "$TMP/spin.log"; then
    pass vmm-sigsys-reported
else
    fail vmm-sigsys-reported "status $got: $(tail -c 400 "$TMP/spin.log" | tr '\n' '|')"
fi

# A launcher killed outright takes its VMM with it (PR_SET_PDEATHSIG).
start_spin
exec 3>&2 2>/dev/null # no "Killed" job notice from bash
kill -KILL "$LAUNCHER"
wait "$LAUNCHER"
exec 2>&3 3>&-
t0=$(date +%s%N)
# Gone, or a zombie that its new parent has not reaped yet.
vmm_alive() { [ -n "$VMM_PID" ] && ps -o stat= -p "$VMM_PID" | grep -qv '^Z'; }
for _ in $(seq 150); do
    vmm_alive || break
    sleep 0.02
done
if [ -n "$VMM_PID" ] && ! vmm_alive; then
    pass vmm-dies-with-launcher
    echo "  (VMM gone $(( ($(date +%s%N) - t0) / 1000000 )) ms after the launcher)"
else
    fail vmm-dies-with-launcher "VMM ${VMM_PID:-not found} still running after SIGKILL to the launcher"
    [ -n "$VMM_PID" ] && kill -KILL "$VMM_PID"
fi

# Without /dev/kvm (a private mount namespace hides it): one message, status 125.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    unshare -m sh -c "mount -t tmpfs none /dev && exec $UNIKIT run --vmm kvm $G/exit_port.elf" \
        >"$TMP/nokvm.log" 2>&1
    got=$?
    if [ $got = 125 ] && grep -q '^unikit: vmm: open /dev/kvm: No such file or directory$' "$TMP/nokvm.log"; then
        pass vmm-no-dev-kvm
    else
        fail vmm-no-dev-kvm "status $got: $(tr '\n' '|' <"$TMP/nokvm.log")"
    fi
else
    skip vmm-no-dev-kvm "needs root and unshare"
fi

# /dev/kvm there but not ours to open (as nobody; root opens anything): one message, 125.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ "$(stat -c %a /dev/kvm)" != 666 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$UNIKIT" run --vmm kvm "$G/exit_port.elf" \
        </dev/null >"$TMP/kvm-denied.log" 2>&1
    got=$?
    if [ $got = 125 ] && grep -q '^unikit: vmm: open /dev/kvm: Permission denied$' "$TMP/kvm-denied.log"; then
        pass vmm-dev-kvm-not-accessible
    else
        fail vmm-dev-kvm-not-accessible "status $got: $(tr '\n' '|' <"$TMP/kvm-denied.log")"
    fi
else
    skip vmm-dev-kvm-not-accessible "needs root, setpriv, and a /dev/kvm that not everyone may open"
fi

# ---- hostile input: one message, status 125, on both backends, nothing left running ----

# refused NAME REGEX -- unikit-run-arguments...: under --vmm kvm and --vmm qemu,
# the run exits 125 with exactly one "unikit:" line, and it matches REGEX.
refused() {
    local name=$1 re=$2 vmm
    shift 3
    for vmm in kvm qemu; do
        local log=$TMP/refused.log
        timeout 20 "$UNIKIT" run --vmm $vmm "$@" </dev/null >"$log" 2>&1
        local got=$? lines
        lines=$(grep -c '^unikit: ' "$log")
        if [ "$got" != 125 ]; then
            fail "$name [$vmm]" "exit status $got, expected 125: $(tail -c 400 "$log" | tr '\n' '|')"
        elif ! grep -Eq -- "$re" "$log"; then
            fail "$name [$vmm]" "output lacks /$re/: $(tail -c 400 "$log" | tr '\n' '|')"
        elif [ "$lines" != 1 ]; then
            fail "$name [$vmm]" "expected one unikit: line, got $lines: $(tail -c 400 "$log" | tr '\n' '|')"
        else
            pass "$name [$vmm]"
        fi
    done
}

# Images: cut short, or loading where they must not (the linker script moved).
head -c 100 "$G/exit_port.elf" >"$TMP/headers-cut.elf"
head -c 1000 "$G/exit_port.elf" >"$TMP/segment-cut.elf"
at() { sed "s/0x100000/$1/" "$V/tests/guest.ld" >"$TMP/at.ld" &&
    ld --no-warn-rwx-segments -T "$TMP/at.ld" -o "$TMP/at-$1.elf" "$OUT/exit_port.o"; }
at 0x6000 && at 0xbff00000 || fail "hostile images (build)" "ld failed"
# paddr B0 .. B7 (little-endian bytes as printf escapes) -> $TMP/paddr.elf: the
# first program header's p_paddr (offset 24 in it) rewritten.
paddr() {
    local phoff
    cp "$G/exit_port.elf" "$TMP/paddr.elf"
    phoff=$(od -An -t u8 -j 32 -N 8 "$TMP/paddr.elf" | tr -d ' ')
    printf "$1" | dd of="$TMP/paddr.elf" bs=1 seek=$((phoff + 24)) conv=notrunc 2>/dev/null
}
printf 'not an ELF at all\n' >"$TMP/text.elf"
refused "hostile: ELF headers cut short" 'program headers run past the end of the file' -- "$TMP/headers-cut.elf"
refused "hostile: ELF segment cut short" 'runs past the end of the file \(truncated\?\)' -- "$TMP/segment-cut.elf"
refused "hostile: not an ELF" "$TMP/text.elf: " -- "$TMP/text.elf"
refused "hostile: missing image" 'cannot open: No such file' -- "$TMP/none.elf"
refused "hostile: segment over the start info (0x6000)" 'a segment loads at 0x6000, below 1 MiB' -- "$TMP/at-0x6000.elf"
refused "hostile: segment outside guest memory" 'needs at least 3073M of guest memory .* but -m gives 32M' \
    -- "$TMP/at-0xbff00000.elf"
paddr '\x00\x00\x10\x00\x01\x00\x00\x00' # 0x100100000
refused "hostile: segment above 4 GiB" 'needs at least .* of guest memory|4 GiB' -- -m 3G "$TMP/paddr.elf"
paddr '\x00\xf0\xff\xff\xff\xff\xff\xff' # wraps around the address space
refused "hostile: segment wrapping around 2^64" "$TMP/paddr.elf: " -- "$TMP/paddr.elf"

# Memory: too much is refused; the most allowed costs only the pages the guest touches.
refused "hostile: -m 10T" '^unikit: run: -m 10T: guest memory must be between 4M and 3G$' -- -m 10T "$G/exit_port.elf"
refused "hostile: -m 4G" '^unikit: run: -m 4G: guest memory must be between' -- -m 4G "$G/exit_port.elf"
refused "hostile: -m 18446744073709551616" 'size `18446744073709551616` is too large' \
    -- -m 18446744073709551616 "$G/exit_port.elf"
vmm_case vmm-3G-untouched 7 '^unikit: stats: backend kvm, .*max rss [0-9]{1,4} KiB' -- -m 3G --stats "$G/exit_port.elf"

# Disks.
head -c 8192 /dev/zero >"$TMP/disk.img"
vmm_case vmm-disk-window 0 -- --disk "$TMP/disk.img" "$G/virtio_magic.elf"
: >"$TMP/empty.img"
head -c 100 /dev/zero >"$TMP/short.img"
refused "hostile: missing disk" "$TMP/none.img: cannot open disk for reading and writing: No such file" \
    -- --disk "$TMP/none.img" "$G/exit_port.elf"
refused "hostile: missing read-only disk" "cannot open disk \(read-only\): No such file" \
    -- --disk "$TMP/none.img:ro" "$G/exit_port.elf"
refused "hostile: zero-length disk" "empty.img: a disk must be a regular file of at least one 512-byte sector" \
    -- --disk "$TMP/empty.img" "$G/exit_port.elf"
refused "hostile: disk shorter than a sector" "at least one 512-byte sector" -- --disk "$TMP/short.img" "$G/exit_port.elf"
refused "hostile: a directory as disk" "at least one 512-byte sector" -- --disk "$TMP:ro" "$G/exit_port.elf"

# Flags.
refused "hostile: --vmm foo" "^unikit: run: --vmm \`foo\`: expected kvm or qemu$" -- --vmm foo "$G/exit_port.elf"
refused "hostile: unknown flag" "unknown option \`--bogus\`" -- --bogus "$G/exit_port.elf"
refused "hostile: -m abc" "\`abc\` is not a size" -- -m abc "$G/exit_port.elf"
refused "hostile: --disk with no IMAGE after it" 'no IMAGE given' -- --disk "$G/exit_port.elf"
refused "hostile: --console with no value" 'no IMAGE given|--console needs a value' -- --console
refused "hostile: no IMAGE" 'no IMAGE given' --

sleep 0.2
if stray=$(pgrep -af "$TMP/" | grep -v pgrep); then
    fail "hostile: nothing left running" "$(printf '%s' "$stray" | tr '\n' '|')"
else
    pass "hostile: nothing left running"
fi

# ---- virtio-blk through the guest's block API, on both backends, then checked on the host ----
BLK=$BUILD/apps/test_blk.elf
if [ -f "$BLK" ] && $HOSTCC $CFLAGS -o "$OUT/blk_pattern" "$V/tests/blk_pattern.c" 2>"$TMP/blk_pattern.cc"; then
    for vmm in kvm qemu; do
        # d0: read-write, 4 MiB; d1: read-only, "unikit-ro" then zeros; in this order.
        truncate -s 0 "$TMP/d0.img" && truncate -s 4M "$TMP/d0.img"
        { printf 'unikit-ro'; head -c $((1048576 - 9)) /dev/zero; } >"$TMP/d1.img"
        cp "$TMP/d1.img" "$TMP/d1.orig"
        timeout 30 "$UNIKIT" run --vmm $vmm --disk "$TMP/d0.img" --disk "$TMP/d1.img:ro" \
            "$BLK" "$(stat -c %s "$TMP/d0.img")" </dev/null >"$TMP/blk.log" 2>&1
        got=$?
        if [ $got = 0 ] && grep -q '^SUCCESS$' "$TMP/blk.log"; then
            pass "vmm-blk-guest [$vmm]"
        else
            fail "vmm-blk-guest [$vmm]" "status $got: $(tail -c 600 "$TMP/blk.log" | tr '\n' '|')"
        fi
        "$OUT/blk_pattern" "$TMP/d0.img" | sed "s/^\(PASS\|FAIL\) \([^:]*\)/\1 \2 [$vmm]/"
        if cmp -s "$TMP/d1.img" "$TMP/d1.orig"; then
            pass "vmm-blk-host-ro-untouched [$vmm]"
        else
            fail "vmm-blk-host-ro-untouched [$vmm]" "the read-only disk changed"
        fi
    done
else
    skip vmm-blk-guest "$BLK not built, or blk_pattern.c does not build: $(head -c 300 "$TMP/blk_pattern.cc" 2>/dev/null)"
fi

# ---- malformed descriptor chains (tests/guest/badchain): each refused, the device keeps serving ----
# Under --vmm kvm only: under QEMU the driver notifies at submit, so the device
# takes the chain before the test can spoil it (and QEMU answers a bad chain by
# marking the whole device broken, not by failing one request).
BADCHAIN=$BUILD/apps/test_badchain.elf
if [ -f "$BADCHAIN" ]; then
    { printf 'unikit-badchain'; head -c $((65536 - 15)) /dev/zero; } >"$TMP/badchain.img"
    vmm_case vmm-badchain 0 '^SUCCESS$' \
        'virtio-blk: request [0-9]+ refused: buffer outside guest memory' \
        'virtio-blk: request [0-9]+ refused: descriptor chain loops' \
        'virtio-blk: request [0-9]+ refused: descriptor index out of range' \
        'virtio-blk: request [0-9]+ refused: device-readable buffer after a device-writable one' \
        -- -m 32M --disk "$TMP/badchain.img" "$BADCHAIN" $((32 << 20))
    refusals=$(grep -c 'refused: ' "$TMP/vmm-badchain.log")
    [ "$refusals" = 8 ] && pass vmm-badchain-one-message-each ||
        fail vmm-badchain-one-message-each "$refusals refusal messages, expected 8 (one per case)"
    skip "vmm-badchain [qemu]" "the driver kicks QEMU at submit, before the test can spoil the chain"
else
    skip vmm-badchain "$BADCHAIN not built"
fi

# The real image, when it has been built.
HELLO=$BUILD/apps/hello.elf
if [ -f "$HELLO" ]; then
    vmm_case vmm-hello 7 '^Hello from unikit' '^argv\[1\] = "7"$' '^unikit: stats: exits [0-9]+$' \
        -- --stats "$HELLO" 7
    grep -E '^unikit: stats: (exits|host setup)' "$TMP/vmm-hello.log" | sed 's/^/  /'
    # Exits are the cost here (about 115 us each): one per console write and
    # one to exit, never one per character: hello 7 writes 7 lines.
    exits=$(sed -n 's/^unikit: stats: exits \([0-9]*\)$/\1/p' "$TMP/vmm-hello.log")
    [ -n "$exits" ] && [ "$exits" -le 10 ] && pass "vmm-hello-exits (${exits} <= 10)" ||
        fail vmm-hello-exits "hello took ${exits:-?} exits, more than 10"
else
    skip vmm-hello "$HELLO not built (make APP=hello)"
fi
exit 0
