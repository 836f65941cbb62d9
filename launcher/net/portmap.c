/* portmap.c: -p HOSTPORT:GUESTPORT as nftables DNAT, one map element per port (through the nft command). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"

/*
 * One table for every instance, made (again) by each run in one nft
 * transaction: the chains are flushed and their one rule re-added, so that
 * concurrent runs never double it. The rule looks TCP's destination port up
 * in a map of HOSTPORT -> ADDRESS . GUESTPORT, for packets to one of this
 * namespace's own addresses (but loopback): arriving (prerouting) or sent
 * from here (output). A port is published by adding its element, which
 * fails when another instance has the port, and unpublished by deleting it.
 */
static const char table_script[] =
    "add table ip unikit\n"
    "add map ip unikit tcp_ports { type inet_service : ipv4_addr . inet_service ; }\n"
    "add chain ip unikit prerouting { type nat hook prerouting priority dstnat ; policy accept ; }\n"
    "add chain ip unikit output { type nat hook output priority -100 ; policy accept ; }\n"
    "flush chain ip unikit prerouting\n"
    "flush chain ip unikit output\n"
    "add rule ip unikit prerouting fib daddr type local meta l4proto tcp "
    "dnat ip to tcp dport map @tcp_ports\n"
    "add rule ip unikit output ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto tcp "
    "dnat ip to tcp dport map @tcp_ports\n";

/* Runs `nft -f -` on (script); its messages go to our stderr. Returns its exit status, or -1. */
static int nft(const char *script, bool quiet)
{
    int fds[2], status;
    pid_t pid;
    size_t len = strlen(script);

    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[0], 0);
        if (quiet) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 2);
        }
        execlp("nft", "nft", "-f", "-", (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    if (write(fds[1], script, len) != (ssize_t)len)
        status = -1;
    close(fds[1]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The elements of (ports): "{ 8080 : 10.88.0.2 . 80, ... }"; with (keys_only) just "{ 8080, ... }". */
static void elements(char *out, size_t len, uint32_t ip, const struct port_map *ports, int n,
                     bool keys_only)
{
    char a[16];
    size_t at = 0;

    net_format_ipv4(ip, a);
    at += (size_t)snprintf(out + at, len - at, "{ ");
    for (int i = 0; i < n && at < len; i++) {
        if (keys_only)
            at += (size_t)snprintf(out + at, len - at, "%s%u", i ? ", " : "", ports[i].host);
        else
            at += (size_t)snprintf(out + at, len - at, "%s%u : %s . %u", i ? ", " : "",
                                   ports[i].host, a, ports[i].guest);
    }
    if (at < len)
        snprintf(out + at, len - at, " }");
}

int portmap_add(uint32_t ip, const struct port_map *ports, int nports, struct uk_error *err)
{
    char script[sizeof(table_script) + 64 * RUN_MAX_PORTS + 64];
    char elems[48 * RUN_MAX_PORTS + 8];
    int rc;

    if (nports == 0)
        return 0;
    elements(elems, sizeof(elems), ip, ports, nports, false);
    snprintf(script, sizeof(script), "%sadd element ip unikit tcp_ports %s\n", table_script,
             elems);
    rc = nft(script, false);
    if (rc == 127 || rc < 0)
        return uk_error_set(err, 0, "net: -p needs the nft command (nftables; tools/deps.sh "
                            "installs it)");
    if (rc != 0)
        return uk_error_set(err, 0, "net: -p: nft refused %s (a port published by another "
                            "instance?)", elems);
    return 0;
}

void portmap_remove(uint32_t ip, const struct port_map *ports, int nports)
{
    char script[64 * RUN_MAX_PORTS + 64], elems[48 * RUN_MAX_PORTS + 8];

    if (nports == 0)
        return;
    elements(elems, sizeof(elems), ip, ports, nports, true);
    snprintf(script, sizeof(script), "delete element ip unikit tcp_ports %s\n", elems);
    nft(script, true);
}
