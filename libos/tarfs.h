/* tarfs.h: the read-only file system at / — a ustar archive on disk 0, indexed in memory at mount. */
#ifndef LIBOS_TARFS_H
#define LIBOS_TARFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Mounting: files_init() (files.c) calls tarfs_mount(0) before main when
 * there is a disk. The archive's headers are read once, their checksums
 * verified, and every entry (files, directories, hard and symbolic links;
 * names from ustar's prefix, GNU's 'L'/'K' entries or pax headers) becomes a
 * node of one tree; directories that only appear in paths are made up.
 *
 * A disk that is not a tar archive, or a damaged one (a bad header checksum,
 * an entry running past the end of the disk), is refused as a whole with one
 * line on the console naming the disk and the byte where it went wrong; / is
 * then empty (open gives ENOENT) and the application still starts. That is a
 * choice: the guest is not ended, because an application may not need files
 * at all (a kvstore using only /dev/vdb), and the message says what happened;
 * serving half of a damaged archive would be worse, so nothing of it is kept.
 */

enum tar_kind { TAR_FILE, TAR_DIR, TAR_SYMLINK };

struct tar_node {
    const char *name;     /* one path component; "" for the root */
    enum tar_kind kind;
    uint64_t offset;      /* where the data starts on disk 0 (files) */
    uint64_t size;        /* bytes of data (files), of the target (symlinks) */
    mode_t mode;          /* permission bits only */
    time_t mtime;
    uid_t uid;
    gid_t gid;
    ino_t ino;
    const char *link;     /* a symlink's target */
    struct tar_node *parent, *first_child, *last_child, *next_sibling;
};

// tarfs.c — reading the archive
/* Indexes the archive on (disk); 0, or -1 after printing why it was refused. */
int tarfs_mount(int disk);

/* Copies (len) bytes of (node)'s data from byte (offset) on; returns how many
 * (short at the end of the file), or -1 with errno EIO. */
ssize_t tarfs_read(const struct tar_node *node, void *buf, size_t len, uint64_t offset);

// tarfs_index.c — the tree of names
/* The root directory (always there, empty until a mount succeeds). */
struct tar_node *tarfs_root(void);

/* Adds or replaces the node for (path), relative to the root, making up the
 * directories on the way; returns it, or NULL when (path) cannot be a name
 * here (a ".." component, a file on the way) or memory is out. */
struct tar_node *tarfs_add(const char *path, enum tar_kind kind);

/* Finds (path) as open() would, following symlinks (the last one only when
 * (follow_last)); returns 0 with (*out) set, or -errno (ENOENT, ENOTDIR,
 * ELOOP, ENAMETOOLONG). */
int tarfs_lookup(const char *path, int follow_last, const struct tar_node **out);

/* Fills (*st) for (node) as stat() gives it. */
void tarfs_stat(const struct tar_node *node, struct stat *st);

// blkcache.c — cached reads of a read-only disk
/* Reads (len) bytes at any (offset) of (disk) through a small cache of 4 KiB
 * lines (large aligned pieces go straight to (buf)); 0, or -1 with errno EIO. */
int blkcache_read(int disk, uint64_t offset, void *buf, size_t len);

// file_fd.c — descriptors of files and directories in the tree
/* Opens (node) for reading; returns the descriptor or -1 with errno. */
int file_fd_open(const struct tar_node *node, int flags);
/* lseek's arithmetic for a descriptor at (*pos) of (end) bytes: sets and returns
 * the new offset, or -1 with errno EINVAL (bad whence, before 0) or EOVERFLOW. */
off_t file_seek(off_t *pos, off_t end, off_t offset, int whence);
/* The node behind (fd), or NULL with errno EBADF (not a descriptor) or
 * ENOTDIR (not one of the tree's). */
const struct tar_node *file_fd_node(int fd);

// blockdev_fd.c — /dev/vda, /dev/vdb, …: the disks as raw block devices
/* The disk (path) names ("/dev/vdb" → 1), or -1 if it names none. */
int blockdev_disk(const char *path);
/* Opens disk (disk); disk 0 only for reading. Returns the descriptor or -1. */
int blockdev_open(int disk, int flags);
/* Fills (*st) for disk (disk) as stat() gives it. */
int blockdev_stat(int disk, struct stat *st);

#endif
