/* fsutil.h: folder trees, for the container's rootfs and the network's leases (fsutil.c). */
#ifndef UNIKIT_FSUTIL_H
#define UNIKIT_FSUTIL_H

#include <sys/types.h>

/* Removes (path) and everything under it, not crossing into other mounts; 0 or -1 (errno). */
int fs_remove_tree(const char *path);
/* mkdir -p (path), with (mode) for the folders it makes; 0 or -1 (errno). */
int fs_mkdirs(const char *path, mode_t mode);

#endif /* UNIKIT_FSUTIL_H */
