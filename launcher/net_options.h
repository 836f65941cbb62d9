/* net_options.h: `unikit run`'s network flags (--net, --ip, --gw, --mac) checked into a struct net_config (pure). */
#ifndef UNIKIT_NET_OPTIONS_H
#define UNIKIT_NET_OPTIONS_H

#include "error.h"
#include "run_config.h"

/*
 * Each setter checks one flag's (value) as it is read and stores it in
 * (*net); it returns 0, or -1 with (*err) naming the flag, the value and
 * what was expected. Strings in (*net) point into (value).
 *
 *   --net bridge | none | tap:NAME   NAME: 1..15 characters of [A-Za-z0-9._-]
 *   --ip A.B.C.D/PREFIX | dhcp   a unicast host address, PREFIX 1..32
 *   --gw A.B.C.D            a unicast address inside --ip's subnet
 *   --mac XX:XX:XX:XX:XX:XX a unicast (individual) address, not all zeros
 */
int net_option_net(const char *value, struct net_config *net, struct uk_error *err);
int net_option_ip(const char *value, struct net_config *net, struct uk_error *err);
int net_option_gw(const char *value, struct net_config *net, struct uk_error *err);
int net_option_mac(const char *value, struct net_config *net, struct uk_error *err);

/*
 * The default of --net when it is not given: $UNIKIT_NET ("bridge" or
 * "none"), else bridge, as a container engine would. The test suites set
 * UNIKIT_NET=none (tests/lib.sh, tests/run.sh), so that no test makes a bridge
 * in the host's own namespace; the networked suites pass --net and
 * UNIKIT_NETNS themselves.
 */
#define NET_DEFAULT_ENV "UNIKIT_NET"

/*
 * Checks the flags against each other once all are read (--ip and --gw need
 * --net tap:NAME, --mac tap:NAME or bridge; --gw needs a static --ip in the
 * same subnet; no --net means $UNIKIT_NET, else none),
 * gives the device its default MAC (net_default_mac) and writes the kernel
 * options the guest gets (net->kopts: "ip=A.B.C.D/P" or "ip=dhcp", then
 * "gw=A.B.C.D"). Returns 0, or -1 with (*err) set.
 */
int net_options_finish(struct net_config *net, struct uk_error *err);

/* -p HOSTPORT:GUESTPORT (TCP, 1..65535, a host port once) into cfg->ports. */
int net_option_publish(const char *value, struct run_config *cfg, struct uk_error *err);
/* Once --net is settled: -p needs --net bridge. */
int net_ports_finish(const struct run_config *cfg, struct uk_error *err);

/* A stable locally administered MAC for (name): 52:54:00 and three bytes of
 * its FNV-1a hash, so one tap keeps one address from run to run. */
void net_default_mac(const char *name, uint8_t mac[6]);

/* Writes (mac) as "xx:xx:xx:xx:xx:xx" into (out), which holds 18 bytes. */
void net_format_mac(const uint8_t mac[6], char out[18]);

#endif /* UNIKIT_NET_OPTIONS_H */
