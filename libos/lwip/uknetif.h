/* uknetif.h: the libos' lwIP interface and network start-up. */
#ifndef LIBOS_LWIP_UKNETIF_H
#define LIBOS_LWIP_UKNETIF_H

#include <stdbool.h>

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

/* Adds kernel interface (index) to lwIP with the given addresses (call under the core lock). */
struct netif *uknetif_add(int index, const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw);

/* Hands frames that arrived to lwIP; true if there were any. */
bool uknetif_poll(void);

#endif
