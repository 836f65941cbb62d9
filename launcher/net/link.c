/* link.c: bridges, veth pairs, addresses and routes as rtnetlink requests. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>

#include "net.h"
#include "netlink_msg.h"

/* RTM_NEWLINK of (kind) named (name); the caller may add to its IFLA_INFO_DATA. */
static struct ifinfomsg *new_link(struct nlm *m, const char *name)
{
    struct ifinfomsg *ifi;

    nlm_init(m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    ifi = nlm_put(m, sizeof(*ifi));
    if (ifi != NULL)
        ifi->ifi_family = AF_UNSPEC;
    nlm_attr(m, IFLA_IFNAME, name, strlen(name) + 1);
    return ifi;
}

int link_add_bridge(struct nl *nl, const char *name)
{
    struct nlm m;
    struct rtattr *info;

    new_link(&m, name);
    info = nlm_attr(&m, IFLA_LINKINFO, NULL, 0);
    nlm_attr(&m, IFLA_INFO_KIND, "bridge", strlen("bridge"));
    nlm_nest_end(&m, info);
    return nl_request(nl, &m);
}

int link_add_veth(struct nl *nl, const char *name, const char *peer, pid_t peer_pid)
{
    struct nlm m;
    struct rtattr *info, *data, *peer_info;
    struct ifinfomsg *pifi;
    uint32_t pid = (uint32_t)peer_pid;

    new_link(&m, name);
    info = nlm_attr(&m, IFLA_LINKINFO, NULL, 0);
    nlm_attr(&m, IFLA_INFO_KIND, "veth", strlen("veth"));
    data = nlm_attr(&m, IFLA_INFO_DATA, NULL, 0);
    /* VETH_INFO_PEER carries an ifinfomsg and the peer's own attributes. */
    peer_info = nlm_attr(&m, VETH_INFO_PEER, NULL, 0);
    pifi = nlm_put(&m, sizeof(*pifi));
    if (pifi != NULL)
        pifi->ifi_family = AF_UNSPEC;
    nlm_attr(&m, IFLA_IFNAME, peer, strlen(peer) + 1);
    nlm_attr(&m, IFLA_NET_NS_PID, &pid, sizeof(pid));
    nlm_nest_end(&m, peer_info);
    nlm_nest_end(&m, data);
    nlm_nest_end(&m, info);
    return nl_request(nl, &m);
}

int link_up(struct nl *nl, const char *name, const char *master)
{
    struct nlm m;
    struct ifinfomsg *ifi;
    unsigned index = if_nametoindex(name), mindex = 0;

    if (index == 0)
        return -ENODEV;
    if (master != NULL && (mindex = if_nametoindex(master)) == 0)
        return -ENODEV;
    nlm_init(&m, RTM_NEWLINK, 0);
    ifi = nlm_put(&m, sizeof(*ifi));
    if (ifi == NULL)
        return -EMSGSIZE;
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = (int)index;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    if (master != NULL)
        nlm_attr(&m, IFLA_MASTER, &mindex, sizeof(mindex));
    return nl_request(nl, &m);
}

int link_delete(struct nl *nl, const char *name)
{
    struct nlm m;
    struct ifinfomsg *ifi;

    nlm_init(&m, RTM_DELLINK, 0);
    ifi = nlm_put(&m, sizeof(*ifi));
    if (ifi == NULL)
        return -EMSGSIZE;
    ifi->ifi_family = AF_UNSPEC;
    nlm_attr(&m, IFLA_IFNAME, name, strlen(name) + 1);
    return nl_request(nl, &m);
}

int addr_add(struct nl *nl, const char *name, uint32_t ip, int prefix)
{
    struct nlm m;
    struct ifaddrmsg *ifa;
    unsigned index = if_nametoindex(name);
    uint32_t a = htonl(ip);

    if (index == 0)
        return -ENODEV;
    nlm_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    ifa = nlm_put(&m, sizeof(*ifa));
    if (ifa == NULL)
        return -EMSGSIZE;
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (unsigned char)prefix;
    ifa->ifa_index = index;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    nlm_attr(&m, IFA_LOCAL, &a, sizeof(a));
    nlm_attr(&m, IFA_ADDRESS, &a, sizeof(a));
    return nl_request(nl, &m);
}

int route_add_default(struct nl *nl, uint32_t gw)
{
    struct nlm m;
    struct rtmsg *rt;
    uint32_t g = htonl(gw);

    nlm_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    rt = nlm_put(&m, sizeof(*rt));
    if (rt == NULL)
        return -EMSGSIZE;
    rt->rtm_family = AF_INET;
    rt->rtm_table = RT_TABLE_MAIN;
    rt->rtm_protocol = RTPROT_BOOT;
    rt->rtm_scope = RT_SCOPE_UNIVERSE;
    rt->rtm_type = RTN_UNICAST;
    nlm_attr(&m, RTA_GATEWAY, &g, sizeof(g));
    return nl_request(nl, &m);
}
