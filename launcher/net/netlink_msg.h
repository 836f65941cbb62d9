/* netlink_msg.h: building one rtnetlink request in a fixed buffer (netlink.c), for link.c. */
#ifndef UNIKIT_NET_NETLINK_MSG_H
#define UNIKIT_NET_NETLINK_MSG_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* A request: the header, then up to 1 KiB of payload and attributes. */
struct nlm {
    struct nlmsghdr h;
    char room[1024];
    bool overflow; /* something did not fit: nl_request refuses it */
};

/* Starts (m) as a request of (type) with NLM_F_REQUEST | NLM_F_ACK | (flags). */
void nlm_init(struct nlm *m, uint16_t type, uint16_t flags);
/* Appends (len) zeroed bytes (a struct ifinfomsg, ifaddrmsg, rtmsg); NULL if full. */
void *nlm_put(struct nlm *m, size_t len);
/* Appends an attribute; for a nest, pass no data and close it with nlm_nest_end. */
struct rtattr *nlm_attr(struct nlm *m, unsigned short type, const void *data, size_t len);
void nlm_nest_end(struct nlm *m, struct rtattr *nest);
/* Sends (m) and waits for its ack: 0, or -errno as the kernel said. */
int nl_request(struct nl *nl, struct nlm *m);

#endif /* UNIKIT_NET_NETLINK_MSG_H */
