/* SPDX-License-Identifier: MIT */
/* Error log entries (src/kernel/errlog.c) against their Microsoft pages:
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_io_error_log_packet
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-ioallocateerrorlogentry
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iowriteerrorlogentry
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-iofreeerrorlogentry
 * IoAllocateErrorLogEntry: EntrySize at most ERROR_LOG_MAXIMUM_SIZE, a
 * device or driver object, the entry zeroed; IoWriteErrorLogEntry consumes
 * the entry (here: one line on stderr); IoFreeErrorLogEntry frees one that
 * is not written. */
#include "ktest.h"

#include <stddef.h>

static DRIVER_OBJECT drv;
static PDEVICE_OBJECT dev;
static PIO_ERROR_LOG_PACKET entry;

static void layout(void)
{
    /* The page's members in its order, naturally aligned. */
    CHECK_EQ(offsetof(IO_ERROR_LOG_PACKET, DumpDataSize), 2);
    CHECK_EQ(offsetof(IO_ERROR_LOG_PACKET, ErrorCode), 12);
    CHECK_EQ(offsetof(IO_ERROR_LOG_PACKET, FinalStatus), 20);
    CHECK_EQ(offsetof(IO_ERROR_LOG_PACKET, IoControlCode), 28);
    CHECK_EQ(offsetof(IO_ERROR_LOG_PACKET, DeviceOffset), 32);
    CHECK_EQ(offsetof(IO_ERROR_LOG_PACKET, DumpData), 40);
    CHECK_EQ(sizeof(IO_ERROR_LOG_PACKET), 48);
    CHECK_EQ(ERROR_LOG_LIMIT_SIZE, 240);
    CHECK(ERROR_LOG_MAXIMUM_SIZE <= 255, "EntrySize is a UCHAR: the limit must fit");
}

static void write_entry(void)
{
    IoWriteErrorLogEntry(entry);
}

static void free_entry(void)
{
    IoFreeErrorLogEntry(entry);
}

/* Packet, two dump ULONGs, two insertion strings after them. */
static PIO_ERROR_LOG_PACKET filled(PVOID IoObject)
{
    static const WCHAR s1[] = L"hello", s2[] = L"w\x00e9sk";
    UCHAR size = (UCHAR)(sizeof(IO_ERROR_LOG_PACKET) + sizeof(ULONG) + sizeof(s1) + sizeof(s2));
    PIO_ERROR_LOG_PACKET e = IoAllocateErrorLogEntry(IoObject, size);
    CHECK(e != NULL, "IoAllocateErrorLogEntry(%u)", size);
    if (e == NULL)
        return NULL;
    e->MajorFunctionCode = IRP_MJ_DEVICE_CONTROL;
    e->RetryCount = 2;
    e->ErrorCode = (NTSTATUS)0xC0040001;
    e->UniqueErrorValue = 42;
    e->FinalStatus = STATUS_INSUFFICIENT_RESOURCES;
    e->SequenceNumber = 7;
    e->DumpDataSize = 2 * sizeof(ULONG);
    e->DumpData[0] = 0x11111111;
    ((ULONG *)((UCHAR *)e + offsetof(IO_ERROR_LOG_PACKET, DumpData)))[1] = 0x22222222;
    e->NumberOfStrings = 2;
    e->StringOffset = (USHORT)(sizeof(IO_ERROR_LOG_PACKET) + sizeof(ULONG));
    memcpy((UCHAR *)e + e->StringOffset, s1, sizeof(s1));
    memcpy((UCHAR *)e + e->StringOffset + sizeof(s1), s2, sizeof(s2));
    return e;
}

