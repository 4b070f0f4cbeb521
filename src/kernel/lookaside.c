/* SPDX-License-Identifier: MIT */
/* Lookaside lists. Entries are never cached: each allocation is a pool
 * block of the list's tag (or comes from the list's own Allocate routine),
 * so leaks are reported by tag and ASan sees every use after free. The
 * counters drivers may read (TotalAllocates, TotalFrees…) are kept. */
#include "kernel.h"

#include <openwsk.h>

#define OW_LOOKASIDE_LIVE 0x4c6f4c61U   /* in Future[0]: "aLoL" */

static void ow_init(PGENERAL_LOOKASIDE L, POOL_TYPE Type, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    __builtin_memset(L, 0, sizeof(*L));
    L->Type = Type;
    L->Tag = Tag;
    L->Size = (ULONG)(Size < sizeof(SLIST_ENTRY) ? sizeof(SLIST_ENTRY) : Size);
    L->Depth = L->MaximumDepth = Depth ? Depth : 256;
    InitializeListHead(&L->ListEntry);
    L->Future[0] = OW_LOOKASIDE_LIVE;
}

static PGENERAL_LOOKASIDE ow_live(PGENERAL_LOOKASIDE L, const char *who)
{
    if (L == NULL || L->Future[0] != OW_LOOKASIDE_LIVE)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1900, (ULONG_PTR)L, 0, 0,
                     "%s on %p, which is not an initialised (or is a deleted) lookaside list",
                     who, (void *)L);
    return L;
}

static void ow_delete(PGENERAL_LOOKASIDE L, const char *who)
{
    ow_live(L, who);
    L->Future[0] = 0;
}

/* ---- NPAGED_LOOKASIDE_LIST / PAGED_LOOKASIDE_LIST --------------------------- */
static PVOID ow_allocate(PGENERAL_LOOKASIDE L, const char *who)
{
    ow_live(L, who);
    __atomic_add_fetch(&L->TotalAllocates, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&L->AllocateMisses, 1, __ATOMIC_RELAXED);
    return L->Allocate != NULL ? L->Allocate(L->Type, L->Size, L->Tag)
                               : ExAllocatePoolWithTag(L->Type, L->Size, L->Tag);
}

static void ow_free(PGENERAL_LOOKASIDE L, PVOID Entry, const char *who)
{
    ow_live(L, who);
    __atomic_add_fetch(&L->TotalFrees, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&L->FreeMisses, 1, __ATOMIC_RELAXED);
    if (L->Free != NULL)
        L->Free(Entry);
    else
        ExFreePoolWithTag(Entry, L->Tag);
}

VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                     PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                     USHORT Depth)
{
    (void)Flags;
    ow_init(&Lookaside->L, NonPagedPoolNx, Size, Tag, Depth);
    Lookaside->L.Allocate = Allocate;
    Lookaside->L.Free = Free;
    Lookaside->Lock__ObsoleteButDoNotDelete = 0;
}

VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    ow_delete(&Lookaside->L, "ExDeleteNPagedLookasideList");
}

PVOID ExAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    return ow_allocate(&Lookaside->L, "ExAllocateFromNPagedLookasideList");
}

VOID ExFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ow_free(&Lookaside->L, Entry, "ExFreeToNPagedLookasideList");
}

VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate,
                                    PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag,
                                    USHORT Depth)
{
    (void)Flags;
    ow_init(&Lookaside->L, PagedPool, Size, Tag, Depth);
    Lookaside->L.Allocate = Allocate;
    Lookaside->L.Free = Free;
    ExInitializeFastMutex(&Lookaside->Lock__ObsoleteButDoNotDelete);
}

VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    ow_delete(&Lookaside->L, "ExDeletePagedLookasideList");
}

PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside)
{
    return ow_allocate(&Lookaside->L, "ExAllocateFromPagedLookasideList");
}

VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    ow_free(&Lookaside->L, Entry, "ExFreeToPagedLookasideList");
}

/* ---- LOOKASIDE_LIST_EX ------------------------------------------------------ */
NTSTATUS ExInitializeLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PALLOCATE_FUNCTION_EX Allocate,
                                     PFREE_FUNCTION_EX Free, POOL_TYPE PoolType, ULONG Flags,
                                     SIZE_T Size, ULONG Tag, USHORT Depth)
{
    if (Lookaside == NULL || Size == 0 || Size > 0xffffffffULL ||
        (Flags & ~(EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)) ||
        (Flags == (EX_LOOKASIDE_LIST_EX_FLAGS_RAISE_ON_FAIL | EX_LOOKASIDE_LIST_EX_FLAGS_FAIL_NO_RAISE)))
        return STATUS_INVALID_PARAMETER;
    ow_init(&Lookaside->L, PoolType, Size, Tag, Depth);
    Lookaside->L.AllocateEx = Allocate;
    Lookaside->L.FreeEx = Free;
    return STATUS_SUCCESS;
}

VOID ExDeleteLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    ow_delete(&Lookaside->L, "ExDeleteLookasideListEx");
}

VOID ExFlushLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    ow_live(&Lookaside->L, "ExFlushLookasideListEx");   /* nothing cached */
}

PVOID ExAllocateFromLookasideListEx(PLOOKASIDE_LIST_EX Lookaside)
{
    PGENERAL_LOOKASIDE L = ow_live(&Lookaside->L, "ExAllocateFromLookasideListEx");
    __atomic_add_fetch(&L->TotalAllocates, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&L->AllocateMisses, 1, __ATOMIC_RELAXED);
    return L->AllocateEx != NULL ? L->AllocateEx(L->Type, L->Size, L->Tag, Lookaside)
                                 : ExAllocatePoolWithTag(L->Type, L->Size, L->Tag);
}

VOID ExFreeToLookasideListEx(PLOOKASIDE_LIST_EX Lookaside, PVOID Entry)
{
    PGENERAL_LOOKASIDE L = ow_live(&Lookaside->L, "ExFreeToLookasideListEx");
    __atomic_add_fetch(&L->TotalFrees, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&L->FreeMisses, 1, __ATOMIC_RELAXED);
    if (L->FreeEx != NULL)
        L->FreeEx(Entry, Lookaside);
    else
        ExFreePoolWithTag(Entry, L->Tag);
}
