/* SPDX-License-Identifier: MIT */
/* ntstrsafe.h: the safe string functions. One implementation serves char
 * and WCHAR (a character is `unit` bytes); the printf forms go through the
 * format engine behind DbgPrint (format.c) and the one UTF-16 converter
 * (rtl_utf8.c). Semantics: the RtlStringCbPrintfA page and its siblings in
 * wdk-ddi-src/content/ntstrsafe/ (a result that does not fit is cut, still
 * terminated, with the warning STATUS_BUFFER_OVERFLOW). */
#include <ntstrsafe.h>
#include <wdm.h>

#include "kernel.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_A sizeof(char)
#define UNIT_W sizeof(WCHAR)

static void put_nul(void *s, size_t i, size_t unit)
{
    if (unit == UNIT_A)
        ((char *)s)[i] = 0;
    else
        ((WCHAR *)s)[i] = 0;
}

/* Characters before the terminator, or max when there is none in max. */
static size_t length_in(const void *s, size_t max, size_t unit)
{
    return unit == UNIT_A ? strnlen(s, max) : ow_wcsnlen(s, max);
}

static BOOLEAN bad_size(size_t cch) { return cch == 0 || cch > NTSTRSAFE_MAX_CCH; }

/* Copies at most max_src characters of src (fewer at its terminator) into
 * dst of cch characters, terminated; cut to fit with STATUS_BUFFER_OVERFLOW. */
static NTSTATUS copy_n(void *dst, size_t cch, const void *src, size_t max_src, size_t unit)
{
    if (dst == NULL || bad_size(cch))
        return STATUS_INVALID_PARAMETER;
    if (src == NULL || max_src > NTSTRSAFE_MAX_CCH) {
        put_nul(dst, 0, unit);
        return STATUS_INVALID_PARAMETER;
    }
    size_t n = length_in(src, max_src, unit);
    NTSTATUS st = STATUS_SUCCESS;
    if (n >= cch) {
        n = cch - 1;
        st = STATUS_BUFFER_OVERFLOW;
    }
    memmove(dst, src, n * unit);
    put_nul(dst, n, unit);
    return st;
}

/* Appends after dst's terminator, which must lie within cch characters. */
static NTSTATUS cat_n(void *dst, size_t cch, const void *src, size_t max_src, size_t unit)
{
    if (dst == NULL || bad_size(cch))
        return STATUS_INVALID_PARAMETER;
    size_t have = length_in(dst, cch, unit);
    if (have == cch)
        return STATUS_INVALID_PARAMETER;   /* "the destination buffer was already full" */
    return copy_n((char *)dst + have * unit, cch - have, src, max_src, unit);
}

static NTSTATUS length_of(const void *s, size_t cch_max, size_t *out, size_t unit, size_t scale)
{
    NTSTATUS st = STATUS_INVALID_PARAMETER;
    size_t n = 0;
    if (s != NULL && !bad_size(cch_max)) {
        n = length_in(s, cch_max, unit);
        if (n < cch_max)
            st = STATUS_SUCCESS;
        else
            n = 0;
    }
    if (out != NULL)
        *out = n * scale;
    return st;
}

/* ---- copy, cat, length ---------------------------------------------------- */

NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    return copy_n(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_A);
}

NTSTATUS RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return copy_n(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_W);
}

NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return copy_n(pszDest, cbDest / UNIT_A, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_A);
}

NTSTATUS RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return copy_n(pszDest, cbDest / UNIT_W, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_W);
}

NTSTATUS RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc, size_t cchToCopy)
{
    return copy_n(pszDest, cchDest, pszSrc, cchToCopy, UNIT_A);
}

NTSTATUS RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc, size_t cchToCopy)
{
    return copy_n(pszDest, cchDest, pszSrc, cchToCopy, UNIT_W);
}

NTSTATUS RtlStringCbCopyNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc, size_t cbToCopy)
{
    return copy_n(pszDest, cbDest / UNIT_A, pszSrc, cbToCopy / UNIT_A, UNIT_A);
}

NTSTATUS RtlStringCbCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc, size_t cbToCopy)
{
    return copy_n(pszDest, cbDest / UNIT_W, pszSrc, cbToCopy / UNIT_W, UNIT_W);
}

NTSTATUS RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
    return cat_n(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_A);
}

NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return cat_n(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_W);
}

NTSTATUS RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
    return cat_n(pszDest, cbDest / UNIT_A, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_A);
}

NTSTATUS RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
    return cat_n(pszDest, cbDest / UNIT_W, pszSrc, NTSTRSAFE_MAX_CCH, UNIT_W);
}

NTSTATUS RtlStringCchCatNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc, size_t cchToAppend)
{
    return cat_n(pszDest, cchDest, pszSrc, cchToAppend, UNIT_A);
}

