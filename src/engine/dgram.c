/* SPDX-License-Identifier: MIT */
/* Datagram ops of the engine (OW_OP_SENDMSG / OW_OP_RECVMSG): the parts both
 * backends share. Addresses cross the boundary in Windows layout; received
 * control data is rewritten in Windows CMSGHDR layout (SIZE_T cmsg_len, INT
 * level, INT type, data at offset 16; IN_PKTINFO is { addr, ifindex }).
 * Only IP_PKTINFO and IPV6_PKTINFO are translated; other Linux control
 * messages are dropped and reported as OW_MSG_CTRUNC. */
#include "internal.h"
#include "net.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

/* Windows values (ws2def.h / ws2ipdef.h) */
#define WIN_IPPROTO_IP    0
#define WIN_IPPROTO_IPV6  41
#define WIN_IP_PKTINFO    19
#define WIN_IPV6_PKTINFO  19
#define WIN_CMSG_HDR      16u                      /* sizeof(WSACMSGHDR) on x64 */
#define WIN_ALIGN8(n)     (((size_t)(n) + 7u) & ~(size_t)7u)

int ow_dgram_prepare(struct ow_op *op)
{
    op->u.io.msg_flags = 0;
    if (op->kind == OW_OP_SENDMSG && op->u.io.win_addr != NULL)
        return ow_sa_from_win(op->u.io.win_addr, op->u.io.addrlen, op->eng_sa.b, &op->eng_salen);
    op->eng_salen = 0;
    return 0;
}

void ow_dgram_msg(struct ow_op *op)
{
    struct ow_priv *p = ow_priv(op);
    memset(&p->msg, 0, sizeof(p->msg));
    /* The kernel only reads the array; msghdr just lacks the const. */
    p->msg.msg_iov = (struct iovec *)op->u.io.iov;
    p->msg.msg_iovlen = (size_t)op->u.io.iovcnt;
    if (op->kind == OW_OP_SENDMSG) {
        if (op->eng_salen) {
            p->msg.msg_name = op->eng_sa.b;
            p->msg.msg_namelen = op->eng_salen;
        }
        return;
    }
    p->msg.msg_name = op->eng_sa.b;
    p->msg.msg_namelen = sizeof(op->eng_sa.b);
    if (op->u.io.win_ctl != NULL && op->u.io.ctllen > 0) {
        p->msg.msg_control = op->eng_ctl.b;
        p->msg.msg_controllen = sizeof(op->eng_ctl.b);
    }
}

int ow_dgram_flags(const struct ow_op *op)
{
    return op->kind == OW_OP_SENDMSG ? MSG_NOSIGNAL : 0;
}

/* Appends one Windows control message; returns 0 when it did not fit. */
static int put_win_cmsg(unsigned char *out, size_t cap, size_t *at, int level, int type,
                        const void *data, size_t len)
{
    size_t space = WIN_CMSG_HDR + WIN_ALIGN8(len);
    if (*at + WIN_CMSG_HDR + len > cap)
        return 0;
    size_t cmsg_len = WIN_CMSG_HDR + len;
    unsigned char *h = out + *at;
    memcpy(h, &cmsg_len, sizeof(cmsg_len));
    memcpy(h + 8, &level, sizeof(level));
    memcpy(h + 12, &type, sizeof(type));
    memcpy(h + WIN_CMSG_HDR, data, len);
    *at += space > cap - *at ? cap - *at : space;
    return 1;
}

void ow_dgram_received(struct ow_op *op)
{
    struct ow_priv *p = ow_priv(op);
    int flags = 0;
    if (p->msg.msg_flags & MSG_TRUNC)
        flags |= OW_MSG_TRUNC;
    if (p->msg.msg_flags & MSG_CTRUNC)
        flags |= OW_MSG_CTRUNC;

    if (op->u.io.win_addr != NULL) {
        size_t n = op->u.io.addrlen;
        ow_sa_to_win(op->eng_sa.b, p->msg.msg_namelen, op->u.io.win_addr, &n);
        op->u.io.addrlen = n;
    }

    size_t at = 0;
    if (op->u.io.win_ctl != NULL && op->u.io.ctllen > 0 && p->msg.msg_control != NULL) {
        unsigned char *out = op->u.io.win_ctl;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&p->msg); c != NULL; c = CMSG_NXTHDR(&p->msg, c)) {
            int ok = 0;
            if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                struct in_pktinfo li;
                memcpy(&li, CMSG_DATA(c), sizeof(li));
                unsigned char w[8];
                uint32_t ifindex = (uint32_t)li.ipi_ifindex;
                memcpy(w, &li.ipi_addr, 4);
                memcpy(w + 4, &ifindex, 4);
                ok = put_win_cmsg(out, op->u.io.ctllen, &at, WIN_IPPROTO_IP, WIN_IP_PKTINFO, w, sizeof(w));
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                struct in6_pktinfo li;
                memcpy(&li, CMSG_DATA(c), sizeof(li));
                unsigned char w[20];
                uint32_t ifindex = (uint32_t)li.ipi6_ifindex;
                memcpy(w, &li.ipi6_addr, 16);
                memcpy(w + 16, &ifindex, 4);
                ok = put_win_cmsg(out, op->u.io.ctllen, &at, WIN_IPPROTO_IPV6, WIN_IPV6_PKTINFO, w, sizeof(w));
            }
            if (!ok)
                flags |= OW_MSG_CTRUNC;
        }
    }
    op->u.io.ctllen = at;
    op->u.io.msg_flags = flags;
}
