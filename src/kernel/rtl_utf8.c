/* SPDX-License-Identifier: MIT */
/* RtlUnicodeToUTF8N and RtlUTF8ToUnicodeN: the one UTF-16 <-> UTF-8
 * converter. DbgPrint and WPP (format.c), the resolver (src/wsk/resolve.c)
 * and everything else that crosses between WCHAR and UTF-8 go through these.
 * Documented behaviour (ntifs.h pages, also declared by wdm.h): invalid input
 * (a lone surrogate, a bad UTF-8 sequence) becomes U+FFFD and the call says
 * STATUS_SOME_NOT_MAPPED; a NULL destination asks for the size; a short
 * destination gets every whole character that fits, and
 * STATUS_BUFFER_TOO_SMALL; NULs are converted like any other character. */
#include "kernel.h"

#define OW_REPLACEMENT 0xFFFDu

static BOOLEAN ow_is_high(ULONG c) { return c >= 0xD800 && c <= 0xDBFF; }
static BOOLEAN ow_is_low(ULONG c) { return c >= 0xDC00 && c <= 0xDFFF; }

/* Encodes code point C as UTF-8 into Out (4 bytes of room); returns the length. */
static ULONG ow_utf8_encode(ULONG c, UCHAR *Out)
{
    if (c < 0x80) {
        Out[0] = (UCHAR)c;
        return 1;
    }
    if (c < 0x800) {
        Out[0] = (UCHAR)(0xC0 | (c >> 6));
        Out[1] = (UCHAR)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        Out[0] = (UCHAR)(0xE0 | (c >> 12));
        Out[1] = (UCHAR)(0x80 | ((c >> 6) & 0x3F));
        Out[2] = (UCHAR)(0x80 | (c & 0x3F));
        return 3;
    }
    Out[0] = (UCHAR)(0xF0 | (c >> 18));
    Out[1] = (UCHAR)(0x80 | ((c >> 12) & 0x3F));
    Out[2] = (UCHAR)(0x80 | ((c >> 6) & 0x3F));
    Out[3] = (UCHAR)(0x80 | (c & 0x3F));
    return 4;
}

NTSTATUS RtlUnicodeToUTF8N(PCHAR UTF8StringDestination, ULONG UTF8StringMaxByteCount,
                           PULONG UTF8StringActualByteCount, PCWCH UnicodeStringSource,
                           ULONG UnicodeStringByteCount)
{
    if (UnicodeStringSource == NULL)
        return STATUS_INVALID_PARAMETER_4;
    if (UTF8StringDestination == NULL && UTF8StringActualByteCount == NULL)
        return STATUS_INVALID_PARAMETER;
    if (UnicodeStringByteCount % sizeof(WCHAR))
        return STATUS_INVALID_PARAMETER_5;
    ULONG units = UnicodeStringByteCount / sizeof(WCHAR), written = 0;
    NTSTATUS st = STATUS_SUCCESS;
    for (ULONG i = 0; i < units; i++) {
        ULONG c = (USHORT)UnicodeStringSource[i];
        if (ow_is_high(c) && i + 1 < units && ow_is_low((USHORT)UnicodeStringSource[i + 1])) {
            c = 0x10000 + ((c - 0xD800) << 10) + ((USHORT)UnicodeStringSource[++i] - 0xDC00);
        } else if (ow_is_high(c) || ow_is_low(c)) {
            c = OW_REPLACEMENT;
            st = STATUS_SOME_NOT_MAPPED;
        }
        UCHAR bytes[4];
        ULONG n = ow_utf8_encode(c, bytes);
        if (UTF8StringDestination != NULL) {
            if (written + n > UTF8StringMaxByteCount) {
                st = STATUS_BUFFER_TOO_SMALL;
                break;
            }
            __builtin_memcpy(UTF8StringDestination + written, bytes, n);
        }
        written += n;
    }
    if (UTF8StringActualByteCount != NULL)
        *UTF8StringActualByteCount = written;
    return st;
}

/* Decodes one UTF-8 character at S (Left bytes available) into *Code;
 * returns the bytes used (at least 1). Overlong forms, surrogates, values
 * past U+10FFFF and truncated sequences decode to U+FFFD, one byte at a time. */
static ULONG ow_utf8_decode(const UCHAR *S, ULONG Left, ULONG *Code)
{
    UCHAR b = S[0];
    ULONG need, c, min;
    if (b < 0x80) {
        *Code = b;
        return 1;
    }
    if ((b & 0xE0) == 0xC0) { need = 1; c = b & 0x1F; min = 0x80; }
    else if ((b & 0xF0) == 0xE0) { need = 2; c = b & 0x0F; min = 0x800; }
    else if ((b & 0xF8) == 0xF0) { need = 3; c = b & 0x07; min = 0x10000; }
    else { *Code = OW_REPLACEMENT | 0x80000000u; return 1; }
    if (need >= Left) {
        *Code = OW_REPLACEMENT | 0x80000000u;
        return 1;
    }
    for (ULONG k = 1; k <= need; k++) {
        if ((S[k] & 0xC0) != 0x80) {
            *Code = OW_REPLACEMENT | 0x80000000u;
            return 1;
        }
        c = (c << 6) | (S[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *Code = OW_REPLACEMENT | 0x80000000u;   /* high bit: "not mapped" */
        return need + 1;
    }
    *Code = c;
    return need + 1;
}

NTSTATUS RtlUTF8ToUnicodeN(PWSTR UnicodeStringDestination, ULONG UnicodeStringMaxByteCount,
                           PULONG UnicodeStringActualByteCount, const CHAR *UTF8StringSource,
                           ULONG UTF8StringByteCount)
{
    if (UTF8StringSource == NULL)
        return STATUS_INVALID_PARAMETER_4;
    if (UnicodeStringDestination == NULL && UnicodeStringActualByteCount == NULL)
        return STATUS_INVALID_PARAMETER;
    const UCHAR *s = (const UCHAR *)UTF8StringSource;
    ULONG written = 0;   /* bytes */
    NTSTATUS st = STATUS_SUCCESS;
    for (ULONG i = 0; i < UTF8StringByteCount;) {
        ULONG c;
        ULONG used = ow_utf8_decode(s + i, UTF8StringByteCount - i, &c);
        if (c & 0x80000000u) {
            c &= 0x7fffffffu;
            st = STATUS_SOME_NOT_MAPPED;
        }
        WCHAR units[2];
        ULONG n = 1;
        if (c >= 0x10000) {
            units[0] = (WCHAR)(0xD800 + ((c - 0x10000) >> 10));
            units[1] = (WCHAR)(0xDC00 + ((c - 0x10000) & 0x3FF));
            n = 2;
        } else {
            units[0] = (WCHAR)c;
        }
        if (UnicodeStringDestination != NULL) {
            if (written + n * sizeof(WCHAR) > UnicodeStringMaxByteCount) {
                st = STATUS_BUFFER_TOO_SMALL;
                break;
            }
            __builtin_memcpy((UCHAR *)UnicodeStringDestination + written, units, n * sizeof(WCHAR));
        }
        written += n * (ULONG)sizeof(WCHAR);
        i += used;
    }
    if (UnicodeStringActualByteCount != NULL)
        *UnicodeStringActualByteCount = written;
    return st;
}
