/* netdb.h: name and service lookup for unikit guests (numeric addresses, and DNS through lwIP). */
#ifndef UNIKIT_NETDB_H
#define UNIKIT_NETDB_H

#include <sys/socket.h>

#include "lwip/netdb.h"

#ifndef NI_NUMERICHOST
#define NI_NUMERICHOST 1
#define NI_NUMERICSERV 2
#define NI_NOFQDN 4
#define NI_NAMEREQD 8
#define NI_DGRAM 16
#endif
#ifndef NI_MAXHOST
#define NI_MAXHOST 1025
#define NI_MAXSERV 32
#endif
#ifndef EAI_AGAIN
#define EAI_AGAIN 205
#endif
#ifndef EAI_OVERFLOW
#define EAI_OVERFLOW 206
#endif

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
void freeaddrinfo(struct addrinfo *ai);
int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
                socklen_t servlen, int flags);
const char *gai_strerror(int err);
struct hostent *gethostbyname(const char *name);

#endif
