/* tap.c: a VM's tap on the bridge: made persistent here, so that the VMM or QEMU opens it by name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "net.h"

#define TUN_PATH "/dev/net/tun"

int vmtap_create(const char *name, const struct bridge_config *br, struct uk_error *err)
{
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
    struct nl nl;
    int fd, rc;

    /* The VMM attaches to it later; a persistent tap outlives this descriptor (link_delete ends it). */
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return uk_error_set(err, errno, "net: open %s", TUN_PATH);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
        int e = errno;
        close(fd);
        return uk_error_set(err, e, "net: create the tap %s", name);
    }
    close(fd);
    if (nl_open(&nl, err) < 0)
        rc = -1;
    else {
        rc = link_up(&nl, name, br->name);
        if (rc < 0)
            uk_error_set(err, -rc, "net: put the tap %s on the bridge %s", name, br->name);
    }
    if (rc < 0) {
        if (nl.fd >= 0)
            link_delete(&nl, name);
    }
    if (nl.fd >= 0)
        nl_close(&nl);
    return rc < 0 ? -1 : 0;
}
