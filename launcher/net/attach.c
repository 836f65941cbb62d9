/* attach.c: one instance on the bridge — lease, tap or veth, ports — and undoing it on exit or rm. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instance_run.h"
#include "net.h"
#include "net_options.h"
#include "state.h"

/* The host side's name: a prefix and the address's low 24 bits, unique on one bridge. */
static void if_name(char out[IFNAMSIZ], const char *prefix, uint32_t ip)
{
    snprintf(out, IFNAMSIZ, "%s%06x", prefix, ip & 0xffffffu);
}

void net_attachment_init(struct net_attachment *a, const char *root)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->root, sizeof(a->root), "%s", root);
}

/* The lease's record: what net_release needs to undo it all later. */
static void record(char *out, size_t len, const char *kind, const struct run_config *cfg)
{
    const char *ns = getenv(NET_NETNS_ENV);
    size_t at = (size_t)snprintf(out, len, "kind %s\nnetns %s\n", kind, ns && *ns ? ns : "-");

    for (int i = 0; i < cfg->nports && at < len; i++)
        at += (size_t)snprintf(out + at, len - at, "port %u:%u\n", cfg->ports[i].host,
                               cfg->ports[i].guest);
}

/* Bridge and lease, shared by both runtimes. */
static int lease(const struct run_config *cfg, const char *id, const char *kind,
                 struct net_attachment *a, struct uk_error *err)
{
    char rec[512];

    a->cfg = cfg;
    if (bridge_config_get(&a->br, err) < 0 || bridge_ensure(&a->br, err) < 0)
        return -1;
    record(rec, sizeof(rec), kind, cfg);
    if (lease_take(a->root, &a->br, id, rec, &a->ip, err) < 0)
        return -1;
    a->bridged = true;
    return 0;
}

static int publish(struct net_attachment *a, struct uk_error *err)
{
    if (portmap_add(a->ip, a->cfg->ports, a->cfg->nports, err) < 0)
        return -1;
    a->ports_published = a->cfg->nports > 0;
    return 0;
}

int net_attach_vm(struct run_config *cfg, struct net_attachment *a, struct uk_error *err)
{
    char id[INSTANCE_NAME_MAX];

    if (cfg->net.kind != NET_BRIDGE)
        return 0;
    if (cfg->instance != NULL)
        snprintf(id, sizeof(id), "%s", cfg->instance->inst.name);
    else
        snprintf(id, sizeof(id), "vm-%d", (int)getpid());
    if (lease(cfg, id, "tap", a, err) < 0)
        return -1;
    if_name(a->ifname, "ukt", a->ip);
    if (vmtap_create(a->ifname, &a->br, err) < 0)
        return -1;
    a->if_created = true;
    if (publish(a, err) < 0)
        return -1;
    /* From here on the backends see --net tap:NAME --ip LEASE/P --gw BRIDGE. */
    cfg->net.kind = NET_TAP;
    cfg->net.tap = a->ifname;
    cfg->net.dhcp = false;
    cfg->net.ip = a->ip;
    cfg->net.prefix = a->br.prefix;
    cfg->net.gw = a->br.gw;
    if (net_options_finish(&cfg->net, err) < 0)
        return -1;
    net_record(cfg, a);
    return 0;
}

int net_prepare_container(const struct run_config *cfg, const char *id,
                          struct net_attachment *a, char *ip, size_t iplen,
                          struct uk_error *err)
{
    ip[0] = '\0';
    if (cfg->net.kind == NET_TAP)
        return uk_error_set(err, 0, "run: --net tap:NAME is for a VM; a container takes "
                            "--net bridge or none");
    if (cfg->net.kind != NET_BRIDGE)
        return 0;
    if (lease(cfg, id, "veth", a, err) < 0)
        return -1;
    if (iplen >= 16)
        net_format_ipv4(a->ip, ip);
    return 0;
}

