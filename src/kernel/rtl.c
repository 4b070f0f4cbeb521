/* SPDX-License-Identifier: MIT */
/* Rtl strings, memory compare, byte order, random numbers. ANSI <-> Unicode
 * conversions cover ASCII; other characters become '?'. */
#include "kernel.h"

#include <stdlib.h>

SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length)
{
    const UCHAR *a = Source1, *b = Source2;
    SIZE_T i = 0;
    while (i < Length && a[i] == b[i])
        i++;
    return i;
}

VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T n = SourceString != NULL ? ow_wcsnlen(SourceString, SIZE_MAX) : 0;
    if (n * sizeof(WCHAR) > MAXUSHORT - sizeof(WCHAR))
        n = (MAXUSHORT - sizeof(WCHAR)) / sizeof(WCHAR);
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    DestinationString->MaximumLength = SourceString ? (USHORT)((n + 1) * sizeof(WCHAR)) : 0;
    DestinationString->Buffer = (PWCH)SourceString;
}

/* Initialises an 8-bit counted string over SourceString; FALSE (and a
 * string cut to MAXUSHORT - 1 bytes) when it is longer than that. */
static BOOLEAN ow_init_ansi(PANSI_STRING DestinationString, PCSZ SourceString)
{
    SIZE_T n = 0;
    if (SourceString != NULL)
        while (SourceString[n] != 0 && n <= MAXUSHORT - 1)
            n++;
    BOOLEAN fits = n <= MAXUSHORT - 1;
    if (!fits)
        n = MAXUSHORT - 1;
    DestinationString->Length = (USHORT)n;
    DestinationString->MaximumLength = SourceString ? (USHORT)(n + 1) : 0;
    DestinationString->Buffer = (PCHAR)SourceString;
    return fits;
}

VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString)
{
    (void)ow_init_ansi(DestinationString, SourceString);
}

VOID RtlInitString(PSTRING DestinationString, PCSZ SourceString)
{
    (void)ow_init_ansi(DestinationString, SourceString);
}

NTSTATUS RtlInitAnsiStringEx(PANSI_STRING DestinationString, PCSZ SourceString)
{
    ANSI_STRING s;
    if (!ow_init_ansi(&s, SourceString))
        return STATUS_NAME_TOO_LONG;
    *DestinationString = s;
    return STATUS_SUCCESS;
}

NTSTATUS RtlInitStringEx(PSTRING DestinationString, PCSZ SourceString)
{
    return RtlInitAnsiStringEx(DestinationString, SourceString);
}

/* RtlInitUnicodeString's count, refused instead of cut: no Microsoft page of
 * its own, so it follows its 8-bit twin RtlInitStringEx ("Returns
 * STATUS_NAME_TOO_LONG if the SourceString is too long") at the limit
 * RtlInitUnicodeString cuts at. */
NTSTATUS RtlInitUnicodeStringEx(PUNICODE_STRING DestinationString, PCWSTR SourceString)
{
    SIZE_T max_chars = (MAXUSHORT - sizeof(WCHAR)) / sizeof(WCHAR);
    if (SourceString != NULL && ow_wcsnlen(SourceString, max_chars + 1) > max_chars)
        return STATUS_NAME_TOO_LONG;
    RtlInitUnicodeString(DestinationString, SourceString);
    return STATUS_SUCCESS;
}

VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (SourceString == NULL || SourceString->Buffer == NULL) {
        DestinationString->Length = 0;
        return;
    }
    USHORT n = SourceString->Length < DestinationString->MaximumLength
                   ? SourceString->Length : DestinationString->MaximumLength;
    n &= (USHORT)~1u;
    __builtin_memmove(DestinationString->Buffer, SourceString->Buffer, n);
    DestinationString->Length = n;
    if (n + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n / sizeof(WCHAR)] = 0;
}

LONG RtlCompareUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                             BOOLEAN CaseInSensitive)
{
    USHORT n1 = String1->Length / sizeof(WCHAR), n2 = String2->Length / sizeof(WCHAR);
    for (USHORT i = 0; i < n1 && i < n2; i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive) {
            a = RtlUpcaseUnicodeChar(a);   /* rtl_unicode.c: the one case rule */
            b = RtlUpcaseUnicodeChar(b);
        }
        if (a != b)
            return (LONG)(USHORT)a - (LONG)(USHORT)b;
    }
    return (LONG)n1 - (LONG)n2;
}

BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2,
                              BOOLEAN CaseInSensitive)
{
    return String1->Length == String2->Length &&
           RtlCompareUnicodeString(String1, String2, CaseInSensitive) == 0;
}

NTSTATUS ow_string_dest(PVOID *Buffer, USHORT *MaximumLength, SIZE_T bytes, SIZE_T term, BOOLEAN Allocate,
                        const char *Site)
{
    if (!Allocate)
        return bytes > *MaximumLength ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
    *Buffer = ow_pool_alloc_for(bytes + term, 'grtS', Site);
    if (*Buffer == NULL)
        return STATUS_NO_MEMORY;
    *MaximumLength = (USHORT)(bytes + term);
    return STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString, PCUNICODE_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    USHORT n = SourceString->Length / sizeof(WCHAR);
    NTSTATUS st = ow_string_dest((PVOID *)&DestinationString->Buffer, &DestinationString->MaximumLength, n, 1,
                                 AllocateDestinationString,
                                 "RtlUnicodeStringToAnsiString (free with RtlFreeAnsiString)");
    if (!NT_SUCCESS(st))
        return st;
    for (USHORT i = 0; i < n; i++) {
        WCHAR c = SourceString->Buffer[i];
        DestinationString->Buffer[i] = (USHORT)c < 0x80 ? (CHAR)c : '?';
    }
    DestinationString->Length = n;
    if (n < DestinationString->MaximumLength)
        DestinationString->Buffer[n] = '\0';
    return STATUS_SUCCESS;
}

NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString, PCANSI_STRING SourceString,
                                      BOOLEAN AllocateDestinationString)
{
    SIZE_T n = SourceString->Length;
    if (n * sizeof(WCHAR) > MAXUSHORT - sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    NTSTATUS st = ow_string_dest((PVOID *)&DestinationString->Buffer, &DestinationString->MaximumLength,
                                 n * sizeof(WCHAR), sizeof(WCHAR), AllocateDestinationString,
                                 "RtlAnsiStringToUnicodeString (free with RtlFreeUnicodeString)");
    if (!NT_SUCCESS(st))
        return st;
    for (SIZE_T i = 0; i < n; i++) {
        UCHAR c = (UCHAR)SourceString->Buffer[i];
        DestinationString->Buffer[i] = c < 0x80 ? (WCHAR)c : (WCHAR)'?';
    }
    DestinationString->Length = (USHORT)(n * sizeof(WCHAR));
    if (DestinationString->Length + sizeof(WCHAR) <= DestinationString->MaximumLength)
        DestinationString->Buffer[n] = 0;
    return STATUS_SUCCESS;
}

VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString)
{
    if (UnicodeString->Buffer != NULL)
        ExFreePoolWithTag(UnicodeString->Buffer, 'grtS');
    UnicodeString->Buffer = NULL;
    UnicodeString->Length = UnicodeString->MaximumLength = 0;
}

VOID RtlFreeAnsiString(PANSI_STRING AnsiString)
{
    if (AnsiString->Buffer != NULL)
        ExFreePoolWithTag(AnsiString->Buffer, 'grtS');
    AnsiString->Buffer = NULL;
    AnsiString->Length = AnsiString->MaximumLength = 0;
}

USHORT RtlUshortByteSwap(USHORT Source)
{
    return __builtin_bswap16(Source);
}

ULONG RtlUlongByteSwap(ULONG Source)
{
    return __builtin_bswap32(Source);
}

ULONGLONG RtlUlonglongByteSwap(ULONGLONG Source)
{
    return __builtin_bswap64(Source);
}

/* Park-Miller minimal standard generator, the family Windows' RtlRandomEx uses. */
ULONG RtlRandomEx(PULONG Seed)
{
    ULONG s = *Seed & 0x7fffffffU;
    if (s == 0)
        s = 1;
    *Seed = (ULONG)(((ULONGLONG)s * 16807U) % 0x7fffffffU);
    return *Seed;
}
