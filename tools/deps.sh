#!/bin/bash
# deps.sh: install the Debian packages unikit needs and build newlib into the per-machine cache.
#
# Usage: tools/deps.sh [--print-newlib | --print-lwip]
#   --print-newlib  print the newlib prefix (building it first if needed) and nothing else
#   --print-lwip    print the lwIP source folder (fetching it first if needed) and nothing else
# The cache lives in ${UNIKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unikit}; a recipe change
# (this file's newlib section) gives a new hash and so a fresh build beside the old one.
set -euo pipefail

CACHE=${UNIKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unikit}
PACKAGES=(qemu-system-x86 newlib-source xz-utils binutils gcc make gnu-efi ovmf mtools dosfstools gdisk nftables crun gnuplot-nox golang-github-containers-common)
# What the tests and benchmarks drive the images with (one package a line).
TEST_PACKAGES_FILE=$(dirname "$0")/../tests/packages.txt
if [ -f "$TEST_PACKAGES_FILE" ]; then
    while read -r p; do
        case "$p" in "" | "#"*) ;; *) PACKAGES+=("$p") ;; esac
    done <"$TEST_PACKAGES_FILE"
fi

log() { [ "${QUIET:-0}" = 1 ] || echo "deps: $*" >&2; }
die() { echo "deps: $*" >&2; exit 1; }

install_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# --- newlib recipe (any change here changes the hash and triggers a rebuild) ---
NEWLIB_VERSION=3.3.0
NEWLIB_TARBALL=/usr/src/newlib/newlib-$NEWLIB_VERSION.tar.xz
NEWLIB_CFLAGS='-O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone -fno-stack-protector -fno-omit-frame-pointer'
NEWLIB_CONFIGURE=(--target=x86_64-elf --disable-multilib --disable-newlib-supplied-syscalls
    --enable-newlib-reent-small --disable-nls --enable-newlib-io-c99-formats --enable-newlib-io-long-long)
# --- end of recipe ---

newlib_hash() {
    printf '%s\n' "$NEWLIB_VERSION" "$NEWLIB_CFLAGS" "${NEWLIB_CONFIGURE[*]}" "$(gcc -dumpfullversion)" |
        sha256sum | cut -c1-12
}

build_newlib() {
    local prefix=$CACHE/newlib-$NEWLIB_VERSION-$(newlib_hash)
    if [ -f "$prefix/.done" ]; then echo "$prefix"; return 0; fi
    [ -f "$NEWLIB_TARBALL" ] || die "$NEWLIB_TARBALL missing (package newlib-source)"
    log "building newlib $NEWLIB_VERSION into $prefix (about a minute)"
    mkdir -p "$CACHE"
    local work
    work=$(mktemp -d "$CACHE/newlib-build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    tar --no-same-owner -C "$work" -xf "$NEWLIB_TARBALL"
    local src
    src=$(find "$work" -maxdepth 1 -mindepth 1 -type d | head -1)
    mkdir -p "$work/build" && cd "$work/build"
    "$src/configure" "${NEWLIB_CONFIGURE[@]}" --prefix="$work/install" \
        CC_FOR_TARGET=gcc AR_FOR_TARGET=ar RANLIB_FOR_TARGET=ranlib AS_FOR_TARGET=as \
        LD_FOR_TARGET=ld NM_FOR_TARGET=nm CFLAGS_FOR_TARGET="$NEWLIB_CFLAGS" \
        >"$work/configure.log" 2>&1 || { tail -20 "$work/configure.log" >&2; die "newlib configure failed"; }
    make -j"$(nproc)" all-target-newlib >"$work/make.log" 2>&1 ||
        { tail -30 "$work/make.log" >&2; die "newlib build failed"; }
    make install-target-newlib >>"$work/make.log" 2>&1 ||
        { tail -30 "$work/make.log" >&2; die "newlib install failed"; }
    rm -rf "$prefix"
    mv "$work/install/x86_64-elf" "$prefix"
    touch "$prefix/.done"
    cd / && rm -rf "$work" && trap - EXIT
    log "newlib ready in $prefix"
    echo "$prefix"
}

# --- lwIP source (Debian's source package, fetched with a private apt list) ---
LWIP_VERSION=2.1.3

fetch_lwip() {
    local dir=$CACHE/lwip-$LWIP_VERSION-src
    if [ -f "$dir/.done" ]; then echo "$dir"; return 0; fi
    log "fetching lwIP $LWIP_VERSION source from Debian"
    mkdir -p "$CACHE"
    local work
    work=$(mktemp -d "$CACHE/lwip-fetch.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    local uri
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$uri" ] || die "cannot find the Debian mirror in /etc/apt/sources.list.d/debian.sources"
    mkdir -p "$work/lists/partial"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main" >"$work/src.list"
    local apt_opts=(-o "Dir::Etc::SourceList=$work/src.list" -o Dir::Etc::SourceParts=/nonexistent
        -o "Dir::State::Lists=$work/lists" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
    apt-get "${apt_opts[@]}" update -qq >&2 || die "apt-get update of the lwIP source list failed"
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only -qq lwip >&2) ||
        die "apt-get source lwip failed"
    local tarball
    tarball=$(ls "$work"/lwip_"$LWIP_VERSION"*.orig.tar.* 2>/dev/null | head -1)
    [ -n "$tarball" ] || die "no lwip $LWIP_VERSION tarball among $(ls "$work")"
    mkdir -p "$work/src"
    tar --no-same-owner -C "$work/src" -xf "$tarball"
    local top
    top=$(find "$work/src" -maxdepth 1 -mindepth 1 -type d | head -1)
    [ -d "$top/src/core" ] || die "lwIP tarball has no src/core"
    rm -rf "$dir"
    mv "$top" "$dir"
    touch "$dir/.done"
    rm -rf "$work" && trap - EXIT
    log "lwIP source ready in $dir"
    echo "$dir"
}

case "${1:-}" in
--print-newlib) QUIET=1 install_packages; build_newlib ;;
--print-lwip) QUIET=1 install_packages; fetch_lwip ;;
"") install_packages; build_newlib >/dev/null; fetch_lwip >/dev/null ;;
*) die "unknown option $1" ;;
esac