/*
 * Root inside has no CAP_NET_BIND_SERVICE, yet a server in a container
 * expects to listen on port 80: every port is unprivileged in its own
 * namespace (as Docker and Podman set it). /proc/sys/net is the opener's.
 */
static int open_low_ports(struct uk_error *err)
{
    int fd = open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_WRONLY | O_CLOEXEC);

    if (fd < 0 || write(fd, "0\n", 2) != 2) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return uk_error_set(err, e, "net: container: ip_unprivileged_port_start");
    }
    close(fd);
    return 0;
}

/* Inside the container's namespace: lo and eth0 up, the address, the default route. */
static int configure_inside(void *arg, struct uk_error *err)
{
    const struct net_attachment *a = arg;
    struct nl nl;
    int rc;

    if (open_low_ports(err) < 0 || nl_open(&nl, err) < 0)
        return -1;
    if ((rc = link_up(&nl, "lo", NULL)) < 0)
        uk_error_set(err, -rc, "net: container: bring lo up");
    else if (!a->bridged)
        ; /* --net none: loopback only */
    else if ((rc = addr_add(&nl, "eth0", a->ip, a->br.prefix)) < 0)
        uk_error_set(err, -rc, "net: container: give eth0 its address");
    else if ((rc = link_up(&nl, "eth0", NULL)) < 0)
        uk_error_set(err, -rc, "net: container: bring eth0 up");
    else if ((rc = route_add_default(&nl, a->br.gw)) < 0)
        uk_error_set(err, -rc, "net: container: add the default route");
    nl_close(&nl);
    return rc < 0 ? -1 : 0;
}

int net_attach_container(struct net_attachment *a, pid_t pid, struct uk_error *err)
{
    struct nl nl;
    int rc;

    if (!a->bridged)
        return netns_run_in(pid, configure_inside, a, err);
    if_name(a->ifname, "ukv", a->ip);
    if (nl_open(&nl, err) < 0)
        return -1;
    rc = link_add_veth(&nl, a->ifname, "eth0", pid);
    if (rc == -EEXIST) { /* left by a run killed before it could delete it; the lease is ours now */
        link_delete(&nl, a->ifname);
        rc = link_add_veth(&nl, a->ifname, "eth0", pid);
    }
    if (rc < 0) {
        nl_close(&nl);
        return uk_error_set(err, -rc, "net: create the veth %s", a->ifname);
    }
    a->if_created = true;
    rc = link_up(&nl, a->ifname, a->br.name);
    nl_close(&nl);
    if (rc < 0)
        return uk_error_set(err, -rc, "net: put the veth %s on the bridge %s", a->ifname,
                            a->br.name);
    if (netns_run_in(pid, configure_inside, a, err) < 0)
        return -1;
    return publish(a, err);
}

static void set_address(struct instance *inst, void *ctx)
{
    const struct net_attachment *a = ctx;
    char ip[16];

    net_format_ipv4(a->ip, ip);
    snprintf(inst->ip, sizeof(inst->ip), "%s/%d", ip, a->br.prefix);
    snprintf(inst->netif, sizeof(inst->netif), "%s", a->ifname);
}

void net_record(const struct run_config *cfg, const struct net_attachment *a)
{
    struct uk_error err;

    if (cfg->instance == NULL || !a->bridged)
        return;
    set_address(&cfg->instance->inst, (void *)a);
    if (state_update(cfg->instance->inst.name, set_address, (void *)a, &err) < 0)
        uk_error_print(&err); /* the run goes on; ps shows no address */
}

void net_detach(struct net_attachment *a)
{
    struct nl nl;
    struct uk_error ignored;

    if (a->ports_published)
        portmap_remove(a->ip, a->cfg->ports, a->cfg->nports);
    if (a->if_created && nl_open(&nl, &ignored) == 0) {
        link_delete(&nl, a->ifname); /* a veth may be gone with its namespace already */
        nl_close(&nl);
    }
    if (a->ip != 0)
        lease_free(a->root, a->br.name, a->ip);
    a->ports_published = a->if_created = a->bridged = false;
    a->ip = 0;
}