NTSTATUS RtlStringCchCatNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc, size_t cchToAppend)
{
    return cat_n(pszDest, cchDest, pszSrc, cchToAppend, UNIT_W);
}

NTSTATUS RtlStringCbCatNA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc, size_t cbToAppend)
{
    return cat_n(pszDest, cbDest / UNIT_A, pszSrc, cbToAppend / UNIT_A, UNIT_A);
}

NTSTATUS RtlStringCbCatNW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc, size_t cbToAppend)
{
    return cat_n(pszDest, cbDest / UNIT_W, pszSrc, cbToAppend / UNIT_W, UNIT_W);
}

NTSTATUS RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t *pcchLength)
{
    return length_of(psz, cchMax, pcchLength, UNIT_A, 1);
}

NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t *pcchLength)
{
    return length_of(psz, cchMax, pcchLength, UNIT_W, 1);
}

NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t *pcbLength)
{
    return length_of(psz, cbMax / UNIT_A, pcbLength, UNIT_A, UNIT_A);
}

NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t *pcbLength)
{
    return length_of(psz, cbMax / UNIT_W, pcbLength, UNIT_W, UNIT_W);
}

/* ---- printf ---------------------------------------------------------------- */

/* The formatted text in UTF-8 (malloc'd, terminated), or NULL. */
static char *format_utf8(const char *format, va_list ap, size_t *len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    if (m == NULL)
        return NULL;
    va_list copy;
    va_copy(copy, ap);
    ow_format(m, format, &copy, NULL, NULL);
    va_end(copy);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* A wide format in UTF-8 for the format engine, whose %s/%c are narrow:
 * in a wide printf %s and %c are wide and %S and %C narrow, so those four
 * swap unless a size prefix (h, l, w) already says which. */
static char *wide_format_to_utf8(const WCHAR *format)
{
    size_t n = length_in(format, NTSTRSAFE_MAX_CCH, UNIT_W);
    if (n > (MAXULONG - 1) / 3)
        return NULL;
    ULONG cap = (ULONG)(n * 3 + 1), out = 0;
    char *f = malloc(cap);
    if (f == NULL)
        return NULL;
    if (!NT_SUCCESS(RtlUnicodeToUTF8N(f, cap - 1, &out, format, (ULONG)(n * UNIT_W)))) {
        free(f);
        return NULL;
    }
    f[out] = 0;
    for (char *p = f; *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        char *q = p + 1;
        while (*q && strchr("-+ #0123456789.*", *q))
            q++;
        BOOLEAN sized = FALSE;
        while (*q && strchr("hlwIL", *q)) {
            sized = sized || *q == 'h' || *q == 'l' || *q == 'w';
            q++;
            while (*q >= '0' && *q <= '9')   /* I32, I64 */
                q++;
        }
        if (!sized) {
            switch (*q) {
            case 's': *q = 'S'; break;
            case 'S': *q = 's'; break;
            case 'c': *q = 'C'; break;
            case 'C': *q = 'c'; break;
            default: break;
            }
        }
        p = *q ? q : q - 1;
    }
    return f;
}

/* The formatted text of a wide format in UTF-16 (malloc'd), *units long. */
static WCHAR *format_utf16(const WCHAR *format, va_list ap, size_t *units)
{
    char *f = wide_format_to_utf8(format);
    if (f == NULL)
        return NULL;
    size_t len = 0;
    char *text = format_utf8(f, ap, &len);
    free(f);
    if (text == NULL || len > MAXULONG / 2 / UNIT_W) {
        free(text);
        return NULL;
    }
    ULONG cap = (ULONG)((len + 1) * UNIT_W), bytes = 0;
    WCHAR *w = malloc(cap);
    if (w != NULL && !NT_SUCCESS(RtlUTF8ToUnicodeN(w, cap, &bytes, text, (ULONG)len))) {
        free(w);
        w = NULL;
    }
    free(text);
    if (w != NULL) {
        *units = bytes / UNIT_W;
        w[*units] = 0;
    }
    return w;
}

static NTSTATUS vprintf_a(char *dst, size_t cch, const char *format, va_list ap)
{
    if (dst == NULL || bad_size(cch))
        return STATUS_INVALID_PARAMETER;
    if (format == NULL) {
        put_nul(dst, 0, UNIT_A);
        return STATUS_INVALID_PARAMETER;
    }
    size_t len = 0;
    char *text = format_utf8(format, ap, &len);
    if (text == NULL) {
        put_nul(dst, 0, UNIT_A);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS st = copy_n(dst, cch, text, len, UNIT_A);
    free(text);
    return st;
}

static NTSTATUS vprintf_w(WCHAR *dst, size_t cch, const WCHAR *format, va_list ap)
{
    if (dst == NULL || bad_size(cch))
        return STATUS_INVALID_PARAMETER;
    if (format == NULL) {
        put_nul(dst, 0, UNIT_W);
        return STATUS_INVALID_PARAMETER;
    }
    size_t units = 0;
    WCHAR *text = format_utf16(format, ap, &units);
    if (text == NULL) {
        put_nul(dst, 0, UNIT_W);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS st = copy_n(dst, cch, text, units, UNIT_W);
    free(text);
    return st;
}

NTSTATUS RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, va_list argList)
{
    return vprintf_a(pszDest, cchDest, pszFormat, argList);
}

NTSTATUS RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    return vprintf_w(pszDest, cchDest, pszFormat, argList);
}

NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, va_list argList)
{
    return vprintf_a(pszDest, cbDest / UNIT_A, pszFormat, argList);
}

NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    return vprintf_w(pszDest, cbDest / UNIT_W, pszFormat, argList);
}

NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = vprintf_a(pszDest, cchDest, pszFormat, ap);
    va_end(ap);
    return st;
}

NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = vprintf_w(pszDest, cchDest, pszFormat, ap);
    va_end(ap);
    return st;
}

NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = vprintf_a(pszDest, cbDest / UNIT_A, pszFormat, ap);
    va_end(ap);
    return st;
}

NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = vprintf_w(pszDest, cbDest / UNIT_W, pszFormat, ap);
    va_end(ap);
    return st;
}

/* ---- UNICODE_STRING forms ------------------------------------------------------ */

/* A destination the functions accept: even sizes, Length within
 * MaximumLength, at most NTSTRSAFE_UNICODE_STRING_MAX_CCH characters. */
static BOOLEAN good_unicode_string(PCUNICODE_STRING s)
{
    return s != NULL && (s->Buffer != NULL || s->MaximumLength == 0) && s->Length % UNIT_W == 0 &&
           s->MaximumLength % UNIT_W == 0 && s->Length <= s->MaximumLength &&
           s->MaximumLength <= NTSTRSAFE_UNICODE_STRING_MAX_CCH * UNIT_W;
}

/* Puts units characters of src at dst->Length (after the old text when
 * appending, else at 0), as many as fit. */
static NTSTATUS put_counted(PUNICODE_STRING dst, BOOLEAN append, const WCHAR *src, size_t units)
{
    size_t at = append ? dst->Length / UNIT_W : 0, room = dst->MaximumLength / UNIT_W - at;
    NTSTATUS st = STATUS_SUCCESS;
    if (units > room) {
        units = room;
        st = STATUS_BUFFER_OVERFLOW;
    }
    if (units > 0)
        memmove(dst->Buffer + at, src, units * UNIT_W);
    dst->Length = (USHORT)((at + units) * UNIT_W);
    return st;
}

NTSTATUS RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, va_list argList)
{
    if (!good_unicode_string(DestinationString) || pszFormat == NULL)
        return STATUS_INVALID_PARAMETER;
    size_t units = 0;
    WCHAR *text = format_utf16(pszFormat, argList, &units);
    if (text == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS st = put_counted(DestinationString, FALSE, text, units);
    free(text);
    return st;
}

NTSTATUS RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, ...)
{
    va_list ap;
    va_start(ap, pszFormat);
    NTSTATUS st = RtlUnicodeStringVPrintf(DestinationString, pszFormat, ap);
    va_end(ap);
    return st;
}

NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!good_unicode_string(DestinationString) || !good_unicode_string(SourceString))
        return STATUS_INVALID_PARAMETER;
    return put_counted(DestinationString, FALSE, SourceString->Buffer, SourceString->Length / UNIT_W);
}

NTSTATUS RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    if (!good_unicode_string(DestinationString) || pszSrc == NULL)
        return STATUS_INVALID_PARAMETER;
    return put_counted(DestinationString, FALSE, pszSrc, length_in(pszSrc, NTSTRSAFE_MAX_CCH, UNIT_W));
}

NTSTATUS RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
    if (!good_unicode_string(DestinationString) || !good_unicode_string(SourceString))
        return STATUS_INVALID_PARAMETER;
    return put_counted(DestinationString, TRUE, SourceString->Buffer, SourceString->Length / UNIT_W);
}

NTSTATUS RtlUnicodeStringCatString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
    if (!good_unicode_string(DestinationString) || pszSrc == NULL)
        return STATUS_INVALID_PARAMETER;
    return put_counted(DestinationString, TRUE, pszSrc, length_in(pszSrc, NTSTRSAFE_MAX_CCH, UNIT_W));
}
