/* SPDX-License-Identifier: MIT */
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

/* ---- verifier (docs/verifier.md) ----------------------------------------- */
/* TRUE when the verifier's checks are on (OPENWSK_VERIFIER=1 at start-up). */
BOOLEAN OwVerifierEnabled(void);
/* Turns the checks off (FALSE) or on; returns the previous setting. For a
 * test that exercises the documented-status path of a call the verifier
 * would stop on. Sockets keep the dispatch table they were created with. */
BOOLEAN OwVerifierSetEnabled(BOOLEAN Enabled);
/* OPENWSK_VERIFIER=strict from code: TRUE makes the rules that only report
 * by default stop too (a WskDeregister still waiting, stream-socket flow).
 * Returns the previous setting. */
BOOLEAN OwVerifierSetStrict(BOOLEAN Strict);
/* Call at the end of DriverUnload: with the verifier on, pool still
 * allocated is a bug check 0xC4 (P1 0x62) naming each tag and its bytes;
 * with it off, the leaks are printed. Returns the live allocations. */
ULONG OwVerifierCheckUnload(void);

/* ---- WSK sockets and engine (src/wsk/extras.c) -------------------------- */
struct _WSK_SOCKET;
/* TRUE when the socket's connect carried its data in the SYN (TCP Fast Open). */
BOOLEAN OwSocketSynCarriedData(struct _WSK_SOCKET *Socket);
/* "uring" or "epoll": the engine backend in use ("none" before start). */
const char *OwEngineBackend(void);

/* ---- hosting a driver (openwsk-load; src/kernel/) ------------------------ */
/* Live IRPs from IoAllocateIrp not yet freed. */
ULONG OwIrpOutstandingCount(void);
/* WSK sockets created and not yet closed (lives in src/wsk; see openwsk-load). */
ULONG OwSocketsOutstanding(void);
/* Sets a value in the in-memory registry (the key and its parents are
 * created): KeyPath like L"\\Registry\\Machine\\System\\...\\Parameters". */
NTSTATUS OwRegistrySetValue(PCWSTR KeyPath, PCWSTR ValueName, ULONG Type, const VOID *Data,
                            ULONG DataLength);
/* Forgets every key and value (keys still open stay valid until closed). */
VOID OwRegistryClear(void);
/* Waits until no work item is queued or running and no DPC is queued or
 * running; returns the number of timers still set. */
ULONG OwKernelQuiesce(void);
/* Live device objects and symbolic links (created and not deleted). */
ULONG OwDeviceOutstandingCount(void);
ULONG OwSymbolicLinkOutstandingCount(void);
/* WPP stand-in (include/wpp/openwsk_wpp.h): formats a WPP message, with
 * %!STATUS!, %!FUNC!, %!LINE!, %!FILE!, %!HRESULT!, %!IPADDR!, %!PORT!,
 * %!bool! translated, and prints it with DbgPrintEx (TRACE_LEVEL_* mapped to
 * DPFLTR levels). */
VOID OwWppTrace(ULONG Level, PCSTR Flag, PCSTR File, ULONG Line, PCSTR Function, PCSTR Format, ...);

EXTERN_C_END

#endif /* OPENWSK_OPENWSK_H */
