/* SPDX-License-Identifier: MIT */
/* Figure 6, WSK side: time from the call to WskConnectEx to the server's
 * first read of the data, with or without TCP_FASTOPEN (tfo=1|0). The server
 * (bench_server tfo, another namespace) replies with the CLOCK_MONOTONIC time
 * of that read; the clock is shared across network namespaces. One warm-up
 * connection first fetches the Fast Open cookie. */
#include "wsk_bench.h"

#include <stdio.h>
#include <stdlib.h>

static NTSTATUS OneConnection(WB_SYNC *c, const struct bench_opts *o, WB_BUF *out, WB_BUF *in, uint64_t *delay,
                              BOOLEAN *synData)
{
    SOCKADDR_IN remote = WbRemote(o);
    PWSK_SOCKET s = WbSocket(c, o->tfo != 0);
    if (s == NULL)
        return STATUS_UNSUCCESSFUL;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    uint64_t t0 = bu_now_ns();
    NTSTATUS st = WbWait(c, d->WskConnectEx(s, (PSOCKADDR)&remote, &out->Wsk, 0, WbArm(c)));
    *synData = NT_SUCCESS(st) && OwSocketSynCarriedData(s);
    if (NT_SUCCESS(st))
        st = WbWait(c, d->WskReceive(s, &in->Wsk, WSK_FLAG_WAITALL, WbArm(c)));
    if (NT_SUCCESS(st) && c->Irp->IoStatus.Information != sizeof(uint64_t))
        st = STATUS_UNSUCCESSFUL;
    if (NT_SUCCESS(st)) {
        uint64_t t1;
        RtlCopyMemory(&t1, in->Data, sizeof(t1));
        *delay = t1 - t0;
    }
    WbClose(c, s);
    return st;
}

int WbTfo(const struct bench_opts *o, char *res, size_t len)
{
    WB_SYNC c;
    WB_BUF out, in;
    WbSyncInit(&c);
    WbBufInit(&out, (SIZE_T)o->size);
    WbBufInit(&in, sizeof(uint64_t));
    uint64_t *delays = calloc((size_t)o->n + 1, sizeof(uint64_t));
    int errors = 0, syn = 0;
    BOOLEAN synData;
    if (!NT_SUCCESS(OneConnection(&c, o, &out, &in, &delays[0], &synData)))   /* warm-up: cookie */
        errors++;
    for (long i = 0; i < o->n && !errors; i++) {
        if (!NT_SUCCESS(OneConnection(&c, o, &out, &in, &delays[i], &synData)))
            errors++;
        syn += synData;
    }
    snprintf(res, len, "first_read_ms=%.3f min_ms=%.3f syn_data=%d/%ld", (double)bu_quantile(delays, (size_t)o->n, 0.5) / 1e6,
             (double)bu_quantile(delays, (size_t)o->n, 0.0) / 1e6, syn, o->n);
    free(delays);
    WbBufFree(&out);
    WbBufFree(&in);
    WbSyncFree(&c);
    return errors;
}
