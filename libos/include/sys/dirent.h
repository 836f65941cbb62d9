/* sys/dirent.h: DIR and struct dirent for newlib's <dirent.h>, which has none on x86_64-elf (libos/dirent.c implements them). */
#ifndef LIBOS_SYS_DIRENT_H
#define LIBOS_SYS_DIRENT_H

#include <sys/types.h>

/* d_type values, as Linux and the BSDs give them. */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

struct dirent {
    ino_t d_ino;
    off_t d_off;             /* telldir() of the next entry */
    unsigned short d_reclen;
    unsigned char d_type;    /* DT_* */
    char d_name[256];
};

/* An open directory stream; its contents are private to the libos. */
typedef struct libos_dir DIR;

#endif
