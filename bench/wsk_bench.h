/* SPDX-License-Identifier: MIT */
/* The WSK side of the benches (WDK world: no Linux socket header here). */
#ifndef OPENWSK_BENCH_WSK_H
#define OPENWSK_BENCH_WSK_H

#include <ntddk.h>
#include <wsk.h>
#include <openwsk.h>

#include "opts.h"
#include "util.h"

extern WSK_PROVIDER_NPI WbProvider;

/* One IRP for synchronous calls, as drivers write them. */
typedef struct WB_SYNC { PIRP Irp; KEVENT Event; } WB_SYNC;
void WbSyncInit(WB_SYNC *c);
void WbSyncFree(WB_SYNC *c);
PIRP WbArm(WB_SYNC *c);
NTSTATUS WbWait(WB_SYNC *c, NTSTATUS returned);

/* A nonpaged buffer and its MDL. */
typedef struct WB_BUF { PVOID Data; PMDL Mdl; WSK_BUF Wsk; } WB_BUF;
void WbBufInit(WB_BUF *b, SIZE_T length);
void WbBufFree(WB_BUF *b);

SOCKADDR_IN WbRemote(const struct bench_opts *o);
extern SOCKADDR_IN WbAny;
/* WskSocket (connection) [+ TCP_FASTOPEN] + WskBind(0.0.0.0:0), synchronous. */
PWSK_SOCKET WbSocket(WB_SYNC *c, BOOLEAN fastOpen);
/* WbSocket + WskConnect, synchronous; NULL on failure. */
PWSK_SOCKET WbConnected(WB_SYNC *c, const struct bench_opts *o);
NTSTATUS WbClose(WB_SYNC *c, PWSK_SOCKET s);

/* The figures; each returns its error count and writes "key=value ...". */
int WbConn(const struct bench_opts *o, char *res, size_t len);
int WbConnThreads(const struct bench_opts *o, char *res, size_t len);   /* figure 7 */
int WbRr(const struct bench_opts *o, char *res, size_t len);
int WbStream(const struct bench_opts *o, char *res, size_t len);
int WbScale(const struct bench_opts *o, char *res, size_t len);
int WbTfo(const struct bench_opts *o, char *res, size_t len);

#endif
