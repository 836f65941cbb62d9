/* accel.c: picking KVM or TCG for QEMU at run time, never by hard-coding a machine. */
#include "accel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"
#define CPUINFO "/proc/cpuinfo"

/* True if the space-separated list (from, up to the end of its line) has (word). */
static bool line_has_word(const char *from, const char *word)
{
    size_t n = strlen(word);
    const char *eol = strchr(from, '\n');

    if (eol == NULL)
        eol = from + strlen(from);
    for (const char *p = from; p + n <= eol; p++) {
        bool starts = p == from || p[-1] == ' ' || p[-1] == '\t' || p[-1] == ':';
        bool ends = p + n == eol || p[n] == ' ' || p[n] == '\t';
        if (starts && ends && memcmp(p, word, n) == 0)
            return true;
    }
    return false;
}

bool accel_cpuinfo_has_hw_virt(const char *cpuinfo)
{
    for (const char *line = cpuinfo; line && *line;) {
        if (strncmp(line, "flags", 5) == 0 &&
            (line_has_word(line, "vmx") || line_has_word(line, "svm")))
            return true;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return false;
}

bool accel_kvm_usable(void)
{
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* Reads /proc/cpuinfo whole (it is small and has no size in stat). */
static char *read_cpuinfo(void)
{
    FILE *f = fopen(CPUINFO, "re");
    char *text = NULL;
    size_t len = 0;

    if (f == NULL)
        return NULL;
    if (getdelim(&text, &len, '\0', f) < 0) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

int accel_choose(enum run_accel want, enum run_accel *chosen, struct uk_error *err)
{
    char *cpuinfo;

    switch (want) {
    case ACCEL_TCG:
        *chosen = ACCEL_TCG;
        return 0;
    case ACCEL_KVM:
        if (!accel_kvm_usable())
            return uk_error_set(err, errno, "accel: --accel kvm needs %s", KVM_DEVICE);
        *chosen = ACCEL_KVM;
        return 0;
    case ACCEL_AUTO:
        break;
    }
    cpuinfo = read_cpuinfo();
    *chosen = cpuinfo && accel_cpuinfo_has_hw_virt(cpuinfo) && accel_kvm_usable()
                  ? ACCEL_KVM
                  : ACCEL_TCG;
    free(cpuinfo);
    return 0;
}

const char *accel_name(enum run_accel accel)
{
    return accel == ACCEL_KVM ? "kvm" : "tcg";
}
