# site.sh: the file tree the test_files guest expects on its tar disk (sourced by guest.sh and guest_pci.sh).
#   make_site DIR    fills DIR (and DIR/../extra, appended to archives after the rest)

make_site() {
    local d=$1 long=long/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd
    mkdir -p "$d/sub/nested" "$d/$long" "$d/../extra/implied"
    printf '<h1>hello</h1>\n' >"$d/index.html"
    printf 'deep\n' >"$d/sub/nested/deep.txt"
    printf 'b\n' >"$d/sub/b.txt"
    printf 'long name\n' >"$d/$long/ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.txt"
    : >"$d/empty"
    printf 'dated\n' >"$d/dated.txt" && touch -d @1600000000 "$d/dated.txt"
    printf 'secret\n' >"$d/secret" && chmod 0600 "$d/secret"
    printf '#!/bin/sh\n' >"$d/run.sh" && chmod 0755 "$d/run.sh"
    chmod 0644 "$d/index.html" && chmod 0750 "$d/sub"
    ln -s index.html "$d/link.txt" && ln "$d/index.html" "$d/hard.html"
    seq 0 196607 | awk '{ printf "%015x\n", $1 }' >"$d/big.bin"
    printf 'implied\n' >"$d/../extra/implied/x.txt"
}
