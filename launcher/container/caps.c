/* caps.c: the container keeps no capability, not even as root inside, and cannot gain one (no_new_privs). */
#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container_internal.h"

/* The highest capability this kernel knows (newer than our headers, perhaps). */
static int last_cap(void)
{
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
    int n = CAP_LAST_CAP;

    if (f != NULL) {
        if (fscanf(f, "%d", &n) != 1)
            n = CAP_LAST_CAP;
        fclose(f);
    }
    return n;
}

int caps_drop_all(struct uk_error *err)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct data[2];
    int top = last_cap();

    /*
     * Order matters: the bounding set and the securebits need CAP_SETPCAP,
     * which capset below takes away. An empty bounding set alone already
     * means that exec as uid 0 gains nothing; NOROOT says it twice, locked.
     */
    for (int c = 0; c <= top; c++)
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return uk_error_set(err, errno, "container: drop capability %d from the bounding set", c);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return uk_error_set(err, errno, "container: clear the ambient capabilities");
    if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                  SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0) < 0)
        return uk_error_set(err, errno, "container: set securebits");
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &hdr, data) < 0)
        return uk_error_set(err, errno, "container: capset (drop all)");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return uk_error_set(err, errno, "container: set no_new_privs");
    return 0;
}
