/* netlink.c: an rtnetlink socket and one request at a time, answered by the kernel's ack. */
#include <errno.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "netlink_msg.h"

int nl_open(struct nl *nl, struct uk_error *err)
{
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

    nl->seq = 1;
    nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (nl->fd < 0)
        return uk_error_set(err, errno, "net: open an rtnetlink socket");
    if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        nl_close(nl);
        return uk_error_set(err, e, "net: bind the rtnetlink socket");
    }
    return 0;
}

void nl_close(struct nl *nl)
{
    if (nl->fd >= 0)
        close(nl->fd);
    nl->fd = -1;
}

void *nlm_put(struct nlm *m, size_t len)
{
    size_t at = NLMSG_ALIGN(m->h.nlmsg_len);
    void *p;

    if (at + len > offsetof(struct nlm, overflow)) {
        m->overflow = true;
        return NULL;
    }
    p = (char *)m + at;
    memset(p, 0, NLMSG_ALIGN(len));
    m->h.nlmsg_len = (uint32_t)(at + len);
    return p;
}

struct rtattr *nlm_attr(struct nlm *m, unsigned short type, const void *data, size_t len)
{
    struct rtattr *a = nlm_put(m, RTA_LENGTH(len));

    if (a == NULL)
        return NULL;
    a->rta_type = type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    if (len > 0)
        memcpy(RTA_DATA(a), data, len);
    return a;
}

void nlm_nest_end(struct nlm *m, struct rtattr *nest)
{
    if (nest != NULL)
        nest->rta_len = (unsigned short)((char *)m + m->h.nlmsg_len - (char *)nest);
}

void nlm_init(struct nlm *m, uint16_t type, uint16_t flags)
{
    memset(&m->h, 0, sizeof(m->h));
    m->h.nlmsg_len = NLMSG_HDRLEN;
    m->h.nlmsg_type = type;
    m->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    m->overflow = false;
}

int nl_request(struct nl *nl, struct nlm *m)
{
    char buf[8192];
    struct sockaddr_nl to = {.nl_family = AF_NETLINK};

    if (m->overflow)
        return -EMSGSIZE;
    m->h.nlmsg_seq = ++nl->seq;
    if (sendto(nl->fd, &m->h, m->h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
        return -errno;
    for (;;) {
        ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != nl->seq || h->nlmsg_type != NLMSG_ERROR)
                continue;
            return ((struct nlmsgerr *)NLMSG_DATA(h))->error; /* 0: the ack */
        }
    }
}
