/* SPDX-License-Identifier: MIT */
/* WSK_BUF -> iovecs. The WSK_BUF rules (WSK_BUF reference page): Mdl may be a
 * chain, Offset lies inside the first MDL, Length may not exceed what the
 * chain describes from Offset, Mdl may be NULL only when Length is 0. */
#include "provider.h"
#include "verifier/verifier.h"

#include <stdlib.h>
#include <string.h>

/* buf spans a chain of MDLs: one iovec each (empty ones skipped). Out of
 * line, so that the one-MDL buffer of nearly every call does not pay for
 * this loop's registers. */
static __attribute__((noinline)) NTSTATUS mdl_chain(struct ow_req *req, const WSK_BUF *buf)
{
    /* One pass; a chain longer than iov_small is counted first, once. */
    int cap = (int)(sizeof(req->iov_small) / sizeof(req->iov_small[0]));
    SIZE_T left = buf->Length;
    ULONG offset = buf->Offset;
    for (PMDL m = buf->Mdl; m && left; m = m->Next) {
        ULONG bytes = MmGetMdlByteCount(m);
        PUCHAR va = MmGetSystemAddressForMdlSafe(m, NormalPagePriority);
        if (va == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        SIZE_T take = bytes - offset;
        if (take > left)
            take = left;
        if (take) {
            if (req->iovcnt == cap && req->iov == req->iov_small) {
                int count = req->iovcnt;
                for (PMDL r = m; r; r = r->Next)
                    count++;
                struct iovec *big = calloc((size_t)count, sizeof(struct iovec));
                if (big == NULL)
                    return STATUS_INSUFFICIENT_RESOURCES;
                memcpy(big, req->iov_small, sizeof(req->iov_small));
                req->iov = big;
            }
            req->iov[req->iovcnt].iov_base = va + offset;
            req->iov[req->iovcnt].iov_len = take;
            req->iovcnt++;
        }
        left -= take;
        offset = 0;
    }
    if (left != 0)
        return STATUS_INVALID_PARAMETER;   /* Length beyond the MDL chain */
    req->total = buf->Length;
    return STATUS_SUCCESS;
}

NTSTATUS ow_buf_to_iov_any(struct ow_req *req, const WSK_BUF *buf)
{
    req->iovcnt = 0;
    req->total = 0;
    if (ow_vf_enabled)   /* Windows bug-checks on these; the statuses below are for verifier off */
        ow_vf_check_buf(buf);
    if (buf == NULL || buf->Length == 0)
        return STATUS_SUCCESS;
    PMDL mdl = buf->Mdl;
    if (mdl == NULL || buf->Offset >= MmGetMdlByteCount(mdl))
        return STATUS_INVALID_PARAMETER;
    /* Not Offset + Length: a Length near SIZE_T's top wraps that sum
     * round to a small number and passed for one MDL's worth. */
    if (buf->Length > MmGetMdlByteCount(mdl) - buf->Offset)
        return mdl_chain(req, buf);
    return ow_buf_one_mdl(req, buf);   /* with the verifier on */
}

size_t ow_iov_gather(const struct iovec *iov, int iovcnt, void *to)
{
    size_t at = 0;
    for (int i = 0; i < iovcnt; i++) {
        memcpy((unsigned char *)to + at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    return at;
}

size_t ow_iov_scatter(const struct iovec *iov, int iovcnt, const void *from, size_t len)
{
    size_t at = 0;
    for (int i = 0; i < iovcnt && at < len; i++) {
        size_t n = iov[i].iov_len < len - at ? iov[i].iov_len : len - at;
        memcpy(iov[i].iov_base, (const unsigned char *)from + at, n);
        at += n;
    }
    return at;
}

NTSTATUS ow_buf_copy(const WSK_BUF *buf, void **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (buf == NULL || buf->Length == 0)
        return STATUS_SUCCESS;
    struct ow_req tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.iov = tmp.iov_small;
    NTSTATUS st = ow_buf_to_iov(&tmp, buf);
    if (NT_SUCCESS(st)) {
        unsigned char *copy = malloc(buf->Length);
        if (copy == NULL) {
            st = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            *out = copy;
            *len = ow_iov_gather(tmp.iov, tmp.iovcnt, copy);
        }
    }
    if (tmp.iov != tmp.iov_small)
        free(tmp.iov);
    return st;
}
