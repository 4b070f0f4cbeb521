/* SPDX-License-Identifier: MIT */
/* Name resolution for the WSK provider (WskGetAddressInfo, WskGetNameInfo):
 * getaddrinfo/getnameinfo behind a neutral interface. A boundary header like
 * net.h: no socket header; numbers crossing it are Windows values (family 2
 * or 23, AI_ and NI_ flags as in ws2def.h, socket types and protocols, which both share),
 * addresses are in Windows layout, strings are UTF-8. */
#ifndef OPENWSK_RESOLVE_H
#define OPENWSK_RESOLVE_H

#include <stddef.h>

/* Outcomes (getaddrinfo's EAI_* classes). */
enum ow_rs_status {
    OW_RS_OK = 0,
    OW_RS_NOT_FOUND,      /* EAI_NONAME, EAI_NODATA, EAI_ADDRFAMILY */
    OW_RS_AGAIN,          /* EAI_AGAIN: temporary failure (no DNS answer) */
    OW_RS_BAD_ARGS,       /* EAI_BADFLAGS, EAI_FAMILY, EAI_SOCKTYPE */
    OW_RS_SERVICE,        /* EAI_SERVICE: no such service for the socket type */
    OW_RS_NO_MEMORY,      /* EAI_MEMORY */
    OW_RS_OVERFLOW,       /* EAI_OVERFLOW: an output buffer was too small */
    OW_RS_FAIL,           /* EAI_FAIL, EAI_SYSTEM, anything else */
};

struct ow_rs_addr {
    struct ow_rs_addr *next;
    int flags, family, socktype, protocol;   /* Windows values */
    size_t addrlen;                          /* 16 or 28 */
    unsigned char addr[28];                  /* Windows layout */
    char *canonname;                         /* UTF-8, first entry only; may be NULL */
};

/* Blocking getaddrinfo. node or service may be NULL (not both). Hint values
 * are Windows ones; unknown AI_* bits are ignored. *out is freed with
 * ow_rs_free_addrs. */
enum ow_rs_status ow_rs_getaddrinfo(const char *node, const char *service, int ai_flags,
                                    int family, int socktype, int protocol,
                                    struct ow_rs_addr **out);
void ow_rs_free_addrs(struct ow_rs_addr *list);

/* Blocking getnameinfo of a Windows-layout address; ni_flags are Windows
 * NI_* values (an unknown bit: OW_RS_BAD_ARGS). host/serv may be NULL. */
enum ow_rs_status ow_rs_getnameinfo(const void *win_addr, size_t len, char *host, size_t hostlen,
                                    char *serv, size_t servlen, int ni_flags);

/* Runs fn(arg) on a new detached thread (signals blocked). 0 or -errno. */
int ow_rs_spawn(void (*fn)(void *), void *arg);

#endif
