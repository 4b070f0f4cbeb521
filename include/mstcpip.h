/* SPDX-License-Identifier: MIT */
/* mstcpip.h: Microsoft-specific TCP/IP extensions (vendor ioctls and their
 * structures). The IPPROTO_TCP option numbers (TCP_FASTOPEN 15, TCP_KEEPCNT
 * 16...) come with it through ws2ipdef.h, which is where Windows has them. */
#ifndef OPENWSK_MSTCPIP_H
#define OPENWSK_MSTCPIP_H

#include <ws2def.h>
#include <ws2ipdef.h>

EXTERN_C_START

/* Input of SIO_KEEPALIVE_VALS; times in milliseconds. */
struct tcp_keepalive {
    ULONG onoff;
    ULONG keepalivetime;
    ULONG keepaliveinterval;
};

typedef enum {
    RCVALL_OFF             = 0,
    RCVALL_ON              = 1,
    RCVALL_SOCKETLEVELONLY = 2,
    RCVALL_IPLEVEL         = 3
} RCVALL_VALUE, *PRCVALL_VALUE;

/* Output of SIO_QUERY_RSS_SCALABILITY_INFO. */
typedef struct _RSS_SCALABILITY_INFO {
    BOOLEAN RssEnabled;
} RSS_SCALABILITY_INFO, *PRSS_SCALABILITY_INFO;

#define SIO_RCVALL                     _WSAIOW(IOC_VENDOR, 1)    /* 0x98000001 */
#define SIO_KEEPALIVE_VALS             _WSAIOW(IOC_VENDOR, 4)    /* 0x98000004 */
#define SIO_LOOPBACK_FAST_PATH         _WSAIOW(IOC_VENDOR, 16)   /* 0x98000010 */
#define SIO_TCP_INITIAL_RTO            _WSAIOW(IOC_VENDOR, 17)   /* 0x98000011 */
#define SIO_QUERY_RSS_SCALABILITY_INFO _WSAIOR(IOC_VENDOR, 210)  /* 0x580000D2 */

EXTERN_C_END

#endif /* OPENWSK_MSTCPIP_H */
