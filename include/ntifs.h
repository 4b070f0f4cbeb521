/* SPDX-License-Identifier: MIT */
/* ntifs.h: ntddk.h plus what OpenWSK has of the file-system kit's header.
 * WSK clients include it for kernel names it shares with wdm.h and ntddk.h,
 * which come with it. */
#ifndef OPENWSK_NTIFS_H
#define OPENWSK_NTIFS_H

#include <ntddk.h>

EXTERN_C_START

/* Gives up the rest of the thread's time slice (sched_yield) and returns
 * STATUS_SUCCESS (src/kernel/thread.c). Microsoft documents no page for it;
 * drivers that call it declare it themselves, with this signature. */
NTSYSAPI NTSTATUS NTAPI ZwYieldExecution(VOID);

EXTERN_C_END

#endif /* OPENWSK_NTIFS_H */
