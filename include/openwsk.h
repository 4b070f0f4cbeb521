/* openwsk.h: OpenWSK's own extras, not part of the WDK. Names start with Ow. */
#ifndef OPENWSK_OPENWSK_H
#define OPENWSK_OPENWSK_H

#include <wdm.h>

EXTERN_C_START

/* ---- NTSTATUS names ---------------------------------------------------- */
/* "STATUS_CONNECTION_REFUSED"; for a value without a name, "NTSTATUS
 * 0xC0001234" in a thread-local buffer (valid until the thread's next call). */
const char *OwStatusName(NTSTATUS Status);
/* The value of a STATUS_* name known to OwStatusName; FALSE if unknown. */
BOOLEAN OwStatusFromName(const char *Name, NTSTATUS *Status);

/* ---- pool accounting ---------------------------------------------------- */
ULONG OwPoolOutstandingCount(void);          /* live allocations, all tags */
SIZE_T OwPoolOutstandingBytes(void);         /* their bytes as requested */
ULONG OwPoolTagOutstandingCount(ULONG Tag);  /* live allocations of one tag */
/* Prints "pool tag 'Tag1': 3 allocations, 96 bytes outstanding" per tag with
 * live allocations (the tag as written in the source) to stderr; returns the
 * number of live allocations. */
ULONG OwPoolReportLeaks(void);

/* ---- WSK sockets and engine (src/wsk/extras.c) -------------------------- */
struct _WSK_SOCKET;
/* TRUE when the socket's connect carried its data in the SYN (TCP Fast Open). */
BOOLEAN OwSocketSynCarriedData(struct _WSK_SOCKET *Socket);
/* "uring" or "epoll": the engine backend in use ("none" before start). */
const char *OwEngineBackend(void);

EXTERN_C_END

#endif /* OPENWSK_OPENWSK_H */
