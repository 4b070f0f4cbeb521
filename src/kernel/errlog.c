/* SPDX-License-Identifier: MIT */
/* Error log entries: IoAllocateErrorLogEntry, IoWriteErrorLogEntry,
 * IoFreeErrorLogEntry. There is no event log: IoWriteErrorLogEntry prints
 * the entry as one line on stderr ("OpenWSK error log: ..."), with what the
 * Event Viewer would show of it (the codes, the dump data, the insertion
 * strings), then frees it. Entries are pool (tag 'Elog'), so one never
 * written nor freed shows in the leak report. */
#include "kernel.h"

#include <openwsk.h>

#include <stddef.h>
#include <string.h>

#define OW_ERRLOG_TAG   'Elog'
#define OW_ERRLOG_MAGIC 0x456c6f67U   /* "Elog" */

/* Before each entry, out of the driver's sight. */
typedef struct {
    ULONG Magic;
    ULONG Size;          /* bytes after this header: the entry */
    PVOID IoObject;
    ULONG_PTR Reserved[2];
} OW_ERRLOG_HEADER;
_Static_assert(sizeof(OW_ERRLOG_HEADER) == 32, "entries keep 16-byte alignment");

#define OW_ERRLOG_SITE "IoAllocateErrorLogEntry (write it with IoWriteErrorLogEntry or free it with IoFreeErrorLogEntry)"

PVOID IoAllocateErrorLogEntry(PVOID IoObject, UCHAR EntrySize)
{
    ow_irql_at_most("IoAllocateErrorLogEntry", DISPATCH_LEVEL);
    CSHORT type = IoObject != NULL ? *(CSHORT *)IoObject : 0;   /* both objects start with Type */
    if (type != IO_TYPE_DEVICE && type != IO_TYPE_DRIVER)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1E00, (ULONG_PTR)IoObject, 0, 0,
                     "IoAllocateErrorLogEntry with IoObject %p, which is neither a DEVICE_OBJECT nor a "
                     "DRIVER_OBJECT", IoObject);
    if (EntrySize > ERROR_LOG_MAXIMUM_SIZE)
        return NULL;
    /* At least the packet's own members, whatever EntrySize says. */
    ULONG size = EntrySize > sizeof(IO_ERROR_LOG_PACKET) ? EntrySize : (ULONG)sizeof(IO_ERROR_LOG_PACKET);
    OW_ERRLOG_HEADER *h = ow_pool_alloc_for(sizeof(*h) + size, OW_ERRLOG_TAG, OW_ERRLOG_SITE);
    if (h == NULL)
        return NULL;
    memset(h, 0, sizeof(*h) + size);
    h->Magic = OW_ERRLOG_MAGIC;
    h->Size = size;
    h->IoObject = IoObject;
    return h + 1;
}

static OW_ERRLOG_HEADER *errlog_header(PVOID ElEntry, const char *Who)
{
    OW_ERRLOG_HEADER *h = ElEntry != NULL ? (OW_ERRLOG_HEADER *)ElEntry - 1 : NULL;
    if (h == NULL || h->Magic != OW_ERRLOG_MAGIC)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1E01, (ULONG_PTR)ElEntry, 0, 0,
                     "%s of %p, which is not an entry IoAllocateErrorLogEntry returned (or one already "
                     "written or freed)", Who, ElEntry);
    return h;
}

static void errlog_free(OW_ERRLOG_HEADER *h)
{
    h->Magic = 0;
    ExFreePoolWithTag(h, OW_ERRLOG_TAG);
}

/* Appends to Buf (Size bytes, *Used so far), truncating quietly. */
static void __attribute__((format(printf, 4, 5)))
errlog_put(char *Buf, size_t Size, size_t *Used, const char *Format, ...)
{
    if (*Used >= Size)
        return;
    va_list ap;
    va_start(ap, Format);
    int n = vsnprintf(Buf + *Used, Size - *Used, Format, ap);
    va_end(ap);
    if (n > 0)
        *Used = *Used + (size_t)n < Size ? *Used + (size_t)n : Size;
}

/* WCHARs as UTF-8 into Out (NUL-terminated, cut short if need be). */
static void errlog_utf8(const WCHAR *Text, size_t Chars, char *Out, ULONG OutSize)
{
    ULONG written = 0;
    if (!NT_SUCCESS(RtlUnicodeToUTF8N(Out, OutSize - 1, &written, Text, (ULONG)(Chars * sizeof(WCHAR)))))
        written = 0;
    Out[written < OutSize ? written : OutSize - 1] = '\0';
}

static void errlog_put_status(char *Buf, size_t Size, size_t *Used, const char *What, NTSTATUS Status)
{
    const char *name = OwStatusName(Status);
    errlog_put(Buf, Size, Used, "%s 0x%08X", What, (unsigned)Status);
    if (strncmp(name, "NTSTATUS ", 9) != 0)
        errlog_put(Buf, Size, Used, " (%s)", name);
}

