/* SPDX-License-Identifier: MIT */
/* RtlUnicodeToUTF8N and RtlUTF8ToUnicodeN (src/kernel/rtl_utf8.c), the one
 * UTF-16 <-> UTF-8 converter, against their documented rules
 * (learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-rtlunicodetoutf8n,
 * .../nf-ntifs-rtlutf8tounicoden): a NULL destination asks for the size;
 * invalid input becomes U+FFFD with STATUS_SOME_NOT_MAPPED; a short
 * destination gets the whole characters that fit and STATUS_BUFFER_TOO_SMALL;
 * NULs are converted; a NULL source is STATUS_INVALID_PARAMETER_4. */
#include "ktest.h"

static void to_utf8(void)
{
    static const WCHAR s[] = { 'a', 0xE9, 0x20AC, 0xD83D, 0xDE00, 0, 'z' };   /* a é € U+1F600 NUL z */
    static const char want[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\0z";
    char out[32];
    ULONG n = 99;
    CHECK_STATUS(RtlUnicodeToUTF8N(NULL, 0, &n, s, sizeof(s)), STATUS_SUCCESS);
    CHECK(n == sizeof(want) - 1, "size asked: %lu", (unsigned long)n);
    CHECK_STATUS(RtlUnicodeToUTF8N(out, sizeof(out), &n, s, sizeof(s)), STATUS_SUCCESS);
    CHECK(n == sizeof(want) - 1 && memcmp(out, want, n) == 0, "converted %lu bytes", (unsigned long)n);

    /* Short buffer: "a", "é" fit in 4 bytes, "€" (3) does not. */
    memset(out, 'X', sizeof(out));
    CHECK_STATUS(RtlUnicodeToUTF8N(out, 4, &n, s, sizeof(s)), STATUS_BUFFER_TOO_SMALL);
    CHECK(n == 3 && memcmp(out, "a\xC3\xA9", 3) == 0 && out[3] == 'X', "partial: %lu", (unsigned long)n);
    /* A surrogate pair is not split either: 6 bytes hold a, é, € but not U+1F600. */
    CHECK_STATUS(RtlUnicodeToUTF8N(out, 8, &n, s, sizeof(s)), STATUS_BUFFER_TOO_SMALL);
    CHECK(n == 6, "pair kept whole: %lu", (unsigned long)n);

    static const WCHAR bad[] = { 0xDC00, 'x', 0xD800 };   /* trailing first, leading last */
    CHECK_STATUS(RtlUnicodeToUTF8N(out, sizeof(out), &n, bad, sizeof(bad)), STATUS_SOME_NOT_MAPPED);
    CHECK(n == 7 && memcmp(out, "\xEF\xBF\xBDx\xEF\xBF\xBD", 7) == 0, "lone halves: %lu", (unsigned long)n);

    CHECK_STATUS(RtlUnicodeToUTF8N(out, sizeof(out), &n, NULL, 2), STATUS_INVALID_PARAMETER_4);
    CHECK_STATUS(RtlUnicodeToUTF8N(NULL, 0, NULL, s, 2), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlUnicodeToUTF8N(out, sizeof(out), &n, s, 3), STATUS_INVALID_PARAMETER_5);
}

static void to_utf16(void)
{
    static const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    static const WCHAR want[] = { 'a', 0xE9, 0x20AC, 0xD83D, 0xDE00 };
    WCHAR out[16];
    ULONG n = 0;
    CHECK_STATUS(RtlUTF8ToUnicodeN(NULL, 0, &n, s, sizeof(s) - 1), STATUS_SUCCESS);
    CHECK(n == sizeof(want), "size asked: %lu", (unsigned long)n);
    CHECK_STATUS(RtlUTF8ToUnicodeN(out, sizeof(out), &n, s, sizeof(s) - 1), STATUS_SUCCESS);
    CHECK(n == sizeof(want) && memcmp(out, want, n) == 0, "converted %lu bytes", (unsigned long)n);
    CHECK_STATUS(RtlUTF8ToUnicodeN(out, 8, &n, s, sizeof(s) - 1), STATUS_BUFFER_TOO_SMALL);
    CHECK(n == 6, "pair kept whole: %lu", (unsigned long)n);

    /* A stray continuation byte, an overlong '/', an encoded surrogate, a cut sequence. */
    static const char bad[] = "\x80" "x" "\xC0\xAF" "\xED\xA0\x80" "\xE2\x82";
    CHECK_STATUS(RtlUTF8ToUnicodeN(out, sizeof(out), &n, bad, sizeof(bad) - 1), STATUS_SOME_NOT_MAPPED);
    CHECK(n >= 4 && out[0] == 0xFFFD && out[1] == 'x' && out[n / 2 - 1] == 0xFFFD,
          "bad input: %lu bytes", (unsigned long)n);
    for (ULONG i = 0; i < n / 2; i++)
        CHECK(out[i] == 'x' || out[i] == 0xFFFD, "unit %lu is 0x%x", (unsigned long)i, out[i]);
    CHECK_STATUS(RtlUTF8ToUnicodeN(out, sizeof(out), &n, NULL, 1), STATUS_INVALID_PARAMETER_4);
}

int main(void)
{
    to_utf8();
    to_utf16();
    return ow_test_result("test_rtl_utf8");
}
