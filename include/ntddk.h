/* SPDX-License-Identifier: MIT */
/* ntddk.h: wdm.h plus the few non-WDM declarations WSK clients use. */
#ifndef OPENWSK_NTDDK_H
#define OPENWSK_NTDDK_H

#include <wdm.h>

EXTERN_C_START

/* Processor count and number: the host's, as seen by this process. */
NTKERNELAPI ULONG KeQueryActiveProcessorCount(PULONG_PTR ActiveProcessors);
NTKERNELAPI ULONG KeGetCurrentProcessorNumber(void);

/* ---- one-time initialisation (src/kernel/runonce.c) ---------------------- */
/* RTL_RUN_ONCE: one pointer, zero before the first call (RTL_RUN_ONCE_INIT or
 * RtlRunOnceInitialize). The initialised data keeps its low
 * RTL_RUN_ONCE_CTX_RESERVED_BITS bits zero. The flag values are those the
 * Win32 pages give their INIT_ONCE_* twins (InitOnceBeginInitialize,
 * InitOnceComplete). All at IRQL <= APC_LEVEL. */
typedef union _RTL_RUN_ONCE {
    PVOID Ptr;
} RTL_RUN_ONCE, *PRTL_RUN_ONCE;
#define RTL_RUN_ONCE_INIT {0}
#define RTL_RUN_ONCE_CHECK_ONLY        ((ULONG)0x00000001)
#define RTL_RUN_ONCE_ASYNC             ((ULONG)0x00000002)
#define RTL_RUN_ONCE_INIT_FAILED       ((ULONG)0x00000004)
#define RTL_RUN_ONCE_CTX_RESERVED_BITS 2
/* RunOnceInitialization: non-zero for success, zero for failure. */
typedef ULONG NTAPI RTL_RUN_ONCE_INIT_FN(PRTL_RUN_ONCE RunOnce, PVOID Parameter, PVOID *Context);
typedef RTL_RUN_ONCE_INIT_FN *PRTL_RUN_ONCE_INIT_FN;
NTSYSAPI VOID RtlRunOnceInitialize(PRTL_RUN_ONCE RunOnce);
/* Calls InitFn once per structure (others wait); STATUS_SUCCESS with the
 * data, or the failure (STATUS_UNSUCCESSFUL when InitFn returned zero),
 * after which a later call tries again. */
NTSYSAPI NTSTATUS RtlRunOnceExecuteOnce(PRTL_RUN_ONCE RunOnce, PRTL_RUN_ONCE_INIT_FN InitFn, PVOID Parameter,
                                        PVOID *Context);
/* STATUS_SUCCESS (done, *Context the data), STATUS_PENDING (the caller
 * initialises, then calls RtlRunOnceComplete); with RTL_RUN_ONCE_CHECK_ONLY
 * STATUS_UNSUCCESSFUL when not done; STATUS_INVALID_PARAMETER for a mode
 * (ASYNC or not) other than the one under way. */
NTSYSAPI NTSTATUS RtlRunOnceBeginInitialize(PRTL_RUN_ONCE RunOnce, ULONG Flags, PVOID *Context);
/* STATUS_UNSUCCESSFUL when nothing is under way in that mode (with ASYNC:
 * another attempt completed first). */
NTSYSAPI NTSTATUS RtlRunOnceComplete(PRTL_RUN_ONCE RunOnce, ULONG Flags, PVOID Context);

EXTERN_C_END

#endif /* OPENWSK_NTDDK_H */
