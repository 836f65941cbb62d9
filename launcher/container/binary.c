/* binary.c: what a container runs must be a static x86_64 Linux executable (the rootfs holds no libraries). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container_internal.h"
#include "image.h"

/* A PVH image is a static ELF too; image_parse knows it by its notes. */
static bool is_unikit_image(int fd, const struct stat *st)
{
    struct image_info info = {0};
    char why[128];
    uint8_t *buf;
    bool yes;

    if (st->st_size <= 0 || st->st_size > IMAGE_MAX_FILE_SIZE || (buf = malloc((size_t)st->st_size)) == NULL)
        return false;
    yes = pread(fd, buf, (size_t)st->st_size, 0) == st->st_size &&
          image_parse(buf, (size_t)st->st_size, &info, why, sizeof(why)) == 0;
    free(buf);
    return yes;
}

int binary_check(const char *path, struct uk_error *err)
{
    Elf64_Ehdr eh;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return uk_error_set(err, errno, "%s: cannot open the container's binary", path);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_machine != EM_X86_64 || (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) ||
        eh.e_phentsize != sizeof(Elf64_Phdr)) {
        rc = uk_error_set(err, 0, "%s: --runtime container runs a Linux x86_64 executable "
                          "(the app's Linux build, e.g. build/linux/<app>)", path);
        goto out;
    }
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) != sizeof(ph)) {
            rc = uk_error_set(err, 0, "%s: truncated program headers", path);
            break;
        }
        if (ph.p_type == PT_INTERP) {
            rc = uk_error_set(err, 0, "%s: a dynamically linked executable; the container's "
                              "root holds no libraries, so link it with -static", path);
            break;
        }
    }
    if (rc == 0 && is_unikit_image(fd, &st))
        rc = uk_error_set(err, 0, "%s: a unikit image (PVH ELF); --runtime container runs the "
                          "app's Linux build (build/linux/<app>)", path);
out:
    close(fd);
    return rc;
}
