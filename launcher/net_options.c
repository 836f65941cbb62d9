/* net_options.c: `unikit run --net/--ip/--gw/--mac`: each value checked, then the set checked as a whole. */
#include "net_options.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_PREFIX "tap:"
#define IFNAME_MAX 15 /* IFNAMSIZ - 1 */

/* Names QEMU's option syntax and the shell both take as they are. */
static bool ifname_ok(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > IFNAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int net_option_net(const char *value, struct net_config *net, struct uk_error *err)
{
    if (net->kind != NET_NONE || net->tap != NULL)
        return uk_error_set(err, 0, "run: --net given twice: the guest has one interface");
    if (strcmp(value, "none") == 0) {
        net->tap = "";  /* given, so that a second --net is refused */
        return 0;
    }
    if (strcmp(value, "bridge") == 0) {
        net->kind = NET_BRIDGE;
        return 0;
    }
    if (strncmp(value, TAP_PREFIX, strlen(TAP_PREFIX)) != 0)
        return uk_error_set(err, 0, "run: --net `%s`: expected bridge, none or tap:NAME", value);
    net->tap = value + strlen(TAP_PREFIX);
    if (!ifname_ok(net->tap))
        return uk_error_set(err, 0, "run: --net `%s`: a tap name is 1 to %d characters of "
                            "letters, digits, '.', '_' and '-'", value, IFNAME_MAX);
    net->kind = NET_TAP;
    return 0;
}

/* A dotted quad into host byte order. */
static bool parse_ipv4(const char *text, uint32_t *out)
{
    struct in_addr a;

    if (inet_pton(AF_INET, text, &a) != 1)
        return false;
    *out = ntohl(a.s_addr);
    return true;
}

/* Addresses no interface may have: 0.0.0.0/8, loopback, multicast and above. */
static const char *not_unicast(uint32_t a)
{
    if ((a >> 24) == 0)
        return "is in 0.0.0.0/8 (\"this network\")";
    if ((a >> 24) == 127)
        return "is a loopback address";
    if ((a >> 24) >= 224)
        return "is a multicast, reserved or broadcast address";
    return NULL;
}

static uint32_t netmask(int prefix)
{
    return prefix == 0 ? 0 : ~(uint32_t)0 << (32 - prefix);
}

/* In a subnet of more than two addresses, its first and last are not hosts. */
static const char *not_host(uint32_t a, int prefix)
{
    uint32_t host = a & ~netmask(prefix);

    if (prefix <= 30 && host == 0)
        return "is the subnet's network address";
    if (prefix <= 30 && host == ~netmask(prefix))
        return "is the subnet's broadcast address";
    return NULL;
}

int net_option_ip(const char *value, struct net_config *net, struct uk_error *err)
{
    char addr[INET_ADDRSTRLEN];
    const char *slash = strchr(value, '/'), *why;
    size_t n = slash ? (size_t)(slash - value) : 0;
    int prefix = 0;

    net->dhcp = strcmp(value, "dhcp") == 0;
    if (net->dhcp)
        return 0;
    if (slash == NULL || n >= sizeof(addr))
        return uk_error_set(err, 0, "run: --ip `%s`: expected A.B.C.D/PREFIX or dhcp", value);
    memcpy(addr, value, n);
    addr[n] = '\0';
    if (!parse_ipv4(addr, &net->ip))
        return uk_error_set(err, 0, "run: --ip `%s`: `%s` is not an IPv4 address (A.B.C.D)",
                            value, addr);
    n = strlen(slash + 1);
    if (n >= 1 && n <= 2 && strspn(slash + 1, "0123456789") == n)
        prefix = atoi(slash + 1);
    if (prefix < 1 || prefix > 32)
        return uk_error_set(err, 0, "run: --ip `%s`: the prefix length must be 1 to 32", value);
    net->prefix = prefix;
    if ((why = not_unicast(net->ip)) != NULL || (why = not_host(net->ip, prefix)) != NULL)
        return uk_error_set(err, 0, "run: --ip `%s`: the address %s", value, why);
    return 0;
}

int net_option_gw(const char *value, struct net_config *net, struct uk_error *err)
{
    const char *why;

    if (!parse_ipv4(value, &net->gw))
        return uk_error_set(err, 0, "run: --gw `%s`: expected an IPv4 address (A.B.C.D)", value);
    if ((why = not_unicast(net->gw)) != NULL)
        return uk_error_set(err, 0, "run: --gw `%s`: the address %s", value, why);
    return 0;
}

int net_option_mac(const char *value, struct net_config *net, struct uk_error *err)
{
    uint8_t mac[6];

    /* Exactly "xx:xx:xx:xx:xx:xx": 17 characters. */
    if (strlen(value) != 17)
        return uk_error_set(err, 0, "run: --mac `%s`: expected six hex bytes, "
                            "XX:XX:XX:XX:XX:XX", value);
    for (int i = 0; i < 6; i++) {
        const char *p = value + 3 * i;
        char byte[3] = {p[0], p[1], '\0'};
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
            (i < 5 && p[2] != ':'))
            return uk_error_set(err, 0, "run: --mac `%s`: expected six hex bytes, "
                                "XX:XX:XX:XX:XX:XX", value);
        mac[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
    if (mac[0] & 1)
        return uk_error_set(err, 0, "run: --mac `%s`: a multicast address (the first byte "
                            "is odd) cannot be an interface's", value);
    if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0)
        return uk_error_set(err, 0, "run: --mac `%s`: the all-zeros address is not valid", value);
    memcpy(net->mac, mac, sizeof(mac));
    net->mac_given = true;
    return 0;
}

void net_default_mac(const char *name, uint8_t mac[6])
{
    uint32_t h = 2166136261u; /* FNV-1a, 32 bits */

    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    mac[0] = 0x52; /* locally administered, unicast (QEMU's prefix) */
    mac[1] = 0x54;
    mac[2] = 0x00;
    mac[3] = (uint8_t)(h >> 16);
    mac[4] = (uint8_t)(h >> 8);
    mac[5] = (uint8_t)h;
}

void net_format_mac(const uint8_t mac[6], char out[18])
{
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
             mac[4], mac[5]);
}

