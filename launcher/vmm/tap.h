/* tap.h: a Linux tap device, the backend of virtio-net (tap.c). */
#ifndef UNIKIT_VMM_TAP_H
#define UNIKIT_VMM_TAP_H

#include <net/if.h>
#include <stdbool.h>

struct tap {
    int fd; /* -1 when closed */
    bool created; /* the interface did not exist before tap_open */
    char name[IFNAMSIZ];
};

/*
 * Attaches to tap (name), creating it if no interface has that name, as
 * IFF_TAP | IFF_NO_PI (whole Ethernet frames, no packet-info prefix) with a
 * nonblocking, close-on-exec descriptor. A tap we create is never made
 * persistent, so the kernel removes it when its descriptor closes — on
 * every exit of the VMM, a SIGKILL included. A tap that existed (made with
 * `ip tuntap add`) is left as it was. Returns 0, or -1 after a message.
 */
int tap_open(struct tap *tap, const char *name);
/* Closes the descriptor (and so removes a tap tap_open created). */
void tap_close(struct tap *tap);

#endif /* UNIKIT_VMM_TAP_H */
