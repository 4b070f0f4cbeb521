/* SPDX-License-Identifier: MIT */
/* Fault injection switch (see fault.h). Test builds only. */
#include "fault.h"

#ifdef OPENWSK_FAULT_INJECTION

#include "internal.h"
#include "net.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[OW_FAULT_COUNT] = {
    "socket_emfile", "accept_emfile", "submit_enomem", "sq_full", "sq_stuck",
    "eagain", "send_short", "recv_short", "reset", "resolve_slow",
};

static struct {
    atomic_uint num[OW_FAULT_COUNT], den[OW_FAULT_COUNT];
    atomic_ulong seen[OW_FAULT_COUNT], fired[OW_FAULT_COUNT];
    atomic_uint seed;
} g;

int ow_fault_armed;   /* fault.h: read inline by the hooks, written only here */

const char *ow_fault_name(enum ow_fault f)
{
    return (unsigned)f < OW_FAULT_COUNT ? names[f] : "?";
}

int ow_fault_set(const char *spec, unsigned seed)
{
    unsigned num[OW_FAULT_COUNT] = { 0 }, den[OW_FAULT_COUNT] = { 0 };
    int any = 0;
    if (spec != NULL && *spec != '\0') {
        char *copy = strdup(spec), *save = NULL;
        if (copy == NULL)
            return -1;
        for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            char *colon = strchr(tok, ':');
            unsigned n = 1, d = 1;
            if (colon) {
                *colon = '\0';
                if (sscanf(colon + 1, "%u/%u", &n, &d) != 2 || d == 0 || n > d) {
                    free(copy);
                    return -1;
                }
            }
            int k = -1;
            for (int i = 0; i < OW_FAULT_COUNT; i++)
                if (strcmp(tok, names[i]) == 0)
                    k = i;
            if (k < 0) {
                free(copy);
                return -1;
            }
            num[k] = n;
            den[k] = d;
            any |= n > 0;
        }
        free(copy);
    }
    __atomic_store_n(&ow_fault_armed, 0, __ATOMIC_SEQ_CST);
    for (int i = 0; i < OW_FAULT_COUNT; i++) {
        atomic_store(&g.num[i], num[i]);
        atomic_store(&g.den[i], den[i] ? den[i] : 1);
        atomic_store(&g.seen[i], 0);
        atomic_store(&g.fired[i], 0);
    }
    atomic_store(&g.seed, seed);
    __atomic_store_n(&ow_fault_armed, any, __ATOMIC_SEQ_CST);
    return 0;
}

void ow_fault_from_env(void)
{
    const char *spec = getenv("OPENWSK_FAULTS");
    if (spec == NULL)
        return;
    const char *s = getenv("OPENWSK_FAULT_SEED");
    if (ow_fault_set(spec, s ? (unsigned)strtoul(s, NULL, 0) : 1u) < 0)
        fprintf(stderr, "openwsk: OPENWSK_FAULTS=%s is malformed (name:num/den,...); no faults\n", spec);
}

static unsigned mix(unsigned long x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdUL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53UL;
    x ^= x >> 33;
    return (unsigned)x;
}

int ow_fault_hit_armed(enum ow_fault f)
{
    if ((unsigned)f >= OW_FAULT_COUNT)
        return 0;
    unsigned num = atomic_load(&g.num[f]);
    if (num == 0)
        return 0;
    unsigned long k = atomic_fetch_add(&g.seen[f], 1);
    unsigned long key = ((unsigned long)atomic_load(&g.seed) << 32) ^ ((unsigned long)f << 56) ^ k;
    if (mix(key) % atomic_load(&g.den[f]) >= num)
        return 0;
    atomic_fetch_add(&g.fired[f], 1);
    return 1;
}

int ow_fault_issue_armed(struct ow_op *op, int flags)
{
    if ((flags & OW_FAULT_AT_URING) && ow_fault_hit(OW_FAULT_SQ_STUCK))
        return -EBUSY;
    if (!(flags & OW_FAULT_AT_MAIN))
        return 0;
    if (op->kind == OW_OP_ACCEPT && ow_fault_hit(OW_FAULT_ACCEPT_EMFILE))
        return -EMFILE;
    if ((op->kind == OW_OP_SEND || op->kind == OW_OP_RECV || op->kind == OW_OP_ACCEPT) &&
        ow_fault_hit(OW_FAULT_EAGAIN))
        return 1;
    return 0;
}

void ow_fault_io_armed(struct ow_op *op)
{
    if (ow_fault_hit(OW_FAULT_RESET))
        (void)ow_net_abort(op->fd);   /* RST now, as a peer's reset would */
    if (!ow_fault_hit(op->kind == OW_OP_SEND ? OW_FAULT_SEND_SHORT : OW_FAULT_RECV_SHORT))
        return;
    struct ow_priv *p = ow_priv(op);
    if (p->msg.msg_iovlen == 0)
        return;
    struct iovec first = p->msg.msg_iov[0];   /* the kernel sees half of one iovec */
    if (first.iov_len > 1)
        first.iov_len /= 2;
    p->head = first;
    p->msg.msg_iov = &p->head;
    p->msg.msg_iovlen = 1;
}

unsigned long ow_fault_fired(enum ow_fault f)
{
    return (unsigned)f < OW_FAULT_COUNT ? atomic_load(&g.fired[f]) : 0;
}

#else
/* Fault injection compiled out: fault.h's inline stubs are all there is. */
typedef int ow_fault_compiled_out;
#endif