static void format_ipv4(uint32_t a, char out[INET_ADDRSTRLEN])
{
    snprintf(out, INET_ADDRSTRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
             a & 0xff);
}

static int check_gateway(const struct net_config *net, struct uk_error *err)
{
    char gw[INET_ADDRSTRLEN], ip[INET_ADDRSTRLEN];
    const char *why = NULL;

    format_ipv4(net->gw, gw);
    format_ipv4(net->ip, ip);
    if (net->dhcp)
        return uk_error_set(err, 0, "run: --gw %s: with --ip dhcp the gateway comes from DHCP",
                            gw);
    if (net->prefix == 0)
        return uk_error_set(err, 0, "run: --gw %s needs a static --ip A.B.C.D/PREFIX", gw);
    if (((net->gw ^ net->ip) & netmask(net->prefix)) != 0)
        why = "is outside the subnet of --ip";
    else if (net->gw == net->ip)
        why = "is the guest's own address";
    else
        why = not_host(net->gw, net->prefix);
    if (why != NULL)
        return uk_error_set(err, 0, "run: --gw %s: the gateway %s %s/%d", gw, why, ip,
                            net->prefix);
    return 0;
}

/* Without --net: $UNIKIT_NET, else bridge (see net_options.h). */
static int default_net(struct net_config *net, struct uk_error *err)
{
    const char *value = getenv(NET_DEFAULT_ENV);

    if (value == NULL || value[0] == '\0' || strcmp(value, "bridge") == 0)
        net->kind = NET_BRIDGE;
    else if (strcmp(value, "none") != 0)
        return uk_error_set(err, 0, "run: %s=%s: expected bridge or none", NET_DEFAULT_ENV,
                            value);
    return 0;
}

int net_options_finish(struct net_config *net, struct uk_error *err)
{
    char ip[INET_ADDRSTRLEN];
    bool addressed = net->dhcp || net->prefix != 0;

    net->nkopts = 0;
    if (net->kind == NET_NONE && net->tap == NULL && default_net(net, err) < 0)
        return -1;
    if (net->kind == NET_BRIDGE) {
        /* The address comes from a lease when the tap or veth is made (launcher/net/). */
        if (addressed || net->gw != 0)
            return uk_error_set(err, 0, "run: %s needs --net tap:NAME (on --net bridge the "
                                "launcher leases the address)", addressed ? "--ip" : "--gw");
        net->tap = NULL;
        return 0;
    }
    if (net->kind != NET_TAP) {
        if (addressed || net->gw != 0 || net->mac_given)
            return uk_error_set(err, 0, "run: %s needs --net tap:NAME",
                                addressed ? "--ip" : net->gw != 0 ? "--gw" : "--mac");
        net->tap = NULL;
        return 0;
    }
    if (net->gw != 0 && check_gateway(net, err) < 0)
        return -1;
    if (!net->mac_given)
        net_default_mac(net->tap, net->mac);
    if (net->dhcp) {
        snprintf(net->kopts[net->nkopts++], RUN_NET_KOPT_LEN, "ip=dhcp");
    } else if (net->prefix != 0) {
        format_ipv4(net->ip, ip);
        snprintf(net->kopts[net->nkopts++], RUN_NET_KOPT_LEN, "ip=%s/%d", ip, net->prefix);
    }
    if (net->gw != 0) {
        format_ipv4(net->gw, ip);
        snprintf(net->kopts[net->nkopts++], RUN_NET_KOPT_LEN, "gw=%s", ip);
    }
    return 0;
}

int net_option_publish(const char *value, struct run_config *cfg, struct uk_error *err)
{
    unsigned long port[2];
    const char *p = value;
    char *end;

    if (cfg->nports == RUN_MAX_PORTS)
        return uk_error_set(err, 0, "run: -p %s: at most %d published ports", value, RUN_MAX_PORTS);
    for (int i = 0; i < 2; i++) {
        port[i] = p[0] >= '0' && p[0] <= '9' ? strtoul(p, &end, 10) : 0;
        if (port[i] == 0 || port[i] > 65535 || end == p || *end != (i == 0 ? ':' : '\0'))
            return uk_error_set(err, 0, "run: -p `%s`: expected HOSTPORT:GUESTPORT, TCP ports "
                                "1 to 65535", value);
        p = end + 1;
    }
    for (int i = 0; i < cfg->nports; i++)
        if (cfg->ports[i].host == port[0])
            return uk_error_set(err, 0, "run: -p %s: host port %lu is published twice", value,
                                port[0]);
    cfg->ports[cfg->nports++] = (struct port_map){(uint16_t)port[0], (uint16_t)port[1]};
    return 0;
}

int net_ports_finish(const struct run_config *cfg, struct uk_error *err)
{
    if (cfg->nports > 0 && cfg->net.kind != NET_BRIDGE)
        return uk_error_set(err, 0, "run: -p needs --net bridge (the default): the port is "
                            "forwarded to the instance's leased address");
    return 0;
}
