/* SPDX-License-Identifier: MIT */
/* MDLs over user-mode memory: the virtual address is the system address, so
 * mapping is bookkeeping; the flags follow Windows so client checks hold. */
#include "kernel.h"
#include "verifier/verifier.h"

#include <stdlib.h>

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    return sizeof(MDL) + ADDRESS_AND_SIZE_TO_SPAN_PAGES(Base, Length) * sizeof(PFN_NUMBER);
}

/* MDL.Size is a CSHORT: an MDL over more than about 32 MiB (4,092 pages)
 * cannot record its size, and IoAllocateMdl stores OW_MDL_SIZE_SATURATED. */
#define OW_MDL_SIZE_SATURATED 0x7fff
#define OW_MDL_MAX_LENGTH     (0xFFFFFFFFu - PAGE_SIZE + 1u)   /* 4 GiB - PAGE_SIZE */

static void ow_fill_pfns(PMDL Mdl)
{
    PPFN_NUMBER pfn = MmGetMdlPfnArray(Mdl);
    SIZE_T pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(Mdl), Mdl->ByteCount);
    SIZE_T room = ((SIZE_T)Mdl->Size - sizeof(MDL)) / sizeof(PFN_NUMBER);
    /* A saturated Size on an MDL of ours: it was allocated for every page of
     * its range (a partial target, like Windows, must be big enough). */
    if (Mdl->Size == OW_MDL_SIZE_SATURATED && (Mdl->MdlFlags & MDL_ALLOCATED_FIXED_SIZE))
        room = pages;
    for (SIZE_T i = 0; i < pages && i < room; i++)
        pfn[i] = ((ULONG_PTR)Mdl->StartVa >> PAGE_SHIFT) + i; /* stand-in page numbers */
}

VOID MmInitializeMdl(PMDL Mdl, PVOID BaseVa, SIZE_T Length)
{
    Mdl->Next = NULL;
    SIZE_T size = MmSizeOfMdl(BaseVa, Length);
    Mdl->Size = (CSHORT)(size > OW_MDL_SIZE_SATURATED ? OW_MDL_SIZE_SATURATED : size);
    Mdl->MdlFlags = 0;
    Mdl->Process = NULL;
    Mdl->MappedSystemVa = NULL;
    Mdl->StartVa = PAGE_ALIGN(BaseVa);
    Mdl->ByteOffset = BYTE_OFFSET(BaseVa);
    Mdl->ByteCount = (ULONG)Length;
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                   BOOLEAN ChargeQuota, PIRP Irp)
{
    (void)ChargeQuota;
    /* IoAllocateMdl page (wdm.h), Remarks: from Windows 7 the largest buffer
     * is 4 gigabytes - PAGE_SIZE (Windows Server 2003 and earlier stopped at
     * what a CSHORT MDL.Size could describe, about 32 MiB on x64). */
    if (Length > OW_MDL_MAX_LENGTH)
        return NULL;
    SIZE_T size = MmSizeOfMdl(VirtualAddress, Length);
    PMDL mdl = calloc(1, size);
    if (mdl == NULL)
        return NULL;
    MmInitializeMdl(mdl, VirtualAddress, Length);
    mdl->MdlFlags = MDL_ALLOCATED_FIXED_SIZE;
    if (Irp != NULL) {
        if (!SecondaryBuffer) {
            Irp->MdlAddress = mdl;
        } else {
            PMDL *tail = &Irp->MdlAddress;
            while (*tail != NULL)
                tail = &(*tail)->Next;
            *tail = mdl;
        }
    }
    return mdl;
}

VOID IoFreeMdl(PMDL Mdl)
{
    if (ow_vf_enabled)
        ow_vf_mdl_freeing(Mdl, __builtin_return_address(0));
    free(Mdl);
}

VOID MmBuildMdlForNonPagedPool(PMDL Mdl)
{
    Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
    Mdl->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
    ow_fill_pfns(Mdl);
}

