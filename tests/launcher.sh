#!/bin/bash
# launcher.sh: `unikit` itself: help and version, bad flags, bad images (125, QEMU never started), and
# the QEMU backend on tiny hand-made PVH images (exit statuses, command line, console, signals).
set -u
cd "$(dirname "$0")/.."
. tests/lib.sh

ABI_H=${ABI_H:-kernel/include/unikit/boot_abi.h} # the header the launcher was built with
FIX=$TEST_TMP/fixtures
mkdir -p "$FIX"

if [ ! -x "$UNIKIT" ]; then
    fail "launcher built" "$UNIKIT is missing: run make first"
    exit 0
fi

# ---- fixtures: tiny PVH images made with as and ld ----

# The smallest image the launcher accepts: it prints the command line it was
# given on the serial port, then (depending on --defsym flags) writes a status
# byte, exits through isa-debug-exit, spins, or triple-faults.
cat >"$FIX/fixture.S" <<'ASM'
    .section .note.pvh, "a", @note
    .p2align 2
.ifndef NO_PVH
    .long 4, 4, 18              /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long _start
.endif
    .long 7, 4, 0x756b0001      /* the unikit ABI note */
    .asciz "unikit"
    .p2align 2
    .long ABI_VERSION

    .text
    .code32
    .globl _start
_start:
    mov 24(%ebx), %esi          /* hvm_start_info.cmdline_paddr */
    mov $0x3f8, %dx
1:  movb (%esi), %al
    test %al, %al
    jz 2f
    outb %al, %dx
    inc %esi
    jmp 1b
2:  mov $10, %al
    outb %al, %dx
.ifdef LOOP
3:  jmp 3b
.endif
.ifdef STATUS_BYTE
    mov $STATUS_PORT, %dx
    mov $STATUS_BYTE, %al
    outb %al, %dx
.endif
.ifdef EXIT_CODE
    mov $0xf4, %dx
    mov $EXIT_CODE, %al
    outb %al, %dx
.endif
    lidt null_idt               /* no IDT: the next trap triple-faults */
    int $3
null_idt:
    .word 0
    .long 0

.ifdef BIG_BSS
    .bss
    .space BIG_BSS
.endif
ASM

cat >"$FIX/fixture.ld" <<'LD'
ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(7); note PT_NOTE FLAGS(4); }
SECTIONS {
    . = 0x100000;
    .text : { *(.text) } :text
    .note : { *(.note.*) } :text :note
    .bss : { *(.bss) } :text
}
LD

STATUS_PORT=$(awk '$1 == "#define" && $2 == "UK_PORT_EXIT_STATUS" { print $3 }' "$ABI_H")
ABI_VERSION=$(awk '$1 == "#define" && $2 == "UK_ABI_VERSION" { print $3 }' "$ABI_H")
HAVE_BINUTILS=1
command -v as >/dev/null && command -v ld >/dev/null || HAVE_BINUTILS=0

# fixture NAME [--32] [SYMBOL=VALUE...]: builds $FIX/NAME.elf; false if it cannot.
fixture() {
    local name=$1 as_flags=(--64) ld_flags=(-m elf_x86_64)
    shift
    [ "$HAVE_BINUTILS" = 1 ] || return 1
    if [ "${1:-}" = --32 ]; then
        as_flags=(--32) ld_flags=(-m elf_i386)
        shift
    fi
    local defs=(--defsym "STATUS_PORT=$STATUS_PORT")
    case " $* " in *" ABI_VERSION="*) ;; *) defs+=(--defsym "ABI_VERSION=$ABI_VERSION") ;; esac
    for d in "$@"; do defs+=(--defsym "$d"); done
    as "${as_flags[@]}" "${defs[@]}" -o "$FIX/$name.o" "$FIX/fixture.S" 2>"$FIX/$name.log" &&
        ld "${ld_flags[@]}" -T "$FIX/fixture.ld" -o "$FIX/$name.elf" "$FIX/$name.o" \
            2>>"$FIX/$name.log"
}

# need_fixture CASE NAME ARGS...: builds the fixture or reports CASE skipped.
need_fixture() {
    local case_name=$1
    shift
    fixture "$@" && return 0
    skip "$case_name" "cannot build the fixture image (as/ld missing or failing)"
    return 1
}

# ---- help, version, verbs ----

check_run "unikit --help" 0 '^Usage: unikit' '^  run ' -- "$UNIKIT" --help
check_run "unikit --version" 0 '^unikit [0-9]+\.[0-9]+\.[0-9]+' -- "$UNIKIT" --version
check_run "unikit run --help" 0 '^Usage: unikit run' '--vmm kvm\|qemu' '-m, --memory SIZE' \
    -- "$UNIKIT" run --help
