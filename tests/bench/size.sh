# size.sh: image size — the unikernel image against the container's root filesystem and the app's Linux binary.

# Bytes of a file, or of everything under a folder (apparent sizes, as a tar would hold them).
bytes_of() { du -sb --apparent-size "$1" 2>/dev/null | cut -f1; }
gz_bytes_of() {
    if [ -d "$1" ]; then tar -C "$1" -cf - . | gzip -9 | wc -c; else gzip -9c "$1" | wc -c; fi
}
# What gets loaded: the sum of the image's PT_LOAD file sizes.
load_bytes_of() {
    local s=0 h
    for h in $(readelf -lW "$1" | awk '$1 == "LOAD" { print $5 }'); do s=$((s + h)); done
    echo "$s"
}

bench_size() {
    section size "Image size"
    csv size.csv app what bytes gzip_bytes
    local app lower
    for app in hello httpd kvstore; do
        progress "$app" 0 3
        csv size.csv "$app" "unikernel image (.elf)" "$(bytes_of "$BUILD/apps/$app.elf")" "$(gz_bytes_of "$BUILD/apps/$app.elf")"
        csv size.csv "$app" "unikernel image: loaded (PT_LOAD)" "$(load_bytes_of "$BUILD/apps/$app.elf")" ""
        [ "$app" = hello ] && continue
        csv size.csv "$app" "Linux binary (static)" "$(bytes_of "$BUILD/linux/$app")" "$(gz_bytes_of "$BUILD/linux/$app")"
        [ -d "$OCI_DIR/rootfs-$app" ] &&
            csv size.csv "$app" "crun root filesystem (OCI bundle)" "$(bytes_of "$OCI_DIR/rootfs-$app")" "$(gz_bytes_of "$OCI_DIR/rootfs-$app")"
    done
    # unikit's container lower: built on a container's first run, once per binary and tar.
    local cache=$UNIKIT_ROOT/.cache/rootfs
    if "$UNIKIT" run --runtime container --net none --disk "$SITE_TAR" "$BUILD/linux/httpd" -h >/dev/null 2>&1 </dev/null ||
        [ -d "$cache" ]; then
        lower=$(ls -td "$cache"/*/ 2>/dev/null | head -n 1)
        [ -n "$lower" ] && csv size.csv httpd "unikit container lower (binary + site)" "$(bytes_of "$lower")" "$(gz_bytes_of "$lower")"
    fi
    csv size.csv httpd "the site both serve (tar disk)" "$(bytes_of "$SITE_TAR")" ""
    md "Sizes in bytes (apparent sizes; gzip -9 of the file or of a tar of the folder). The unikernel image is" \
        "the whole guest — kernel, libos, lwIP, newlib and the app — as one PVH ELF; a container needs the host" \
        "kernel plus its root filesystem, here the smallest possible one (the static binary and mount points," \
        "no distribution base layer)." ""
    md_table size.csv
    summary "httpd image (unikernel .elf vs root filesystem)" bytes vm "$(bytes_of "$BUILD/apps/httpd.elf")"
    summary "httpd image (unikernel .elf vs root filesystem)" bytes qemu "$(bytes_of "$BUILD/apps/httpd.elf")"
    [ -n "${lower:-}" ] && summary "httpd image (unikernel .elf vs root filesystem)" bytes container "$(bytes_of "$lower")"
    [ -d "$OCI_DIR/rootfs-httpd" ] && summary "httpd image (unikernel .elf vs root filesystem)" bytes crun "$(bytes_of "$OCI_DIR/rootfs-httpd")"
    progress_end
}
