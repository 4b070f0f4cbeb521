/* SPDX-License-Identifier: MIT */
/* More Rtl string services drivers use around their names and numbers:
 * appending, case (ASCII and Latin-1, as OpenWSK's strings carry no locale),
 * prefixes, integers to and from text (one parser for char and WCHAR), and
 * GUIDs in their registry form "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}". */
#include <wdm.h>

#include "kernel.h"

#include <string.h>

/* ---- appending --------------------------------------------------------------- */

static NTSTATUS append(PUNICODE_STRING Destination, const WCHAR *src, SIZE_T bytes)
{
    if (bytes > (SIZE_T)Destination->MaximumLength - Destination->Length)
        return STATUS_BUFFER_TOO_SMALL;
    memmove((PUCHAR)Destination->Buffer + Destination->Length, src, bytes);
    Destination->Length = (USHORT)(Destination->Length + bytes);
    if (Destination->Length + sizeof(WCHAR) <= Destination->MaximumLength)
        Destination->Buffer[Destination->Length / sizeof(WCHAR)] = 0;   /* terminated when it fits */
    return STATUS_SUCCESS;
}

NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination, PCUNICODE_STRING Source)
{
    return Source == NULL || Source->Length == 0 ? STATUS_SUCCESS : append(Destination, Source->Buffer, Source->Length);
}

NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source)
{
    if (Source == NULL)
        return STATUS_SUCCESS;
    return append(Destination, Source, ow_wcsnlen(Source, SIZE_MAX) * sizeof(WCHAR));
}

/* ---- case ------------------------------------------------------------------- */

WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter)
{
    WCHAR c = SourceCharacter;
    if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return (WCHAR)(c - 0x20);
    return c == 0xFF ? (WCHAR)0x178 : c;
}

WCHAR RtlDowncaseUnicodeChar(WCHAR SourceCharacter)
{
    WCHAR c = SourceCharacter;
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
        return (WCHAR)(c + 0x20);
    return c == 0x178 ? (WCHAR)0xFF : c;
}

static NTSTATUS recase(PUNICODE_STRING Destination, PCUNICODE_STRING Source, BOOLEAN Allocate, BOOLEAN up)
{
    USHORT n = Source->Length;
    NTSTATUS st = ow_string_dest((PVOID *)&Destination->Buffer, &Destination->MaximumLength, n, sizeof(WCHAR), Allocate,
                                 up ? "RtlUpcaseUnicodeString (free with RtlFreeUnicodeString)"
                                    : "RtlDowncaseUnicodeString (free with RtlFreeUnicodeString)");
    if (!NT_SUCCESS(st))
        return st;
    for (USHORT i = 0; i < n / sizeof(WCHAR); i++) {
        WCHAR c = Source->Buffer[i];
        Destination->Buffer[i] = up ? RtlUpcaseUnicodeChar(c) : RtlDowncaseUnicodeChar(c);
    }
    Destination->Length = n;
    if (Allocate)
        Destination->Buffer[n / sizeof(WCHAR)] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                BOOLEAN AllocateDestinationString)
{
    return recase(DestinationString, SourceString, AllocateDestinationString, TRUE);
}

NTSTATUS RtlDowncaseUnicodeString(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString,
                                  BOOLEAN AllocateDestinationString)
{
    return recase(DestinationString, SourceString, AllocateDestinationString, FALSE);
}

BOOLEAN RtlPrefixUnicodeString(PCUNICODE_STRING String1, PCUNICODE_STRING String2, BOOLEAN CaseInSensitive)
{
    if (String1->Length > String2->Length)
        return FALSE;
    for (USHORT i = 0; i < String1->Length / sizeof(WCHAR); i++) {
        WCHAR a = String1->Buffer[i], b = String2->Buffer[i];
        if (CaseInSensitive ? RtlUpcaseUnicodeChar(a) != RtlUpcaseUnicodeChar(b) : a != b)
            return FALSE;
    }
    return TRUE;
}

/* ---- integers ------------------------------------------------------------------ */

