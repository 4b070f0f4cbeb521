/* SPDX-License-Identifier: MIT */
/* ntstrsafe.h (src/kernel/strsafe.c) against its reference pages
 * (wdk-ddi-src/content/ntstrsafe/nf-ntstrsafe-rtlstringcbprintfa.md,
 * -rtlstringcbcopya, -rtlstringcbcata, -rtlstringcchlengtha,
 * -rtlunicodestringprintf): STATUS_SUCCESS when the whole result fits;
 * STATUS_BUFFER_OVERFLOW, a warning, with the result cut and terminated;
 * STATUS_INVALID_PARAMETER for a NULL pointer, a zero or too large size, or
 * a destination already full. In the W printf forms %s is a wide string
 * (the page's own example) and %S a narrow one. */
#include "ktest.h"
#include <ntstrsafe.h>

static BOOLEAN wide_is(const WCHAR *got, const char *want)
{
    size_t i = 0;
    for (; want[i]; i++)
        if (got[i] != (WCHAR)(unsigned char)want[i])
            return FALSE;
    return got[i] == 0;
}

static void copy_and_cat(void)
{
    char d[8];
    CHECK(!NT_SUCCESS(STATUS_BUFFER_OVERFLOW) && !NT_ERROR(STATUS_BUFFER_OVERFLOW), "a warning");
    CHECK_STATUS(RtlStringCbCopyA(d, sizeof(d), "1234567"), STATUS_SUCCESS);
    CHECK(strcmp(d, "1234567") == 0, "exact fit: %s", d);
    CHECK_STATUS(RtlStringCbCopyA(d, sizeof(d), "123456789"), STATUS_BUFFER_OVERFLOW);
    CHECK(strcmp(d, "1234567") == 0, "cut: %s", d);
    CHECK_STATUS(RtlStringCbCopyA(d, 0, "x"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCchCopyA(d, (size_t)NTSTRSAFE_MAX_CCH + 1, "x"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCbCopyA(NULL, sizeof(d), "x"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCchCopyNA(d, sizeof(d), "abcdef", 3), STATUS_SUCCESS);
    CHECK(strcmp(d, "abc") == 0, "copy N: %s", d);

    CHECK_STATUS(RtlStringCbCatA(d, sizeof(d), "de"), STATUS_SUCCESS);
    CHECK(strcmp(d, "abcde") == 0, "cat: %s", d);
    CHECK_STATUS(RtlStringCbCatA(d, sizeof(d), "fghij"), STATUS_BUFFER_OVERFLOW);
    CHECK(strcmp(d, "abcdefg") == 0, "cat cut: %s", d);
    memset(d, 'x', sizeof(d));          /* no terminator inside: "already full" */
    CHECK_STATUS(RtlStringCbCatA(d, sizeof(d), "y"), STATUS_INVALID_PARAMETER);

    WCHAR w[5];
    CHECK_STATUS(RtlStringCchCopyW(w, 5, L"wide"), STATUS_SUCCESS);
    CHECK(wide_is(w, "wide"), "wide copy");
    CHECK_STATUS(RtlStringCbCatW(w, sizeof(w), L"r"), STATUS_BUFFER_OVERFLOW);
    CHECK(wide_is(w, "wide"), "wide cat into a full buffer");
    CHECK_STATUS(RtlStringCbCopyNW(w, sizeof(w), L"abcdef", 2 * sizeof(WCHAR)), STATUS_SUCCESS);
    CHECK(wide_is(w, "ab"), "wide copy N");
    CHECK_STATUS(RtlStringCchCatNW(w, 5, L"cdef", 1), STATUS_SUCCESS);
    CHECK(wide_is(w, "abc"), "wide cat N");
}

static void lengths(void)
{
    size_t n = 99;
    CHECK_STATUS(RtlStringCchLengthA("hello", 6, &n), STATUS_SUCCESS);
    CHECK_EQ(n, 5);
    CHECK_STATUS(RtlStringCchLengthA("hello", 5, &n), STATUS_INVALID_PARAMETER);   /* no NUL in 5 */
    CHECK_EQ(n, 0);
    CHECK_STATUS(RtlStringCbLengthW(L"hey", 8, &n), STATUS_SUCCESS);
    CHECK_EQ(n, 3 * sizeof(WCHAR));
    CHECK_STATUS(RtlStringCchLengthW(NULL, 8, &n), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCchLengthA("x", 0, NULL), STATUS_INVALID_PARAMETER);
}

static void printf_narrow(void)
{
    char d[40];
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, L"uni");
    CHECK_STATUS(RtlStringCbPrintfA(d, sizeof(d), "%s %d + %d = %d.", "The answer is", 1, 2, 3), STATUS_SUCCESS);
    CHECK(strcmp(d, "The answer is 1 + 2 = 3.") == 0, "got %s", d);
    CHECK_STATUS(RtlStringCbPrintfA(d, sizeof(d), "[%ws|%S|%wZ|%08x|%I64u]", L"w", L"S", &u, 0xbeefu,
                                    (ULONGLONG)1 << 40), STATUS_SUCCESS);
    CHECK(strcmp(d, "[w|S|uni|0000beef|1099511627776]") == 0, "got %s", d);
    CHECK_STATUS(RtlStringCchPrintfA(d, 6, "%d", 123456789), STATUS_BUFFER_OVERFLOW);
    CHECK(strcmp(d, "12345") == 0, "cut: %s", d);
    CHECK_STATUS(RtlStringCbPrintfA(d, 0, "x"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlStringCbPrintfA(d, sizeof(d), NULL), STATUS_INVALID_PARAMETER);
    CHECK(d[0] == 0, "a NULL format leaves an empty string");
}

static void printf_wide(void)
{
    WCHAR d[40];
    /* The RtlStringCbPrintfW page's example. */
    CHECK_STATUS(RtlStringCbPrintfW(d, sizeof(d), L"%s %d + %d = %d.", L"The answer is", 1, 2, 3), STATUS_SUCCESS);
    CHECK(wide_is(d, "The answer is 1 + 2 = 3."), "the page's example");
    CHECK_STATUS(RtlStringCchPrintfW(d, 40, L"%S|%hs|%ls|%ws|%c|%C|%%|%5s|", "n", "h", L"l", L"w", L'c', 'C', L"r"),
                 STATUS_SUCCESS);
    CHECK(wide_is(d, "n|h|l|w|c|C|%|    r|"), "wide conversions");
    static const WCHAR uni[] = { 0xE9, 0xD83D, 0xDE00, 0 };   /* é U+1F600: surrogates survive */
    CHECK_STATUS(RtlStringCchPrintfW(d, 40, L"<%s>", uni), STATUS_SUCCESS);
    CHECK(d[0] == '<' && d[1] == 0xE9 && d[2] == 0xD83D && d[3] == 0xDE00 && d[4] == '>' && d[5] == 0,
          "non-ASCII round trip");
    CHECK_STATUS(RtlStringCchPrintfW(d, 5, L"%s", L"truncated"), STATUS_BUFFER_OVERFLOW);
    CHECK(wide_is(d, "trun"), "wide cut");
}

static void unicode_strings(void)
{
    WCHAR buf[5];
    UNICODE_STRING u = { 0, sizeof(buf), buf }, src;
    CHECK_STATUS(RtlUnicodeStringPrintf(&u, L"%d-%s", 42, L"x"), STATUS_SUCCESS);
    CHECK(u.Length == 4 * sizeof(WCHAR) && memcmp(buf, L"42-x", 8) == 0, "printf: Length %u", u.Length);
    CHECK_STATUS(RtlUnicodeStringCatString(&u, L"yz"), STATUS_BUFFER_OVERFLOW);
    CHECK(u.Length == sizeof(buf) && buf[4] == 'y', "cat cut: Length %u", u.Length);
    RtlInitUnicodeString(&src, L"ab");
    CHECK_STATUS(RtlUnicodeStringCopy(&u, &src), STATUS_SUCCESS);
    CHECK(u.Length == 2 * sizeof(WCHAR) && buf[0] == 'a' && buf[1] == 'b', "copy");
    CHECK_STATUS(RtlUnicodeStringCat(&u, &src), STATUS_SUCCESS);
    CHECK(u.Length == 4 * sizeof(WCHAR) && buf[2] == 'a', "cat");
    CHECK_STATUS(RtlUnicodeStringCopyString(&u, L"123456"), STATUS_BUFFER_OVERFLOW);
    CHECK(u.Length == sizeof(buf) && buf[4] == '5', "copy cut");
    UNICODE_STRING odd = { 0, 3, buf };
    CHECK_STATUS(RtlUnicodeStringPrintf(&odd, L"x"), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlUnicodeStringPrintf(NULL, L"x"), STATUS_INVALID_PARAMETER);
}

int main(void)
{
    copy_and_cat();
    lengths();
    printf_narrow();
    printf_wide();
    unicode_strings();
    return ow_test_result("test_strsafe");
}
