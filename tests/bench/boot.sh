#!/bin/bash
# boot.sh: `make bench-boot`: hello through unikit's own VMM, through QEMU, and the bare KVM floor, interleaved; figures, never pass/fail.
#   BUILD=build ROUNDS=20 tests/bench/boot.sh
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
ROUNDS=${ROUNDS:-20}
UNIKIT=$BUILD/unikit
export UNIKIT_NET=${UNIKIT_NET:-none} # hello needs no network: no bridge on the host
HELLO=$BUILD/apps/hello.elf
B=$BUILD/bench

for f in "$UNIKIT" "$HELLO" "$B/kvm_floor" "$B/bench_run"; do
    [ -e "$f" ] || { echo "bench-boot: $f is missing (make bench-boot builds it)"; exit 1; }
done
if ! { : <>/dev/kvm; } 2>/dev/null; then
    echo "bench-boot: /dev/kvm is not usable here; nothing to measure"
    exit 0
fi

echo "bench-boot: $(uname -r), $(nproc) CPUs; QEMU: $("${UNIKIT_QEMU:-qemu-system-x86_64}" --version | head -n 1)"
"$B/bench_run" "$ROUNDS" \
    "kvm floor" "$B/kvm_floor" ::: \
    "unikit run (own VMM)" "$UNIKIT" run --vmm kvm "$HELLO" ::: \
    "unikit run --vmm qemu" "$UNIKIT" run --vmm qemu "$HELLO"

# Where the own VMM's time goes, and what hello costs in exits (one run).
echo
echo "one run of hello under the own VMM, --stats:"
"$UNIKIT" run --vmm kvm --stats "$HELLO" 2>&1 >/dev/null | grep '^unikit: stats:' | sed 's/^/  /'
