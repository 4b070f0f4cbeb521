/* SPDX-License-Identifier: MIT */
/* src/kernel/rtl_unicode.c against its reference pages: appending
 * (RtlAppendUnicodeStringToString: STATUS_BUFFER_TOO_SMALL and nothing
 * changed when it does not fit), case, prefixes, integers to and from text
 * (RtlUnicodeStringToInteger: Base 0 takes a 0x/0o/0b prefix; an invalid
 * base is STATUS_INVALID_PARAMETER), and GUID strings, round trip. */
#include "ktest.h"

static BOOLEAN is(PCUNICODE_STRING u, const char *want)
{
    size_t n = strlen(want);
    if (u->Length != n * sizeof(WCHAR))
        return FALSE;
    for (size_t i = 0; i < n; i++)
        if (u->Buffer[i] != (WCHAR)(unsigned char)want[i])
            return FALSE;
    return TRUE;
}

static void appending(void)
{
    WCHAR buf[8];
    UNICODE_STRING d = { 0, sizeof(buf), buf }, s;
    RtlInitUnicodeString(&s, L"abc");
    CHECK_STATUS(RtlAppendUnicodeStringToString(&d, &s), STATUS_SUCCESS);
    CHECK_STATUS(RtlAppendUnicodeToString(&d, L"de"), STATUS_SUCCESS);
    CHECK(is(&d, "abcde") && buf[5] == 0, "appended");
    CHECK_STATUS(RtlAppendUnicodeToString(&d, L"fghi"), STATUS_BUFFER_TOO_SMALL);
    CHECK(is(&d, "abcde"), "a failed append changed the string");
    CHECK_STATUS(RtlAppendUnicodeToString(&d, L"fgh"), STATUS_SUCCESS);
    CHECK(is(&d, "abcdefgh"), "exact fit");
}

static void casing(void)
{
    CHECK(RtlUpcaseUnicodeChar(L'a') == L'A' && RtlUpcaseUnicodeChar(0xE9) == 0xC9 && RtlUpcaseUnicodeChar(0xF7) == 0xF7 &&
              RtlUpcaseUnicodeChar(L'1') == L'1' && RtlDowncaseUnicodeChar(L'Q') == L'q',
          "characters");
    UNICODE_STRING s, up, pre;
    RtlInitUnicodeString(&s, L"MixedCase1");
    CHECK_STATUS(RtlUpcaseUnicodeString(&up, &s, TRUE), STATUS_SUCCESS);
    CHECK(is(&up, "MIXEDCASE1"), "upcased");
    RtlFreeUnicodeString(&up);
    CHECK_STATUS(RtlDowncaseUnicodeString(&up, &s, TRUE), STATUS_SUCCESS);
    CHECK(is(&up, "mixedcase1"), "downcased");
    RtlFreeUnicodeString(&up);
    RtlInitUnicodeString(&pre, L"mixed");
    CHECK(RtlPrefixUnicodeString(&pre, &s, TRUE) && !RtlPrefixUnicodeString(&pre, &s, FALSE), "prefix");
    CHECK(!RtlPrefixUnicodeString(&s, &pre, TRUE), "a longer string is no prefix");
    /* The comparisons ignore case by the same rule as RtlUpcaseUnicodeChar. */
    static const WCHAR lower[] = { 0xE9, 't', 0xE9, 0 }, upper[] = { 0xC9, 'T', 0xC9, 0 };
    UNICODE_STRING l, u;
    RtlInitUnicodeString(&l, lower);
    RtlInitUnicodeString(&u, upper);
    CHECK(RtlEqualUnicodeString(&l, &u, TRUE) && !RtlEqualUnicodeString(&l, &u, FALSE) &&
              RtlPrefixUnicodeString(&u, &l, TRUE),
          "case-insensitive compare and prefix disagree with RtlUpcaseUnicodeChar");
}

static void integers(void)
{
    ULONG v = 7;
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, L"  -42xyz");
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 0, &v), STATUS_SUCCESS);
    CHECK(v == (ULONG)-42, "value %ld", (long)v);
    RtlInitUnicodeString(&u, L"0x1F");
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 0, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 31);
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 3, &v), STATUS_INVALID_PARAMETER);
    /* An empty string fails; blanks, or no number, give 0 and succeed
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlunicodestringtointeger,
     * Return value and its table of examples). */
    RtlInitUnicodeString(&u, L"");
    v = 7;
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 10, &v), STATUS_INVALID_PARAMETER);
    RtlInitUnicodeString(&u, L"      ");
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 10, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 0);
    RtlInitUnicodeString(&u, L"xyz");
    v = 7;
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 10, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 0);
    RtlInitUnicodeString(&u, L"   +678abc");
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 16, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 6785724);
    RtlInitUnicodeString(&u, L"789");
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 8, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 7);
    CHECK_STATUS(RtlCharToInteger("0b101", 0, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 5);
    CHECK_STATUS(RtlCharToInteger("777", 8, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 511);
    WCHAR buf[4];
    UNICODE_STRING out = { 0, sizeof(buf), buf };
    CHECK_STATUS(RtlIntegerToUnicodeString(255, 16, &out), STATUS_SUCCESS);
    CHECK(is(&out, "FF") && buf[2] == 0, "hex");
    CHECK_STATUS(RtlIntegerToUnicodeString(12345, 10, &out), STATUS_BUFFER_OVERFLOW);
    /* The result is "a null-terminated string": four digits in four WCHARs
     * leave no room for the terminator, so the buffer is too small
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlintegertounicodestring). */
    buf[0] = 'x';
    CHECK_STATUS(RtlIntegerToUnicodeString(1234, 10, &out), STATUS_BUFFER_OVERFLOW);
    CHECK(buf[0] == 'x', "a result that does not fit is not written");
    CHECK_STATUS(RtlIntegerToUnicodeString(123, 10, &out), STATUS_SUCCESS);
    CHECK(is(&out, "123") && buf[3] == 0, "three digits and the terminator fill four WCHARs");
    CHECK_STATUS(RtlIntegerToUnicodeString(1, 7, &out), STATUS_INVALID_PARAMETER);
}

static void guids(void)
{
    static const GUID g = { 0x12345678, 0x9abc, 0xdef0, { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef } };
    UNICODE_STRING s;
    CHECK_STATUS(RtlStringFromGUID(&g, &s), STATUS_SUCCESS);
    CHECK(is(&s, "{12345678-9ABC-DEF0-0123-456789ABCDEF}"), "GUID text");
    GUID back;
    CHECK_STATUS(RtlGUIDFromString(&s, &back), STATUS_SUCCESS);
    CHECK(memcmp(&back, &g, sizeof(g)) == 0, "round trip");
    RtlFreeUnicodeString(&s);
    RtlInitUnicodeString(&s, L"{12345678-9ABC-DEF0-0123-456789ABCDEG}");
    CHECK_STATUS(RtlGUIDFromString(&s, &back), STATUS_INVALID_PARAMETER);
    RtlInitUnicodeString(&s, L"12345678-9ABC-DEF0-0123-456789ABCDEF");
    CHECK_STATUS(RtlGUIDFromString(&s, &back), STATUS_INVALID_PARAMETER);
}

int main(void)
{
    appending();
    casing();
    integers();
    guids();
    return ow_test_result("test_rtl_unicode");
}
