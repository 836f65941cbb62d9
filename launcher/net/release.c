/* release.c: `unikit rm`'s half of the network: undoing what a lease's record says, after its run is gone. */
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

/* Enters the namespace the lease was made in ("-": ours); returns a descriptor to come back with. */
static int enter(const char *ns)
{
    char path[PATH_MAX];
    int here, there;

    if (strcmp(ns, "-") == 0 || strchr(ns, '/') != NULL)
        return -1;
    snprintf(path, sizeof(path), "/run/netns/%s", ns);
    here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    there = open(path, O_RDONLY | O_CLOEXEC);
    if (here >= 0 && there >= 0 && setns(there, CLONE_NEWNET) == 0) {
        close(there);
        return here;
    }
    if (here >= 0)
        close(here);
    if (there >= 0)
        close(there);
    return -1;
}

/* Undoes the lease of (ip) on (bridge) as its record says. */
static void release_one(const char *root, const char *bridge, uint32_t ip)
{
    char rec[1024], kind[16] = "", ns[256] = "-", ifname[IFNAMSIZ];
    struct port_map ports[RUN_MAX_PORTS];
    int nports = 0, back;
    struct uk_error ignored;
    struct nl nl;

    if (lease_read(root, bridge, ip, rec, sizeof(rec)) < 0)
        return;
    for (char *line = strtok(rec, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        unsigned h, g;
        if (sscanf(line, "port %u:%u", &h, &g) == 2 && nports < RUN_MAX_PORTS)
            ports[nports++] = (struct port_map){(uint16_t)h, (uint16_t)g};
        else if (sscanf(line, "kind %15s", kind) == 1 || sscanf(line, "netns %255s", ns) == 1)
            continue;
    }
    back = enter(ns);
    portmap_remove(ip, ports, nports);
    snprintf(ifname, sizeof(ifname), "%s%06x", strcmp(kind, "veth") == 0 ? "ukv" : "ukt",
             ip & 0xffffffu);
    if (kind[0] != '\0' && nl_open(&nl, &ignored) == 0) {
        link_delete(&nl, ifname);
        nl_close(&nl);
    }
    if (back >= 0) {
        if (setns(back, CLONE_NEWNET) < 0)
            perror("unikit: net: return to the launcher's network namespace");
        close(back);
    }
    lease_free(root, bridge, ip);
}

void net_release(const char *root, const char *addr)
{
    char dir[PATH_MAX], a[32];
    struct in_addr in;
    struct dirent *e;
    DIR *d;

    snprintf(a, sizeof(a), "%s", addr);
    a[strcspn(a, "/")] = '\0';
    if (inet_pton(AF_INET, a, &in) != 1)
        return;
    /* The lease is under the bridge it was made on, whatever UNIKIT_BRIDGE says now. */
    snprintf(dir, sizeof(dir), "%s/.net/leases", root);
    if ((d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            release_one(root, e->d_name, ntohl(in.s_addr));
    closedir(d);
}
