/* SPDX-License-Identifier: MIT */
/* The system process and attaching to it: PsInitialSystemProcess,
 * KeStackAttachProcess, KeUnstackDetachProcess. OpenWSK runs every driver
 * in one Linux process, which is the system process as much as the current
 * one (thread.c's PsGetCurrentProcess and IoGetCurrentProcess return the
 * same object). Attaching to it leaves the address space as it is; there is
 * no other process to attach to. */
#include "kernel.h"

#include <ntifs.h>

#define OW_ATTACH_MAGIC ((ULONG_PTR)0x6863747441776f00ULL)   /* "\0owAttch" */

/* In KAPC_STATE's opaque storage. */
#define OW_ATTACH_MAGIC_AT    0
#define OW_ATTACH_PROCESS_AT  1
#define OW_ATTACH_PREVIOUS_AT 2

PEPROCESS PsInitialSystemProcess = &ow_system_process;

/* This thread's latest attach, which KeUnstackDetachProcess must undo first. */
static _Thread_local PRKAPC_STATE ow_attach_top;

VOID KeStackAttachProcess(PRKPROCESS PROCESS, PRKAPC_STATE ApcState)
{
    ow_irql_at_most("KeStackAttachProcess", APC_LEVEL);
    if (PROCESS != &ow_system_process)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1D00, (ULONG_PTR)PROCESS, (ULONG_PTR)ApcState, 0,
                     "KeStackAttachProcess to process %p: OpenWSK has one process, the system process %p "
                     "(PsInitialSystemProcess, also the current process), and cannot attach to another",
                     (void *)PROCESS, (void *)&ow_system_process);
    ApcState->Opaque[OW_ATTACH_MAGIC_AT] = OW_ATTACH_MAGIC;
    ApcState->Opaque[OW_ATTACH_PROCESS_AT] = (ULONG_PTR)PROCESS;
    ApcState->Opaque[OW_ATTACH_PREVIOUS_AT] = (ULONG_PTR)ow_attach_top;
    ow_attach_top = ApcState;
}

VOID KeUnstackDetachProcess(PRKAPC_STATE ApcState)
{
    ow_irql_at_most("KeUnstackDetachProcess", APC_LEVEL);
    if (ApcState == NULL || ApcState != ow_attach_top || ApcState->Opaque[OW_ATTACH_MAGIC_AT] != OW_ATTACH_MAGIC)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1D01, (ULONG_PTR)ApcState, (ULONG_PTR)ow_attach_top, 0,
                     "KeUnstackDetachProcess with KAPC_STATE %p, which is not this thread's latest "
                     "KeStackAttachProcess (%s%p)", (void *)ApcState,
                     ow_attach_top == NULL ? "the thread is not attached, " : "that is ", (void *)ow_attach_top);
    ow_attach_top = (PRKAPC_STATE)ApcState->Opaque[OW_ATTACH_PREVIOUS_AT];
    ApcState->Opaque[OW_ATTACH_MAGIC_AT] = 0;
}
