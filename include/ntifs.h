/* SPDX-License-Identifier: MIT */
/* ntifs.h: ntddk.h plus what OpenWSK has of the file-system kit's header.
 * WSK clients include it for kernel names it shares with wdm.h and ntddk.h,
 * which come with it. */
#ifndef OPENWSK_NTIFS_H
#define OPENWSK_NTIFS_H

#include <ntddk.h>

EXTERN_C_START

/* Pointer arithmetic in bytes, as file systems and WSK clients write it:
 * P plus I bytes, and the distance in bytes from B to O. */
#define Add2Ptr(P, I) ((PVOID)((PUCHAR)(P) + (I)))
#define PtrOffset(B, O) ((ULONG)((ULONG_PTR)(O) - (ULONG_PTR)(B)))

/* Gives up the rest of the thread's time slice (sched_yield) and returns
 * STATUS_SUCCESS (src/kernel/thread.c). Microsoft documents no page for it;
 * drivers that call it declare it themselves, with this signature. */
NTSYSAPI NTSTATUS NTAPI ZwYieldExecution(VOID);

/* ---- attaching to a process (src/kernel/process.c) ----------------------- */
/* KAPC_STATE is opaque (KeStackAttachProcess's page): the caller gives its
 * storage, on its stack or in nonpaged pool, and OpenWSK keeps the attach in
 * it. There is one process, the system process (PsInitialSystemProcess,
 * also the current process): attaching to it changes nothing, attaching to
 * anything else bug-checks. Each attach is undone by KeUnstackDetachProcess
 * with its KAPC_STATE, the latest first. At IRQL < DISPATCH_LEVEL. */
typedef struct _KPROCESS *PRKPROCESS;
typedef struct _KAPC_STATE {
    ULONG_PTR Opaque[6];
} KAPC_STATE, *PKAPC_STATE, *PRKAPC_STATE;
NTKERNELAPI VOID KeStackAttachProcess(PRKPROCESS PROCESS, PRKAPC_STATE ApcState);
NTKERNELAPI VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState);

EXTERN_C_END

#endif /* OPENWSK_NTIFS_H */