check_run "unikit without a verb" 125 '^Usage: unikit' -- "$UNIKIT"
check_run "unikit with an unknown verb" 125 '^unikit: `frobnicate` is not a verb' \
    -- "$UNIKIT" frobnicate

# ---- bad flags and bad images: 125, one message, QEMU never started ----

# A stand-in QEMU that only records that it was started.
FAKE_QEMU=$FIX/fake-qemu
STARTED=$FIX/qemu-started
printf '#!/bin/sh\ntouch "%s"\nexit 0\n' "$STARTED" >"$FAKE_QEMU"
chmod +x "$FAKE_QEMU"

# refused NAME REGEX UNIKIT-RUN-ARGS...: expects 125, REGEX in the output, no QEMU started.
refused() {
    local name=$1 re=$2
    shift 2
    rm -f "$STARTED"
    run_with_timeout 10 env UNIKIT_QEMU="$FAKE_QEMU" "$UNIKIT" run "$@"
    if ! expect_status 125 || ! expect_output "$re"; then
        fail "$name" "$WHY"
    elif [ -e "$STARTED" ]; then
        fail "$name" "QEMU was started"
    elif [ "$(printf '%s\n' "$OUTPUT" | grep -c '^unikit: ')" != 1 ]; then
        fail "$name" "expected exactly one unikit: line; output: $(output_summary)"
    else
        pass "$name"
    fi
}

GOOD=$FIX/good.elf
if fixture good STATUS_BYTE=0 EXIT_CODE=0; then
    refused "run -m 0" '^unikit: run: -m 0: guest memory must be between 4M and 3G$' -m 0 "$GOOD"
    refused "run -m 10T" '^unikit: run: -m 10T: guest memory must be between' -m 10T "$GOOD"
    refused "run -m 4G" '^unikit: run: -m 4G: guest memory must be between' -m 4G "$GOOD"
    refused "run -m abc" '^unikit: run: -m: `abc` is not a size' -m abc "$GOOD"
    refused "run -m 4097K (not 4K-aligned)" 'multiple of 4K' -m 4097K "$GOOD"
    refused "run -m without a value" '^unikit: run: -m needs a value' -m
    refused "run with an unknown option" '^unikit: run: unknown option `--frobnicate`' \
        --frobnicate "$GOOD"
    refused "run --vmm bogus" '^unikit: run: --vmm `bogus`: expected kvm or qemu' \
        --vmm bogus "$GOOD"
    refused "run --accel bogus" '^unikit: run: --accel `bogus`' --accel bogus "$GOOD"
    refused "run -e without =" '^unikit: run: -e `NOEQUALS`: expected KEY=VALUE' \
        -e NOEQUALS "$GOOD"
    refused "run without IMAGE" '^unikit: run: no IMAGE given' -m 32M
else
    skip "bad flags" "cannot build the fixture image (as/ld missing or failing)"
fi

MISSING=$FIX/no-such-image.elf
refused "image missing" "^unikit: $MISSING: cannot open: No such file or directory$" "$MISSING"
refused "image is a directory" "^unikit: $FIX: not a regular file$" "$FIX"
printf 'just some text\n' >"$FIX/text.elf"
refused "image is a text file" "^unikit: $FIX/text.elf: not an ELF file$" "$FIX/text.elf"
: >"$FIX/empty.elf"
refused "image is empty" "^unikit: $FIX/empty.elf: not an ELF file$" "$FIX/empty.elf"
if [ -f "$GOOD" ]; then
    head -c 100 "$GOOD" >"$FIX/truncated.elf"
    refused "image is a truncated ELF" "^unikit: $FIX/truncated.elf: .*(truncated|past the end)" \
        "$FIX/truncated.elf"
    cp "$GOOD" "$FIX/aarch64.elf"
    printf '\267\000' | dd of="$FIX/aarch64.elf" bs=1 seek=18 conv=notrunc status=none
    refused "image is an aarch64 ELF" "^unikit: $FIX/aarch64.elf: an ELF file for aarch64" \
        "$FIX/aarch64.elf"
fi
if fixture x86-32 --32 STATUS_BYTE=0; then
    refused "image is a 32-bit x86 ELF" "^unikit: $FIX/x86-32.elf: a 32-bit ELF file" \
        "$FIX/x86-32.elf"
else
    skip "image is a 32-bit x86 ELF" "cannot build it (as --32 / ld -m elf_i386 failing)"
fi
if need_fixture "image without a PVH note" nopvh NO_PVH=1; then
    refused "image without a PVH note" "^unikit: $FIX/nopvh.elf: no PVH entry note" \
        "$FIX/nopvh.elf"