static unsigned digit_value(unsigned c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* The parser of RtlCharToInteger and RtlUnicodeStringToInteger: blanks,
 * a sign, then (Base 0) a 0x/0o/0b prefix choosing the base, then digits
 * up to the first that does not belong to it. n characters of `unit`
 * bytes. */
static NTSTATUS parse_integer(const void *s, SIZE_T n, SIZE_T unit, ULONG Base, PULONG Value)
{
    if (Base != 0 && Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    if (Value == NULL)
        return STATUS_ACCESS_VIOLATION;
#define AT(i) (unit == 1 ? (unsigned)((const unsigned char *)s)[i] : (unsigned)((const WCHAR *)s)[i])
    SIZE_T i = 0;
    while (i < n && AT(i) != 0 && AT(i) <= ' ')
        i++;
    BOOLEAN negative = FALSE;
    if (i < n && (AT(i) == '-' || AT(i) == '+'))
        negative = AT(i++) == '-';
    if (Base == 0) {
        Base = 10;
        if (i + 1 < n && AT(i) == '0') {
            unsigned p = AT(i + 1);
            Base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 10;
            if (Base != 10)
                i += 2;
        }
    }
    ULONG v = 0;
    for (; i < n && AT(i) != 0; i++) {
        unsigned d = digit_value(AT(i));
        if (d >= Base)
            break;
        v = v * Base + d;
    }
#undef AT
    *Value = negative ? (ULONG)(0u - v) : v;
    return STATUS_SUCCESS;
}

NTSTATUS RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value)
{
    return parse_integer(String, String ? strlen(String) : 0, 1, Base, Value);
}

NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value)
{
    /* Its page: "If the string is empty, the routine fails and returns
     * STATUS_INVALID_PARAMETER" (blanks only are not empty: 0, success). */
    if (String->Length < sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    return parse_integer(String->Buffer, String->Length / sizeof(WCHAR), sizeof(WCHAR), Base, Value);
}

NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String)
{
    if (Base == 0)
        Base = 10;
    if (Base != 2 && Base != 8 && Base != 10 && Base != 16)
        return STATUS_INVALID_PARAMETER;
    WCHAR digits[33];
    int n = 0;
    do {
        ULONG d = Value % Base;
        digits[n++] = (WCHAR)(d < 10 ? '0' + d : 'A' + d - 10);
        Value /= Base;
    } while (Value != 0);
    /* The RtlIntegerToUnicodeString page: the result is "a null-terminated
     * string", and STATUS_BUFFER_OVERFLOW when the UNICODE_STRING "is too
     * small to hold the result": the terminator needs its room too. */
    if ((SIZE_T)(n + 1) * sizeof(WCHAR) > String->MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    for (int i = 0; i < n; i++)
        String->Buffer[i] = digits[n - 1 - i];
    String->Buffer[n] = 0;
    String->Length = (USHORT)(n * sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* ---- GUIDs ------------------------------------------------------------------------ */

#define GUID_CHARS 38   /* {8-4-4-4-12} */

NTSTATUS RtlStringFromGUID(REFGUID Guid, PUNICODE_STRING GuidString)
{
    const GUID *g = Guid;
    WCHAR *b = ow_pool_alloc_for((GUID_CHARS + 1) * sizeof(WCHAR), 'grtS',
                                 "RtlStringFromGUID (free with RtlFreeUnicodeString)");
    if (b == NULL)
        return STATUS_NO_MEMORY;
    static const char hex[] = "0123456789ABCDEF";
    UCHAR bytes[16] = {
        (UCHAR)(g->Data1 >> 24), (UCHAR)(g->Data1 >> 16), (UCHAR)(g->Data1 >> 8), (UCHAR)g->Data1,
        (UCHAR)(g->Data2 >> 8), (UCHAR)g->Data2, (UCHAR)(g->Data3 >> 8), (UCHAR)g->Data3,
    };
    memcpy(bytes + 8, g->Data4, 8);
    int at = 0;
    b[at++] = '{';
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            b[at++] = '-';
        b[at++] = (WCHAR)hex[bytes[i] >> 4];
        b[at++] = (WCHAR)hex[bytes[i] & 15];
    }
    b[at++] = '}';
    b[at] = 0;
    GuidString->Buffer = b;
    GuidString->Length = GUID_CHARS * sizeof(WCHAR);
    GuidString->MaximumLength = (GUID_CHARS + 1) * sizeof(WCHAR);
    return STATUS_SUCCESS;
}

NTSTATUS RtlGUIDFromString(PCUNICODE_STRING GuidString, GUID *Guid)
{
    if (GuidString == NULL || Guid == NULL || GuidString->Length != GUID_CHARS * sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER;
    const WCHAR *s = GuidString->Buffer;
    if (s[0] != '{' || s[GUID_CHARS - 1] != '}')
        return STATUS_INVALID_PARAMETER;
    UCHAR bytes[16];
    int at = 1;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            if (s[at++] != '-')
                return STATUS_INVALID_PARAMETER;
        }
        unsigned hi = digit_value(s[at]), lo = digit_value(s[at + 1]);
        if (hi > 15 || lo > 15)
            return STATUS_INVALID_PARAMETER;
        bytes[i] = (UCHAR)(hi << 4 | lo);
        at += 2;
    }
    Guid->Data1 = (ULONG)bytes[0] << 24 | (ULONG)bytes[1] << 16 | (ULONG)bytes[2] << 8 | bytes[3];
    Guid->Data2 = (USHORT)(bytes[4] << 8 | bytes[5]);
    Guid->Data3 = (USHORT)(bytes[6] << 8 | bytes[7]);
    memcpy(Guid->Data4, bytes + 8, 8);
    return STATUS_SUCCESS;
}
