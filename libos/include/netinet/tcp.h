/* netinet/tcp.h: TCP socket options (TCP_NODELAY, keep-alive) for unikit guests. */
#ifndef UNIKIT_NETINET_TCP_H
#define UNIKIT_NETINET_TCP_H

#include <sys/socket.h>

#endif