fi
if need_fixture "image for another ABI version" abi99 ABI_VERSION=99; then
    refused "image for another ABI version" "^unikit: $FIX/abi99.elf: built for unikit ABI version 99" \
        "$FIX/abi99.elf"
fi
TRUE_BIN=$(command -v true)
refused "image is a host program ($TRUE_BIN)" "^unikit: $TRUE_BIN: " "$TRUE_BIN"
if need_fixture "image larger than -m" big BIG_BSS=0x600000; then
    refused "image larger than -m" \
        "^unikit: $FIX/big.elf: needs at least 9M of guest memory .* but -m gives 4M$" \
        -m 4M "$FIX/big.elf"
fi

# ---- the QEMU backend on fixture images ----

if ! command -v "${UNIKIT_QEMU:-qemu-system-x86_64}" >/dev/null; then
    skip "QEMU backend" "${UNIKIT_QEMU:-qemu-system-x86_64} is not installed"
    exit 0
fi

# boots NAME STATUS [REGEX...] -- UNIKIT-RUN-ARGS...
boots() {
    local name=$1 want=$2
    shift 2
    local regexes=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do regexes+=("$1"); shift; done
    shift
    check_run "$name" "$want" "${regexes[@]}" -- "$UNIKIT" run --vmm qemu "$@"
}

STATUS_PORT_OK=1
case $(printf '%d' "$STATUS_PORT") in
1296 | 1297 | 129[89] | 130[0-7]) STATUS_PORT_OK=0 ;; # 0x510-0x51b: QEMU's fw_cfg
esac

for status in 0 1 42; do
    if need_fixture "qemu: exit status $status" "exit$status" "STATUS_BYTE=$status" \
        "EXIT_CODE=$status"; then
        boots "qemu: exit status $status" "$status" -- "$FIX/exit$status.elf"
    fi
done
if [ "$STATUS_PORT_OK" = 0 ]; then
    skip "qemu: exit status 200 (status byte)" \
        "boot_abi.h puts UK_PORT_EXIT_STATUS at $STATUS_PORT, inside QEMU's fw_cfg ports (0x510-0x51b)"
elif need_fixture "qemu: exit status 200 (status byte)" exit200 STATUS_BYTE=200 EXIT_CODE=200; then
    boots "qemu: exit status 200 (status byte)" 200 -- "$FIX/exit200.elf"
fi
if need_fixture "qemu: isa-debug-exit without a status byte" debugexit EXIT_CODE=21; then
    boots "qemu: isa-debug-exit without a status byte" 21 -- "$FIX/debugexit.elf"
fi
if need_fixture "qemu: triple fault" triple; then
    boots "qemu: triple fault" 255 '^unikit: guest stopped without an exit status' \
        -- "$FIX/triple.elf"
fi

