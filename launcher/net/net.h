/* net.h: bridge networking for VMs and containers — what launcher/net/ offers, grouped by file. */
#ifndef UNIKIT_NET_NET_H
#define UNIKIT_NET_NET_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "run_config.h"

/*
 * `--net bridge`: every instance gets one interface on one Linux bridge —
 * a tap for a VM, a veth for a container — and an address leased from the
 * bridge's subnet; the bridge holds the subnet's first address and is the
 * guests' gateway. `-p HOST:GUEST` publishes a TCP port with nftables DNAT.
 * All of it happens in the launcher's network namespace, which
 * UNIKIT_NETNS=NAME (a name under /run/netns, as `ip netns` makes) selects.
 *
 *   UNIKIT_BRIDGE  the bridge's name (default NET_DEFAULT_BRIDGE)
 *   UNIKIT_SUBNET  its IPv4 subnet, A.B.C.D/P with P 8..30 (default NET_DEFAULT_SUBNET)
 */
#define NET_DEFAULT_BRIDGE "unikit0"
#define NET_DEFAULT_SUBNET "10.88.0.0/16"
#define NET_BRIDGE_ENV "UNIKIT_BRIDGE"
#define NET_SUBNET_ENV "UNIKIT_SUBNET"
#define NET_NETNS_ENV "UNIKIT_NETNS"

struct bridge_config {
    char name[IFNAMSIZ];
    uint32_t subnet; /* host byte order */
    int prefix;
    uint32_t gw;     /* the bridge's own address: the subnet's first */
};

/* What one instance holds on the network, released by net_detach. */
struct net_attachment {
    bool bridged;             /* NET_BRIDGE: the fields below are in use */
    struct bridge_config br;
    char root[PATH_MAX];      /* the state root, where the lease is */
    uint32_t ip;              /* the lease, 0 when none */
    char ifname[IFNAMSIZ];    /* the host side: tap or veth; "" when none */
    bool if_created;
    const struct run_config *cfg; /* its -p ports */
    bool ports_published;
};

/* attach.c */
/* An empty attachment (net_detach on it does nothing). */
void net_attachment_init(struct net_attachment *a, const char *root);
/* VM: leases an address, makes the bridge and a tap on it, and rewrites
 * cfg->net into NET_TAP with that tap, --ip and --gw as if given. */
int net_attach_vm(struct run_config *cfg, struct net_attachment *a, struct uk_error *err);
/* Container, before its clone: the lease and the bridge; (ip) gets the address
 * as text ("" with --net none). */
int net_prepare_container(const struct run_config *cfg, const char *id,
                          struct net_attachment *a, char *ip, size_t iplen,
                          struct uk_error *err);
/* Container, once cloned: a veth from the bridge into (pid)'s namespace as
 * eth0, with the address and a default route. Nothing to do without a lease. */
int net_attach_container(struct net_attachment *a, pid_t pid, struct uk_error *err);
/* Writes the address and the host-side interface into the instance's state (ps, stats). */
void net_record(const struct run_config *cfg, const struct net_attachment *a);
/* Unpublishes the ports, deletes the interface, frees the lease. */
void net_detach(struct net_attachment *a);
/* For `unikit rm` after the attached run is gone: undoes what the lease
 * (ADDR, as inst->ip has it, "A.B.C.D" or "A.B.C.D/P") records. */
void net_release(const char *root, const char *addr);

/* bridge.c */
/* Reads UNIKIT_BRIDGE and UNIKIT_SUBNET (or the defaults) into (*br). */
int bridge_config_get(struct bridge_config *br, struct uk_error *err);
/* Makes the bridge if it is missing, gives it br->gw, brings it up. */
int bridge_ensure(const struct bridge_config *br, struct uk_error *err);

/* lease.c */
/* Takes the lowest free host address of (br)'s subnet for (owner): a file
 * ROOT/.net/leases/<bridge>/<A.B.C.D>, made with O_EXCL; a lease whose
 * holder (pid in the file) is gone is taken over. (record) is kept in it. */
int lease_take(const char *root, const struct bridge_config *br, const char *owner,
               const char *record, uint32_t *ip, struct uk_error *err);
/* Reads the record kept with the lease of (ip) into (buf); -1 if there is none. */
int lease_read(const char *root, const char *bridge, uint32_t ip, char *buf, size_t len);
/* Frees the lease of (ip) (gone already is fine). */
void lease_free(const char *root, const char *bridge, uint32_t ip);

/* netlink.c: rtnetlink requests, each answered by the kernel's ack */
struct nl {
    int fd;
    uint32_t seq;
};
int nl_open(struct nl *nl, struct uk_error *err);
void nl_close(struct nl *nl);

/* link.c: interfaces and addresses through rtnetlink; each returns 0 or -errno */
int link_add_bridge(struct nl *nl, const char *name);
/* A veth pair: (name) here, (peer) created directly in (peer_pid)'s namespace. */
int link_add_veth(struct nl *nl, const char *name, const char *peer, pid_t peer_pid);
/* Brings (name) up, enslaved to (master) unless it is NULL. */
int link_up(struct nl *nl, const char *name, const char *master);
int link_delete(struct nl *nl, const char *name);
int addr_add(struct nl *nl, const char *name, uint32_t ip, int prefix);
int route_add_default(struct nl *nl, uint32_t gw);

/* tap.c */
/* Makes a persistent tap (name) (so the VMM or QEMU can open it by name), on
 * (br), up. link_delete removes it. */
int vmtap_create(const char *name, const struct bridge_config *br, struct uk_error *err);

/* portmap.c: -p through nftables (the nft command) */
/* DNATs TCP (host_port) on this namespace's own addresses to (ip):(guest_port). */
int portmap_add(uint32_t ip, const struct port_map *ports, int nports, struct uk_error *err);
/* Removes what portmap_add added (gone already is fine). */
void portmap_remove(uint32_t ip, const struct port_map *ports, int nports);

/* netns.c */
/* With UNIKIT_NETNS=NAME set, moves this process into /run/netns/NAME. */
int netns_enter_from_env(struct uk_error *err);
/* Runs (fn)(arg) inside (pid)'s network namespace, then returns to ours. */
int netns_run_in(pid_t pid, int (*fn)(void *arg, struct uk_error *err), void *arg,
                 struct uk_error *err);

/* Formats (a), host byte order, as A.B.C.D into (out) (16 bytes). */
void net_format_ipv4(uint32_t a, char out[16]);

#endif /* UNIKIT_NET_NET_H */
