/* SPDX-License-Identifier: MIT */
/* MDLs: layout, chaining on an IRP, nonpaged pool, lock/unlock, partial MDLs. */
#include "ktest.h"

int main(void)
{
    static UCHAR buf[3 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    PUCHAR va = buf + 100;
    PMDL m = IoAllocateMdl(va, 5000, FALSE, FALSE, NULL);
    CHECK(m != NULL, "IoAllocateMdl");
    CHECK(m->StartVa == buf && m->ByteOffset == 100 && MmGetMdlByteCount(m) == 5000,
          "StartVa/ByteOffset/ByteCount");
    CHECK(MmGetMdlVirtualAddress(m) == va && MmGetMdlByteOffset(m) == 100, "virtual address");
    CHECK(MmSizeOfMdl(va, 5000) == sizeof(MDL) + 2 * sizeof(PFN_NUMBER), "MmSizeOfMdl");
    CHECK((m->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) == 0, "fresh MDL mapped");
    MmBuildMdlForNonPagedPool(m);
    CHECK((m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) && m->MappedSystemVa == va, "nonpaged build");
    CHECK(MmGetSystemAddressForMdlSafe(m, NormalPagePriority | MdlMappingNoExecute) == va, "system address");

    PMDL part = IoAllocateMdl(va, 5000, FALSE, FALSE, NULL);
    IoBuildPartialMdl(m, part, va + 4000, 500);
    CHECK((part->MdlFlags & MDL_PARTIAL) && MmGetMdlByteCount(part) == 500 &&
          MmGetMdlVirtualAddress(part) == va + 4000 && part->ByteOffset == (100 + 4000) % PAGE_SIZE,
          "partial MDL");
    CHECK(MmGetSystemAddressForMdlSafe(part, NormalPagePriority) == va + 4000, "partial system address");
    IoFreeMdl(part);
    IoFreeMdl(m);

    /* Chains hang off the IRP: primary first, secondaries appended. */
    PIRP irp = IoAllocateIrp(1, FALSE);
    PMDL m1 = IoAllocateMdl(buf, 10, FALSE, FALSE, irp);
    PMDL m2 = IoAllocateMdl(buf + 10, 20, TRUE, FALSE, irp);
    PMDL m3 = IoAllocateMdl(buf + 30, 30, TRUE, FALSE, irp);
    CHECK(irp->MdlAddress == m1 && m1->Next == m2 && m2->Next == m3 && m3->Next == NULL, "MDL chain");
    ULONG total = 0;
    for (PMDL p = irp->MdlAddress; p != NULL; p = p->Next)
        total += MmGetMdlByteCount(p);
    CHECK(total == 60, "chain bytes %lu", (unsigned long)total);

    MmProbeAndLockPages(m1, KernelMode, IoWriteAccess);
    CHECK((m1->MdlFlags & (MDL_PAGES_LOCKED | MDL_WRITE_OPERATION)) == (MDL_PAGES_LOCKED | MDL_WRITE_OPERATION),
          "locked flags");
    CHECK(MmGetSystemAddressForMdlSafe(m1, NormalPagePriority) == buf &&
          (m1->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA), "mapping a locked MDL");
    MmUnlockPages(m1);
    CHECK((m1->MdlFlags & (MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA)) == 0, "unlock flags");

    /* IoAllocateMdl page (wdm.h), Remarks: from Windows 7 the largest buffer
     * an MDL describes is 4 gigabytes - PAGE_SIZE. No byte is touched here:
     * only the PFN array (stand-in numbers) is written. */
    PMDL big = IoAllocateMdl(buf, 64u << 20, FALSE, FALSE, NULL);
    CHECK(big != NULL && MmGetMdlByteCount(big) == 64u << 20, "64 MiB MDL");
    IoFreeMdl(big);
    big = IoAllocateMdl(buf, 0xFFFFFFFFu - PAGE_SIZE + 1u, FALSE, FALSE, NULL);
    CHECK(big != NULL && MmGetMdlByteCount(big) == 0xFFFFF000u, "4 GiB - PAGE_SIZE MDL");
    if (big != NULL) {
        MmBuildMdlForNonPagedPool(big);
        PPFN_NUMBER pfn = MmGetMdlPfnArray(big);
        SIZE_T pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf, 0xFFFFF000u);
        CHECK(pages == 0xFFFFF && pfn[pages - 1] == pfn[0] + pages - 1, "every page of a 4 GiB MDL");
        IoFreeMdl(big);
    }
    CHECK(IoAllocateMdl(buf, 0xFFFFF001u, FALSE, FALSE, NULL) == NULL, "over 4 GiB - PAGE_SIZE refused");

    while (irp->MdlAddress != NULL) {
        PMDL next = irp->MdlAddress->Next;
        IoFreeMdl(irp->MdlAddress);
        irp->MdlAddress = next;
    }
    IoFreeIrp(irp);
    return ow_test_result("test_mdl");
}