# What reaches the guest: kernel options, environment and argv, percent-encoded.
E=$FIX/exit0.elf
if [ -f "$E" ]; then
    boots "qemu: kernel options on the command line" 0 \
        '^(tsc_khz=[0-9]+ )?wallclock=[0-9]{19} platform=qemu -- ' -- "$E"
    boots "qemu: environment and argv on the command line" 0 \
        ' -- A=1 B=two%20words -- exit0 x%20y %2D%2D %00 100%25 caf%C3%A9$' \
        -- -e A=1 -e "B=two words" "$E" "x y" -- "" "100%" "café"
    boots "qemu: ARGS after IMAGE are the guest's, even flags" 0 ' -- exit0 -m 4M --help --vmm$' \
        -- "$E" -m 4M --help --vmm
    boots "qemu: -- before IMAGE" 0 ' -- -- exit0$' -- -m 8M -- "$E"
    boots "qemu: --accel tcg" 0 'platform=qemu' -- --accel tcg "$E"
    boots "qemu: --stats" 0 '^unikit: stats: backend qemu, wall [0-9.]+ ms, exit 0' -- --stats "$E"
    boots "qemu: -m 3G" 0 'platform=qemu' -- -m 3G "$E"
    if need_kvm "qemu: --accel kvm"; then
        boots "qemu: --accel kvm" 0 'platform=qemu' -- --accel kvm "$E"
    fi

    run_with_timeout 30 "$UNIKIT" run --vmm qemu --console "$FIX/console.log" "$E" arg1
    if expect_status 0 && expect_no_output 'platform=qemu' &&
        grep -q -- '-- exit0 arg1$' "$FIX/console.log"; then
        pass "qemu: --console PATH"
    else
        fail "qemu: --console PATH" "${WHY:-console file lacks the command line}"
    fi
    for vmm in qemu kvm; do
        refused "$vmm: --console in a missing directory" \
            "^unikit: console: cannot open \`$FIX/no/such/dir\`: No such file or directory$" \
            --vmm $vmm --console "$FIX/no/such/dir" "$E"
    done

    run_with_timeout 10 env UNIKIT_QEMU="$FIX/no-such-qemu" "$UNIKIT" run --vmm qemu "$E"
    expect_status 125 && expect_output "^unikit: qemu: cannot run \`$FIX/no-such-qemu\`: No such file" &&
        pass "qemu: missing QEMU binary" || fail "qemu: missing QEMU binary" "$WHY"
    if [ "$STATUS_PORT_OK" = 1 ]; then
        run_with_timeout 10 env UNIKIT_QEMU=false "$UNIKIT" run --vmm qemu "$E"
        expect_status 125 && expect_output '^unikit: qemu: failed \(exit status 1' &&
            pass "qemu: QEMU failing" || fail "qemu: QEMU failing" "$WHY"
    else
        skip "qemu: QEMU failing" "without the status byte (port $STATUS_PORT clashes with fw_cfg), QEMU's exit 1 reads as the guest's exit(0)"
    fi
    printf '#!/bin/sh\nkill -KILL $$\n' >"$FIX/killed-qemu"
    chmod +x "$FIX/killed-qemu"
    run_with_timeout 10 env UNIKIT_QEMU="$FIX/killed-qemu" "$UNIKIT" run --vmm qemu "$E"
    expect_status 137 && expect_output '^unikit: qemu: killed by signal 9' &&
        pass "qemu: QEMU killed by a signal" || fail "qemu: QEMU killed by a signal" "$WHY"

    truncate -s 1M "$FIX/rw.img" "$FIX/ro.img"
    boots "qemu: --disk becomes virtio_mmio.device= kernel options" 0 \
        'platform=qemu virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11 -- ' \
        -- --disk "$FIX/rw.img" --disk "$FIX/ro.img:ro" "$E"
    refused "qemu: --disk missing" "^unikit: $FIX/none.img: cannot open disk for reading and writing: No such file" \
        --disk "$FIX/none.img" "$E"
fi

# SIGTERM to unikit reaches QEMU: the guest stops, unikit says so and exits 143 (128 + 15).
if need_fixture "qemu: SIGTERM is forwarded" loop LOOP=1; then
    "$UNIKIT" run --vmm qemu "$FIX/loop.elf" </dev/null >"$FIX/loop.out" 2>&1 &
    pid=$!
    for _ in $(seq 50); do
        grep -q platform=qemu "$FIX/loop.out" && break
        sleep 0.1
    done
    kill -TERM "$pid"
    wait "$pid"
    STATUS=$?
    OUTPUT=$(cat "$FIX/loop.out")
    if ! expect_status 143 || ! expect_output '^unikit: qemu: stopped by signal 15'; then
        fail "qemu: SIGTERM is forwarded" "$WHY"
    elif pgrep -f "$FIX/loop.elf" >/dev/null; then
        fail "qemu: SIGTERM is forwarded" "QEMU is still running"
    else
        pass "qemu: SIGTERM is forwarded"
    fi
fi

# ---- the real hello image, when the kernel's build has made it ----

HELLO=$BUILD/apps/hello.elf
if need_file "hello under qemu" "$HELLO" "$HELLO is missing (make APP=hello)"; then
    boots "hello under qemu: exit 42" 42 -- "$HELLO" 42
    # The least memory hello fits in is what the launcher asks for when given
    # too little (the image's bss grows with the kernel, e.g. its thread stacks).
    run_with_timeout 10 "$UNIKIT" run --vmm qemu -m 4M "$HELLO"
    least=$(printf '%s\n' "$OUTPUT" | sed -n 's/.*needs at least \([0-9]*M\) of guest memory.*/\1/p')
    boots "hello under qemu: the least -m it accepts (${least:-4M})" 0 -- -m "${least:-4M}" "$HELLO"
fi
BLK=$BUILD/apps/test_blk.elf
if need_file "virtio-blk guest under qemu" "$BLK" "$BLK is missing (make)"; then
    truncate -s 4M "$FIX/blk-rw.img"
    printf 'unikit-ro' >"$FIX/blk-ro.img"
    truncate -s 1M "$FIX/blk-ro.img"
    boots "virtio-blk guest under qemu (--disk, --disk :ro)" 0 '^SUCCESS$' -- \
        --disk "$FIX/blk-rw.img" --disk "$FIX/blk-ro.img:ro" "$BLK" 4194304
fi
