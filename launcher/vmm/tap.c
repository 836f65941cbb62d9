/* tap.c: opening a Linux tap device for virtio-net (IFF_TAP | IFF_NO_PI, nonblocking, never persistent). */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm_internal.h"

#define TUN_PATH "/dev/net/tun"

/* TUNSETIFF's errors, said in terms of what the user asked for. */
static int explain(int err, const char *name)
{
    switch (err) {
    case EBUSY:
        return vmm_fail(err, "tap `%s`: another process has it open", name);
    case EINVAL:
        return vmm_fail(0, "tap `%s`: an interface of that name exists and is not a tap",
                        name);
    case EPERM:
        return vmm_fail(err, "tap `%s`: opening or creating a tap needs CAP_NET_ADMIN "
                             "(or a tap owned by this user)", name);
    default:
        return vmm_fail(err, "tap `%s`: TUNSETIFF", name);
    }
}

int tap_open(struct tap *tap, const char *name)
{
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};

    tap->fd = -1;
    tap->created = false;
    if (strlen(name) >= sizeof(ifr.ifr_name) || strchr(name, '%') != NULL)
        return vmm_fail(0, "tap `%s`: not a usable interface name", name);
    memcpy(ifr.ifr_name, name, strlen(name) + 1);
    snprintf(tap->name, sizeof(tap->name), "%s", name);
    /* Asked before TUNSETIFF, which creates the interface if it is missing. */
    tap->created = if_nametoindex(name) == 0;
    tap->fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (tap->fd < 0)
        return vmm_fail(errno, "tap `%s`: open %s", name, TUN_PATH);
    if (ioctl(tap->fd, TUNSETIFF, &ifr) < 0) {
        int err = errno;
        tap_close(tap);
        return explain(err, name);
    }
    /* The kernel may not rename it (names with '%' were refused above). */
    if (strcmp(ifr.ifr_name, name) != 0) {
        tap_close(tap);
        return vmm_fail(0, "tap `%s`: the kernel named it `%s`", name, ifr.ifr_name);
    }
    return 0;
}

void tap_close(struct tap *tap)
{
    if (tap->fd >= 0)
        close(tap->fd);
    tap->fd = -1;
}
