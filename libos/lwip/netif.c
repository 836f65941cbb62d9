/* netif.c: lwIP's Ethernet interface on the kernel's network API — transmit, and receive by polling from the idle loop. */
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "../libos.h"
#include "uknetif.h"

#define MAX_NETIFS 4
#define RX_BATCH 64 /* frames handed to lwIP per poll, so one busy link cannot starve threads */

static struct netif netifs[MAX_NETIFS];
static int netif_index[MAX_NETIFS];
static int nnetifs;

static err_t link_output(struct netif *netif, struct pbuf *p)
{
    static uint8_t frame[UK_NET_FRAME_MAX];
    int index = *(int *)netif->state;
    if (p->tot_len > sizeof frame)
        return ERR_BUF;
    pbuf_copy_partial(p, frame, p->tot_len, 0);
    for (int tries = 0; tries < 1000; tries++) {
        uk_result_t r = uk_net_write(index, frame, p->tot_len);
        if (r == UK_OK)
            return ERR_OK;
        if (r != UK_EAGAIN)
            return ERR_IF;
        uk_wait(0); /* the ring is full: let the host drain it (one exit), then retry */
    }
    return ERR_MEM;
}

static err_t netif_setup(struct netif *netif)
{
    struct uk_net_info info;
    int index = *(int *)netif->state;
    if (uk_net_info(index, &info) != UK_OK)
        return ERR_IF;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, info.mac, ETH_HWADDR_LEN);
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    if (info.link_up)
        netif->flags |= NETIF_FLAG_LINK_UP;
    netif->output = etharp_output;
    netif->linkoutput = link_output;
    return ERR_OK;
}

struct netif *uknetif_add(int index, const ip4_addr_t *ip, const ip4_addr_t *mask, const ip4_addr_t *gw)
{
    if (nnetifs == MAX_NETIFS)
        return NULL;
    int slot = nnetifs++;
    netif_index[slot] = index;
    return netif_add(&netifs[slot], ip, mask, gw, &netif_index[slot], netif_setup, tcpip_input);
}

/* Called by the scheduler's idle loop: hands arrived frames to lwIP's thread. */
bool uknetif_poll(void)
{
    bool any = false;
    for (int i = 0; i < nnetifs; i++) {
        for (int n = 0; n < RX_BATCH; n++) {
            struct pbuf *p = pbuf_alloc(PBUF_RAW, UK_NET_FRAME_MAX, PBUF_RAM);
            size_t len;
            if (!p)
                return any;
            if (uk_net_read(netif_index[i], p->payload, UK_NET_FRAME_MAX, &len) != UK_OK) {
                pbuf_free(p);
                break;
            }
            pbuf_realloc(p, (u16_t)len);
            if (netifs[i].input(p, &netifs[i]) != ERR_OK)
                pbuf_free(p);
            any = true;
        }
    }
    return any;
}
