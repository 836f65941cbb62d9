/* bridge.c: the bridge every instance's tap or veth joins: its name and subnet, made on first use. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

void net_format_ipv4(uint32_t a, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static int parse_subnet(const char *text, struct bridge_config *br, struct uk_error *err)
{
    char addr[INET_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    struct in_addr a;
    char *end;
    long p;

    if (slash == NULL || (size_t)(slash - text) >= sizeof(addr))
        goto bad;
    memcpy(addr, text, (size_t)(slash - text));
    addr[slash - text] = '\0';
    p = strtol(slash + 1, &end, 10);
    if (inet_pton(AF_INET, addr, &a) != 1 || end == slash + 1 || *end != '\0' || p < 8 || p > 30)
        goto bad;
    br->prefix = (int)p;
    br->subnet = ntohl(a.s_addr) & (~0u << (32 - p));
    if (br->subnet != ntohl(a.s_addr))
        return uk_error_set(err, 0, "net: %s=%s: the address has bits set outside the /%ld "
                            "prefix", NET_SUBNET_ENV, text, p);
    br->gw = br->subnet + 1;
    return 0;
bad:
    return uk_error_set(err, 0, "net: %s=%s: expected an IPv4 subnet A.B.C.D/PREFIX with a "
                        "prefix of 8 to 30", NET_SUBNET_ENV, text);
}

int bridge_config_get(struct bridge_config *br, struct uk_error *err)
{
    const char *name = getenv(NET_BRIDGE_ENV), *subnet = getenv(NET_SUBNET_ENV);
    size_t n;

    if (name == NULL || name[0] == '\0')
        name = NET_DEFAULT_BRIDGE;
    if (subnet == NULL || subnet[0] == '\0')
        subnet = NET_DEFAULT_SUBNET;
    n = strlen(name);
    if (n >= IFNAMSIZ || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789._-") != n)
        return uk_error_set(err, 0, "net: %s=%s: a bridge name is 1 to %d characters of "
                            "letters, digits, '.', '_' and '-'", NET_BRIDGE_ENV, name,
                            IFNAMSIZ - 1);
    memcpy(br->name, name, n + 1);
    return parse_subnet(subnet, br, err);
}

int bridge_ensure(const struct bridge_config *br, struct uk_error *err)
{
    struct nl nl;
    char gw[16];
    int rc;

    if (nl_open(&nl, err) < 0)
        return -1;
    net_format_ipv4(br->gw, gw);
    /* Two runs may race to make it: the loser's EEXIST is the winner's bridge. */
    rc = if_nametoindex(br->name) ? 0 : link_add_bridge(&nl, br->name);
    if (rc < 0 && rc != -EEXIST) {
        uk_error_set(err, -rc, "net: create the bridge %s%s", br->name,
                     rc == -EPERM ? " (needs CAP_NET_ADMIN: run as root, or --net none)" : "");
        goto out;
    }
    rc = addr_add(&nl, br->name, br->gw, br->prefix);
    if (rc < 0 && rc != -EEXIST) {
        uk_error_set(err, -rc, "net: give the bridge %s the address %s/%d", br->name, gw,
                     br->prefix);
        goto out;
    }
    rc = link_up(&nl, br->name, NULL);
    if (rc < 0)
        uk_error_set(err, -rc, "net: bring the bridge %s up", br->name);
out:
    nl_close(&nl);
    return rc < 0 && rc != -EEXIST ? -1 : 0;
}
