/* arpa/inet.h: address conversion for unikit guests. */
#ifndef UNIKIT_ARPA_INET_H
#define UNIKIT_ARPA_INET_H

#include <netinet/in.h>

int inet_pton(int af, const char *src, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
/* inet_addr, inet_aton and inet_ntoa are lwIP's macros (lwip/inet.h). */

#endif