VOID MmProbeAndLockPages(PMDL Mdl, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation)
{
    (void)AccessMode;
    if (Mdl->MdlFlags & (MDL_PAGES_LOCKED | MDL_SOURCE_IS_NONPAGED_POOL | MDL_PARTIAL))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1100, (ULONG_PTR)Mdl, Mdl->MdlFlags, 0,
                     "MmProbeAndLockPages on MDL %p whose pages are already locked or nonpaged "
                     "(flags 0x%x)", (void *)Mdl, (unsigned)(USHORT)Mdl->MdlFlags);
    Mdl->MdlFlags |= MDL_PAGES_LOCKED;
    if (Operation != IoReadAccess)
        Mdl->MdlFlags |= MDL_WRITE_OPERATION;
    ow_fill_pfns(Mdl);
}

VOID MmUnlockPages(PMDL Mdl)
{
    if (!(Mdl->MdlFlags & MDL_PAGES_LOCKED))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1101, (ULONG_PTR)Mdl, Mdl->MdlFlags, 0,
                     "MmUnlockPages on MDL %p whose pages are not locked", (void *)Mdl);
    Mdl->MdlFlags &= (CSHORT)~(MDL_PAGES_LOCKED | MDL_WRITE_OPERATION | MDL_MAPPED_TO_SYSTEM_VA);
    Mdl->MappedSystemVa = NULL;
}

PVOID MmMapLockedPagesSpecifyCache(PMDL Mdl, KPROCESSOR_MODE AccessMode,
                                   MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress,
                                   ULONG BugCheckOnFailure, ULONG Priority)
{
    (void)AccessMode, (void)CacheType, (void)RequestedAddress, (void)BugCheckOnFailure,
        (void)Priority;
    PVOID va = MmGetMdlVirtualAddress(Mdl);
    Mdl->MappedSystemVa = va;
    Mdl->MdlFlags |= (Mdl->MdlFlags & MDL_PARTIAL) ? MDL_PARTIAL_HAS_BEEN_MAPPED
                                                   : MDL_MAPPED_TO_SYSTEM_VA;
    return va;
}

VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL Mdl)
{
    (void)BaseAddress;
    Mdl->MdlFlags &= (CSHORT)~(MDL_MAPPED_TO_SYSTEM_VA | MDL_PARTIAL_HAS_BEEN_MAPPED);
}

VOID IoBuildPartialMdl(PMDL SourceMdl, PMDL TargetMdl, PVOID VirtualAddress, ULONG Length)
{
    PCHAR src = MmGetMdlVirtualAddress(SourceMdl);
    ULONG_PTR offset = (ULONG_PTR)((PCHAR)VirtualAddress - src);
    if ((PCHAR)VirtualAddress < src || offset > SourceMdl->ByteCount)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1102, (ULONG_PTR)SourceMdl,
                     (ULONG_PTR)VirtualAddress, 0,
                     "IoBuildPartialMdl: address %p outside source MDL %p", VirtualAddress,
                     (void *)SourceMdl);
    if (Length == 0)
        Length = (ULONG)(SourceMdl->ByteCount - offset);
    if (offset + Length > SourceMdl->ByteCount)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1103, (ULONG_PTR)SourceMdl,
                     (ULONG_PTR)VirtualAddress, Length,
                     "IoBuildPartialMdl: %lu bytes at offset %lu exceed source MDL %p (%lu bytes)",
                     (unsigned long)Length, (unsigned long)offset, (void *)SourceMdl,
                     (unsigned long)SourceMdl->ByteCount);
    CSHORT size = TargetMdl->Size;   /* the target's capacity, set by its allocator */
    TargetMdl->Next = NULL;
    TargetMdl->StartVa = PAGE_ALIGN(VirtualAddress);
    TargetMdl->ByteOffset = BYTE_OFFSET(VirtualAddress);
    TargetMdl->ByteCount = Length;
    TargetMdl->Process = SourceMdl->Process;
    TargetMdl->MdlFlags = (CSHORT)(MDL_PARTIAL | (TargetMdl->MdlFlags & MDL_ALLOCATED_FIXED_SIZE) |
                                   (SourceMdl->MdlFlags & (MDL_SOURCE_IS_NONPAGED_POOL | MDL_IO_SPACE)));
    TargetMdl->MappedSystemVa = NULL;
    if (SourceMdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)) {
        TargetMdl->MappedSystemVa = (PCHAR)SourceMdl->MappedSystemVa + offset;
        if (SourceMdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA)
            TargetMdl->MdlFlags |= MDL_PARENT_MAPPED_SYSTEM_VA;
    }
    TargetMdl->Size = size;
    ow_fill_pfns(TargetMdl);
}
