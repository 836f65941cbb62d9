/* netinet/in.h: Internet addresses for unikit guests (lwIP's definitions). */
#ifndef UNIKIT_NETINET_IN_H
#define UNIKIT_NETINET_IN_H

#include <sys/socket.h>

#endif
