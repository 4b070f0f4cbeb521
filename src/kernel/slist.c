/* SPDX-License-Identifier: MIT */
/* Interlocked singly linked lists. The header keeps the first entry in
 * Alignment and the depth (low 16 bits) plus a sequence number in Region;
 * updates take one of a few striped locks chosen by the header's address
 * (no 16-byte compare-and-swap needed, so no libatomic). */
#include "kernel.h"

#include <pthread.h>

#define OW_SLIST_STRIPES 16

static pthread_mutex_t ow_slist_locks[OW_SLIST_STRIPES] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER,
};

static pthread_mutex_t *ow_slist_lock(const SLIST_HEADER *h)
{
    return &ow_slist_locks[((ULONG_PTR)h >> 4) % OW_SLIST_STRIPES];
}

VOID InitializeSListHead(PSLIST_HEADER SListHead)
{
    if (((ULONG_PTR)SListHead & 15) != 0)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1800, (ULONG_PTR)SListHead, 0, 0,
                     "InitializeSListHead of %p, which is not 16-byte aligned", (void *)SListHead);
    __atomic_store_n(&SListHead->Alignment, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&SListHead->Region, 0, __ATOMIC_RELEASE);
}

PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry)
{
    pthread_mutex_t *l = ow_slist_lock(ListHead);
    pthread_mutex_lock(l);
    PSLIST_ENTRY first = (PSLIST_ENTRY)(ULONG_PTR)ListHead->Alignment;
    ListEntry->Next = first;
    ULONGLONG r = ListHead->Region;
    ULONGLONG depth = (r + 1) & 0xffff, seq = ((r >> 16) + 1) << 16;
    __atomic_store_n(&ListHead->Alignment, (ULONGLONG)(ULONG_PTR)ListEntry, __ATOMIC_RELEASE);
    __atomic_store_n(&ListHead->Region, seq | depth, __ATOMIC_RELEASE);
    pthread_mutex_unlock(l);
    return first;
}

PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead)
{
    pthread_mutex_t *l = ow_slist_lock(ListHead);
    pthread_mutex_lock(l);
    PSLIST_ENTRY first = (PSLIST_ENTRY)(ULONG_PTR)ListHead->Alignment;
    if (first != NULL) {
        ULONGLONG r = ListHead->Region;
        ULONGLONG depth = (r - 1) & 0xffff, seq = ((r >> 16) + 1) << 16;
        __atomic_store_n(&ListHead->Alignment, (ULONGLONG)(ULONG_PTR)first->Next, __ATOMIC_RELEASE);
        __atomic_store_n(&ListHead->Region, seq | depth, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(l);
    return first;
}

PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead)
{
    pthread_mutex_t *l = ow_slist_lock(ListHead);
    pthread_mutex_lock(l);
    PSLIST_ENTRY first = (PSLIST_ENTRY)(ULONG_PTR)ListHead->Alignment;
    ULONGLONG seq = ((ListHead->Region >> 16) + 1) << 16;
    __atomic_store_n(&ListHead->Alignment, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&ListHead->Region, seq, __ATOMIC_RELEASE);
    pthread_mutex_unlock(l);
    return first;
}

USHORT ExQueryDepthSList(PSLIST_HEADER SListHead)
{
    return (USHORT)(__atomic_load_n(&SListHead->Region, __ATOMIC_ACQUIRE) & 0xffff);
}

PSLIST_ENTRY RtlFirstEntrySList(const SLIST_HEADER *ListHead)
{
    return (PSLIST_ENTRY)(ULONG_PTR)__atomic_load_n(&ListHead->Alignment, __ATOMIC_ACQUIRE);
}
