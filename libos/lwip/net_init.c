/* net_init.c: bring the network up at start — lwIP's thread, the interface, its address from ip=/gw= or DHCP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "../libos.h"
#include "../sched.h"
#include "uknetif.h"

#define DHCP_WAIT_NS (10ULL * 1000000000ULL)

/* Parses "A.B.C.D/PREFIX" into an address and a netmask; false if malformed. */
static bool parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
    char buf[32];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (!ip4addr_aton(buf, ip))
        return false;
    char *end;
    long prefix = slash ? strtol(slash + 1, &end, 10) : 24;
    if (slash && (*end || end == slash + 1))
        return false;
    if (prefix < 0 || prefix > 32)
        return false;
    u32_t bits = prefix ? 0xffffffffu << (32 - prefix) : 0;
    ip4_addr_set_u32(mask, lwip_htonl(bits));
    return true;
}

static void print_netif(struct netif *nif, const char *how)
{
    const u8_t *m = nif->hwaddr;
    char ip[16], mask[16], gw[16];
    ip4addr_ntoa_r(netif_ip4_addr(nif), ip, sizeof ip);
    ip4addr_ntoa_r(netif_ip4_netmask(nif), mask, sizeof mask);
    ip4addr_ntoa_r(netif_ip4_gw(nif), gw, sizeof gw);
    printf("net: en0 %s %s/%s gw %s mac %02x:%02x:%02x:%02x:%02x:%02x link %s\n", how, ip, mask, gw,
           m[0], m[1], m[2], m[3], m[4], m[5], netif_is_link_up(nif) ? "up" : "down");
}

void net_init(void)
{
    /* lwIP starts even without an interface: sockets then fail as on a host without a network. */
    tcpip_init(NULL, NULL);
    if (uk_net_count() == 0)
        return;
    ip4_addr_t ip, mask, gw;
    ip4_addr_set_zero(&ip);
    ip4_addr_set_zero(&mask);
    ip4_addr_set_zero(&gw);
    const char *ip_opt = uk_kernel_option("ip"), *gw_opt = uk_kernel_option("gw");
    bool dhcp = ip_opt && strcmp(ip_opt, "dhcp") == 0;
    if (ip_opt && !dhcp && !parse_cidr(ip_opt, &ip, &mask))
        uk_panic("net: malformed ip=%s (expected A.B.C.D/PREFIX or dhcp)", ip_opt);
    if (gw_opt && !ip4addr_aton(gw_opt, &gw))
        uk_panic("net: malformed gw=%s", gw_opt);

    sched_set_poll(uknetif_poll);
    LOCK_TCPIP_CORE();
    struct netif *nif = uknetif_add(0, &ip, &mask, &gw);
    if (!nif) {
        UNLOCK_TCPIP_CORE();
        uk_panic("net: cannot add interface 0");
    }
    netif_set_default(nif);
    netif_set_up(nif);
    if (dhcp)
        dhcp_start(nif);
    UNLOCK_TCPIP_CORE();

    if (dhcp) {
        uint64_t give_up = uk_clock_monotonic() + DHCP_WAIT_NS;
        while (!dhcp_supplied_address(nif) && uk_clock_monotonic() < give_up)
            sched_block(NULL, uk_clock_monotonic() + 10000000);
        if (!dhcp_supplied_address(nif))
            printf("net: en0 no DHCP lease after 10 s, still trying\n");
    }
    print_netif(nif, dhcp ? "dhcp" : (ip_opt ? "static" : "unconfigured"));
}