static void entries(void)
{
    ULONG pool = OwPoolOutstandingCount();

    /* The size limit, and zeroed memory up to it. */
    entry = IoAllocateErrorLogEntry(&drv, ERROR_LOG_MAXIMUM_SIZE);
    CHECK(entry != NULL, "IoAllocateErrorLogEntry(ERROR_LOG_MAXIMUM_SIZE)");
    if (entry != NULL) {
        UCHAR any = 0;
        for (ULONG i = 0; i < ERROR_LOG_MAXIMUM_SIZE; i++)
            any |= ((UCHAR *)entry)[i];
        CHECK(any == 0, "the entry is not zeroed");
        CHECK(((ULONG_PTR)entry & 7) == 0, "the entry is not 8-byte aligned");
        CHECK_EQ(OwPoolOutstandingCount(), pool + 1);
        char out[256];
        ow_test_capture_stderr(free_entry, out, sizeof(out));
        CHECK(out[0] == '\0', "IoFreeErrorLogEntry printed: %s", out);
        CHECK_EQ(OwPoolOutstandingCount(), pool);
    }
    CHECK(IoAllocateErrorLogEntry(&drv, ERROR_LOG_MAXIMUM_SIZE + 1) == NULL, "an entry above the limit");
    CHECK(IoAllocateErrorLogEntry(dev, 255) == NULL, "an entry of 255 bytes");
    CHECK_EQ(OwPoolOutstandingCount(), pool);

    /* Written for a device: one line, then the entry is gone. */
    entry = filled(dev);
    char out[4096];
    ow_test_capture_stderr(write_entry, out, sizeof(out));
    CHECK_EQ(OwPoolOutstandingCount(), pool);
    static const char *const want[] = {
        "OpenWSK error log: device ", " of driver \\Driver\\ElogTest: ",
        "ErrorCode 0xC0040001", "UniqueErrorValue 0x2A",
        "FinalStatus 0xC000009A (STATUS_INSUFFICIENT_RESOURCES)",
        "MajorFunctionCode 0x0E", "RetryCount 2", "SequenceNumber 7",
        "DumpData 2 ULONGs: 0x11111111 0x22222222",
        "2 insertion strings: \"hello\", \"w\xc3\xa9sk\"",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        CHECK(strstr(out, want[i]) != NULL, "the line lacks [%s]: %s", want[i], out);
    char *nl = strchr(out, '\n');
    CHECK(nl != NULL && nl[1] == '\0', "not one line: %s", out);

    /* Written for a driver; a DumpDataSize past the entry is said, not read. */
    entry = IoAllocateErrorLogEntry(&drv, sizeof(IO_ERROR_LOG_PACKET));
    CHECK(entry != NULL, "IoAllocateErrorLogEntry(sizeof(IO_ERROR_LOG_PACKET))");
    if (entry != NULL) {
        entry->ErrorCode = STATUS_UNSUCCESSFUL;
        entry->DumpDataSize = 64;
        ow_test_capture_stderr(write_entry, out, sizeof(out));
        CHECK(strstr(out, "OpenWSK error log: driver \\Driver\\ElogTest: ErrorCode 0xC0000001 (STATUS_UNSUCCESSFUL)") != NULL &&
              strstr(out, "DumpData 16 ULONGs (DumpDataSize 64 is past the end of the 48-byte entry): 0x00000000 0x00000000, 0 insertion strings\n") != NULL,
              "the line: %s", out);
    }
    CHECK_EQ(OwPoolOutstandingCount(), pool);
    CHECK_EQ(OwPoolTagOutstandingCount('Elog'), 0);
}

/* ---- what bug-checks ---------------------------------------------------------- */

static void not_an_io_object(void)
{
    static ULONG something[8];
    IoAllocateErrorLogEntry(something, sizeof(IO_ERROR_LOG_PACKET));
}

static void write_not_an_entry(void)
{
    static ULONG_PTR block[16];
    IoWriteErrorLogEntry(&block[8]);
}

int main(void)
{
    layout();
    UNICODE_STRING name;
    drv.Type = IO_TYPE_DRIVER;
    drv.Size = sizeof(drv);
    RtlInitUnicodeString(&drv.DriverName, L"\\Driver\\ElogTest");
    RtlInitUnicodeString(&name, L"\\Device\\ElogTest");
    CHECK_STATUS(IoCreateDevice(&drv, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev), STATUS_SUCCESS);
    if (dev != NULL) {
        entries();
        IoDeleteDevice(dev);
    }
    CHECK_BUGCHECK(not_an_io_object, "IoAllocateErrorLogEntry", "neither a DEVICE_OBJECT nor a DRIVER_OBJECT");
    CHECK_BUGCHECK(write_not_an_entry, "IoWriteErrorLogEntry", "not an entry IoAllocateErrorLogEntry returned");
    return ow_test_result("test_errlog");
}
