/* inet.c: address conversion and name lookup — inet_pton/ntop, getaddrinfo/getnameinfo — over lwIP. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "lwip/ip4_addr.h"

/* POSIX inet_pton: exactly four decimal parts 0..255 ("10.1.2" and "0x1.2.3.4" are not addresses). */
int inet_pton(int af, const char *src, void *dst)
{
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    unsigned char out[4];
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        int digits = 0;
        while (*src >= '0' && *src <= '9') {
            v = v * 10 + (unsigned)(*src++ - '0');
            if (++digits > 3 || v > 255)
                return 0;
        }
        if (digits == 0 || (part < 3 && *src++ != '.'))
            return 0;
        out[part] = (unsigned char)v;
    }
    if (*src)
        return 0;
    memcpy(dst, out, 4);
    return 1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    return lwip_inet_ntop(af, src, dst, size);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    return lwip_getaddrinfo(node, service, hints, res);
}

void freeaddrinfo(struct addrinfo *ai)
{
    lwip_freeaddrinfo(ai);
}

struct hostent *gethostbyname(const char *name)
{
    return lwip_gethostbyname(name);
}

/* Numeric only: there is no reverse DNS or services database in the image. */
int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
                socklen_t servlen, int flags)
{
    if (!sa || sa->sa_family != AF_INET || salen < (socklen_t)sizeof(struct sockaddr_in))
        return EAI_FAMILY;
    if (flags & NI_NAMEREQD)
        return EAI_NONAME;
    const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
    if (host && hostlen && !inet_ntop(AF_INET, &sin->sin_addr, host, hostlen))
        return EAI_OVERFLOW;
    if (serv && servlen && snprintf(serv, servlen, "%u", (unsigned)lwip_ntohs(sin->sin_port)) >= (int)servlen)
        return EAI_OVERFLOW;
    return 0;
}

const char *gai_strerror(int err)
{
    switch (err) {
    case 0:
        return "Success";
    case EAI_NONAME:
        return "Name or service not known";
    case EAI_SERVICE:
        return "Servname not supported for ai_socktype";
    case EAI_FAIL:
        return "Non-recoverable failure in name resolution";
    case EAI_MEMORY:
        return "Memory allocation failure";
    case EAI_FAMILY:
        return "ai_family not supported";
    case EAI_AGAIN:
        return "Temporary failure in name resolution";
    case EAI_OVERFLOW:
        return "Argument buffer overflow";
    default:
        return "Unknown error";
    }
}
