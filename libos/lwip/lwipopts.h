/* lwipopts.h: unikit's lwIP configuration — sockets on the cooperative scheduler, memory from malloc. */
#ifndef UNIKIT_LWIPOPTS_H
#define UNIKIT_LWIPOPTS_H

/* The OS layer: threads, semaphores and mailboxes from libos/lwip/sys_arch.c. */
#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 0 /* nothing preempts: threads are cooperative */
#define LWIP_TCPIP_CORE_LOCKING 1 /* socket calls run lwIP directly under the core lock */
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0 /* frames go to the tcpip thread's mailbox */
#define TCPIP_THREAD_STACKSIZE (64 * 1024)
#define TCPIP_MBOX_SIZE 1024
#define DEFAULT_THREAD_STACKSIZE (64 * 1024)
#define DEFAULT_TCP_RECVMBOX_SIZE 256
#define DEFAULT_UDP_RECVMBOX_SIZE 256
#define DEFAULT_RAW_RECVMBOX_SIZE 64
#define DEFAULT_ACCEPTMBOX_SIZE 256

/* Memory: everything from newlib's malloc, so nothing is sized in the bss. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define MEMP_NUM_NETCONN 1000 /* also the number of sockets */
#define MEMP_NUM_TCP_PCB 1000
#define MEMP_NUM_TCP_PCB_LISTEN 16
#define MEMP_NUM_UDP_PCB 64
#define PBUF_POOL_SIZE 1024
#define PBUF_LINK_ENCAPSULATION_HLEN 0

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DNS 1
#define LWIP_IGMP 0
#define LWIP_HAVE_LOOPIF 1 /* 127.0.0.1, with or without a network device */
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1

/* TCP sized for throughput on a virtual link. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (64 * TCP_MSS)
#define TCP_SND_BUF (64 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define MEMP_NUM_TCP_SEG (TCP_SND_QUEUELEN * 4) /* must be >= TCP_SND_QUEUELEN */
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_KEEPALIVE 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define LWIP_CHECKSUM_ON_COPY 1

/* The socket API as the libos' descriptors use it (POSIX names are the libos'). */
#define LWIP_SOCKET 1
#define LWIP_NETCONN 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 0
#define LWIP_SOCKET_POLL 1
#define LWIP_SOCKET_SELECT 1
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SO_LINGER 1
#define SO_REUSE 1
#define LWIP_TIMEVAL_PRIVATE 0 /* newlib's struct timeval */
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_API 1
#define LWIP_FIONREAD_LINUXMODE 1

#define LWIP_STATS 0
/* LWIP_PROVIDE_ERRNO stays undefined (lwip/errno.h tests it with #ifdef): newlib's errno.h */
#define LWIP_ERRNO_STDINCLUDE 1

#endif