static void errlog_put_driver(char *Buf, size_t Size, size_t *Used, PDRIVER_OBJECT Driver)
{
    char name[128];
    if (Driver == NULL || Driver->DriverName.Buffer == NULL || Driver->DriverName.Length == 0) {
        errlog_put(Buf, Size, Used, "driver %p", (void *)Driver);
        return;
    }
    errlog_utf8(Driver->DriverName.Buffer, Driver->DriverName.Length / sizeof(WCHAR), name, sizeof(name));
    errlog_put(Buf, Size, Used, "driver %s", name);
}

VOID IoWriteErrorLogEntry(PVOID ElEntry)
{
    ow_irql_at_most("IoWriteErrorLogEntry", DISPATCH_LEVEL);
    OW_ERRLOG_HEADER *h = errlog_header(ElEntry, "IoWriteErrorLogEntry");
    const IO_ERROR_LOG_PACKET *e = ElEntry;
    const UCHAR *base = ElEntry;
    char line[2048];
    size_t used = 0;

    errlog_put(line, sizeof(line), &used, "OpenWSK error log: ");
    if (*(CSHORT *)h->IoObject == IO_TYPE_DEVICE) {
        PDEVICE_OBJECT dev = h->IoObject;
        errlog_put(line, sizeof(line), &used, "device %p of ", (void *)dev);
        errlog_put_driver(line, sizeof(line), &used, dev->DriverObject);
    } else {
        errlog_put_driver(line, sizeof(line), &used, h->IoObject);
    }
    errlog_put_status(line, sizeof(line), &used, ": ErrorCode", e->ErrorCode);
    errlog_put(line, sizeof(line), &used, ", UniqueErrorValue 0x%X", (unsigned)e->UniqueErrorValue);
    errlog_put_status(line, sizeof(line), &used, ", FinalStatus", e->FinalStatus);
    errlog_put(line, sizeof(line), &used, ", MajorFunctionCode 0x%02X, RetryCount %u, SequenceNumber %u",
               e->MajorFunctionCode, e->RetryCount, (unsigned)e->SequenceNumber);

    /* DumpData: DumpDataSize bytes, as ULONGs, as far as the entry holds them. */
    size_t dump_at = offsetof(IO_ERROR_LOG_PACKET, DumpData);
    size_t dump_room = (h->Size - dump_at) / sizeof(ULONG);
    size_t dump = e->DumpDataSize / sizeof(ULONG);
    errlog_put(line, sizeof(line), &used, ", DumpData %zu ULONG%s", dump, dump == 1 ? "" : "s");
    if (dump > dump_room) {
        errlog_put(line, sizeof(line), &used, " (DumpDataSize %u is past the end of the %u-byte entry)",
                   e->DumpDataSize, (unsigned)h->Size);
        dump = dump_room;
    }
    const ULONG *dd = (const ULONG *)(base + dump_at);
    for (size_t i = 0; i < dump; i++)
        errlog_put(line, sizeof(line), &used, "%s0x%08X", i == 0 ? ": " : " ", (unsigned)dd[i]);

    /* Insertion strings: NumberOfStrings NUL-terminated UTF-16 strings, one
     * after the other from StringOffset, inside the entry. */
    errlog_put(line, sizeof(line), &used, ", %u insertion string%s", e->NumberOfStrings,
               e->NumberOfStrings == 1 ? "" : "s");
    size_t at = e->StringOffset;
    for (USHORT i = 0; i < e->NumberOfStrings; i++) {
        if (at < dump_at || at % sizeof(WCHAR) != 0 || at >= h->Size) {
            errlog_put(line, sizeof(line), &used, " (StringOffset %u does not lead to string %u inside the entry)",
                       e->StringOffset, i + 1);
            break;
        }
        const WCHAR *s = (const WCHAR *)(base + at);
        size_t max = (h->Size - at) / sizeof(WCHAR);
        size_t len = ow_wcsnlen(s, max);
        if (len == max) {
            errlog_put(line, sizeof(line), &used, " (string %u is not terminated inside the entry)", i + 1);
            break;
        }
        char text[512];
        errlog_utf8(s, len, text, sizeof(text));
        errlog_put(line, sizeof(line), &used, "%s\"%s\"", i == 0 ? ": " : ", ", text);
        at += (len + 1) * sizeof(WCHAR);
    }
    fprintf(stderr, "%s\n", line);
    errlog_free(h);
}

VOID IoFreeErrorLogEntry(PVOID ElEntry)
{
    errlog_free(errlog_header(ElEntry, "IoFreeErrorLogEntry"));
}
