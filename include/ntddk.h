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

/* ---- AVL generic tables (src/kernel/rtl_avl.c) --------------------------- */
/* A caller-allocated RTL_AVL_TABLE whose elements the caller's
 * AllocateRoutine provides: each allocation is sizeof(RTL_BALANCED_LINKS) +
 * BufferSize bytes, the links first, the element (a copy of the inserted
 * buffer) right after them. Lookups and enumerations return the element;
 * FreeRoutine gets the allocation back. Members, values and prototypes: the
 * ntddk.h pages of RTL_AVL_TABLE and the Rtl...GenericTableAvl routines;
 * RTL_BALANCED_LINKS has no page of its own, its members are those of
 * Microsoft's Windows metadata (Windows.Wdk.System.SystemServices).
 * The caller serialises all calls on one table. */
typedef enum _RTL_GENERIC_COMPARE_RESULTS {
    GenericLessThan,
    GenericGreaterThan,
    GenericEqual
} RTL_GENERIC_COMPARE_RESULTS;

typedef enum _TABLE_SEARCH_RESULT {
    TableEmptyTree,
    TableFoundNode,
    TableInsertAsLeft,
    TableInsertAsRight
} TABLE_SEARCH_RESULT;

typedef struct _RTL_BALANCED_LINKS {
    struct _RTL_BALANCED_LINKS *Parent;
    struct _RTL_BALANCED_LINKS *LeftChild;
    struct _RTL_BALANCED_LINKS *RightChild;
    CHAR Balance;
    UCHAR Reserved[3];
} RTL_BALANCED_LINKS, *PRTL_BALANCED_LINKS;

struct _RTL_AVL_TABLE;
/* CompareRoutine(Table, FirstStruct, SecondStruct): OpenWSK passes the
 * caller's search buffer first and a table element second. */
typedef RTL_GENERIC_COMPARE_RESULTS (NTAPI *PRTL_AVL_COMPARE_ROUTINE)(struct _RTL_AVL_TABLE *Table,
                                                                     PVOID FirstStruct, PVOID SecondStruct);
typedef PVOID (NTAPI *PRTL_AVL_ALLOCATE_ROUTINE)(struct _RTL_AVL_TABLE *Table, CLONG ByteSize);
typedef VOID (NTAPI *PRTL_AVL_FREE_ROUTINE)(struct _RTL_AVL_TABLE *Table, PVOID Buffer);

/* Opaque to drivers ("reserved for system use"). In OpenWSK BalancedRoot is
 * a sentinel: its RightChild is the root of the tree and the root's Parent
 * points back at it; Balance is the right subtree's height minus the left's;
 * DepthOfTree is the tree's height; OrderedPointer and WhichOrderedElement
 * remember the last element RtlGetElementGenericTableAvl found (its index +
 * 1; 0: none); RestartKey is RtlEnumerateGenericTableAvl's position. */
typedef struct _RTL_AVL_TABLE {
    RTL_BALANCED_LINKS BalancedRoot;
    PVOID OrderedPointer;
    ULONG WhichOrderedElement;
    ULONG NumberGenericTableElements;
    ULONG DepthOfTree;
    PRTL_BALANCED_LINKS RestartKey;
    ULONG DeleteCount;
    PRTL_AVL_COMPARE_ROUTINE CompareRoutine;
    PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine;
    PRTL_AVL_FREE_ROUTINE FreeRoutine;
    PVOID TableContext;
} RTL_AVL_TABLE, *PRTL_AVL_TABLE;

NTSYSAPI VOID RtlInitializeGenericTableAvl(PRTL_AVL_TABLE Table, PRTL_AVL_COMPARE_ROUTINE CompareRoutine,
                                           PRTL_AVL_ALLOCATE_ROUTINE AllocateRoutine,
                                           PRTL_AVL_FREE_ROUTINE FreeRoutine, PVOID TableContext);
/* The new element, or the equal one already there (*NewElement FALSE, no
 * allocation); NULL when AllocateRoutine returns NULL. */
NTSYSAPI PVOID RtlInsertElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                               PBOOLEAN NewElement);
/* As above, at the place a RtlLookupElementGenericTableFullAvl just found
 * (NodeOrParent and SearchResult as it returned them). */
NTSYSAPI PVOID RtlInsertElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, CLONG BufferSize,
                                                   PBOOLEAN NewElement, PVOID NodeOrParent,
                                                   TABLE_SEARCH_RESULT SearchResult);
NTSYSAPI PVOID RtlLookupElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer);
/* *NodeOrParent: the matching node (TableFoundNode) or the parent the
 * buffer would hang under (TableInsertAsLeft/Right); untouched for
 * TableEmptyTree. */
NTSYSAPI PVOID RtlLookupElementGenericTableFullAvl(PRTL_AVL_TABLE Table, PVOID Buffer, PVOID *NodeOrParent,
                                                   TABLE_SEARCH_RESULT *SearchResult);
/* The leftmost element that compares GenericEqual to Buffer; *RestartKey
 * then continues with RtlEnumerateGenericTableWithoutSplayingAvl. */
NTSYSAPI PVOID RtlLookupFirstMatchingElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer,
                                                            PVOID *RestartKey);
/* TRUE when an element compared GenericEqual and was removed (FreeRoutine
 * called on it). */
NTSYSAPI BOOLEAN RtlDeleteElementGenericTableAvl(PRTL_AVL_TABLE Table, PVOID Buffer);
/* The I-th element (from 0) in collation order; NULL past the end. */
NTSYSAPI PVOID RtlGetElementGenericTableAvl(PRTL_AVL_TABLE Table, ULONG I);
NTSYSAPI ULONG RtlNumberGenericTableElementsAvl(PRTL_AVL_TABLE Table);
NTSYSAPI BOOLEAN RtlIsGenericTableEmptyAvl(PRTL_AVL_TABLE Table);
/* In collation order: Restart TRUE for the first element, then FALSE. */
NTSYSAPI PVOID RtlEnumerateGenericTableAvl(PRTL_AVL_TABLE Table, BOOLEAN Restart);
/* In collation order: *RestartKey NULL for the first element; each call
 * leaves the returned element's place in *RestartKey. */
NTSYSAPI PVOID RtlEnumerateGenericTableWithoutSplayingAvl(PRTL_AVL_TABLE Table, PVOID *RestartKey);

EXTERN_C_END

#endif /* OPENWSK_NTDDK_H */
