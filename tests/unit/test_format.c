/* SPDX-License-Identifier: MIT */
/* One table of Windows formats printed through both outputs that share
 * src/kernel/format.c: DbgPrint and the WPP runtime (OwWppTrace). Every row
 * must print the same bytes through both, and the bytes the row expects:
 * widths, precision and '-' on wide strings, surrogate pairs as one UTF-8
 * character, lone surrogates as U+FFFD (RtlUnicodeToUTF8N's rule), sized
 * integers. Then the WPP-only %!TYPE! layer on top. */
#include "ktest.h"

static const WCHAR smile[] = { 'a', 0xD83D, 0xDE00, 'b', 0 };   /* a U+1F600 b */
static const WCHAR lone[] = { 'a', 0xD800, 'b', 0xDC00, 0 };    /* two lone halves */
static UNICODE_STRING ustr;
static ANSI_STRING astr;

struct row {
    const char *want;
    void (*dbg)(void);
    void (*wpp)(void);
};

/* A row's format runs through DbgPrint (with "\n" appended, as WPP does). */
#define ROW(name, fmt, ...)                                                            \
    static void name##_dbg(void) { DbgPrint(fmt "\n", __VA_ARGS__); }                   \
    static void name##_wpp(void) { OwWppTrace(2, NULL, "f.c", 1, "fn", fmt, __VA_ARGS__); }

ROW(issue, "[%6S] [%ws] [%-4ls|]", L"ab", smile, L"x")
ROW(counted, "[%wZ] [%-8wZ|] [%8Z]", &ustr, &ustr, &astr)
ROW(sized, "%I64d %I64x %Iu %Ix %I32u %I32d", -5LL, 0x1122334455667788ULL, (SIZE_T)1234567890123ULL,
    (ULONG_PTR)0xabc, 4000000000U, -7)
ROW(widths, "%5d|%-5d|%05x|%.3s|%*d|%-*s|", 42, 42, 0xbeef, "abcdef", 4, 7, 3, "z")
ROW(lengths, "%lu %ld %hd %hhu %llx", (ULONG)4000000000U, (LONG)-2, (short)-3, (unsigned char)200,
    0xffffffffffULL)
ROW(lone_halves, "[%ws]", lone)
ROW(chars, "%C %wc %c %3C|%-3c|", L'y', L'z', 'q', L'w', 'v')
ROW(precision, "%.2ws|%.1S|%6.2ls|", L"wide", L"cap", L"left")
ROW(nulls, "[%ws] [%wZ] [%s] [%Z] [%7S]", (PCWSTR)NULL, (PUNICODE_STRING)NULL, (char *)NULL,
    (PANSI_STRING)NULL, (PCWSTR)NULL)
ROW(misc, "%p 100%% %y %.2f %hs", (void *)0x1234, 1.5, "narrow")

static const struct row table[] = {
#define R(name, want) { want, name##_dbg, name##_wpp }
    R(issue, "[    ab] [a\xF0\x9F\x98\x80" "b] [x   |]\n"),
    R(counted, "[W\xC3\xA9sk] [W\xC3\xA9sk   |] [    ansi]\n"),
    R(sized, "-5 1122334455667788 1234567890123 abc 4000000000 -7\n"),
    R(widths, "   42|42   |0beef|abc|   7|z  |\n"),
    R(lengths, "4000000000 -2 -3 200 ffffffffff\n"),
    R(lone_halves, "[a\xEF\xBF\xBD" "b\xEF\xBF\xBD]\n"),
    R(chars, "y z q   w|v  |\n"),
    R(precision, "wi|c|    le|\n"),
    R(nulls, "[(null)] [(null)] [(null)] [(null)] [ (null)]\n"),
    R(misc, "0x1234 100% %y 1.50 narrow\n"),
#undef R
};

static void wpp_types(void)
{
    OwWppTrace(2, "Flag", "/src/dir/file.c", 77, "Func", "%!STATUS! %!FUNC! %!FILE!:%!LINE! %!bool! [%-6S]",
               (int)STATUS_CANCELLED, 1, L"wz");
}

int main(void)
{
    RtlInitUnicodeString(&ustr, L"W\u00e9sk");
    RtlInitAnsiString(&astr, "ansi");
    char dbg[1024], wpp[1024];
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        ow_test_capture_stderr(table[i].dbg, dbg, sizeof(dbg));
        ow_test_capture_stderr(table[i].wpp, wpp, sizeof(wpp));
        CHECK(strcmp(dbg, table[i].want) == 0, "row %zu DbgPrint: [%s], want [%s]", i, dbg, table[i].want);
        CHECK(strcmp(wpp, table[i].want) == 0, "row %zu OwWppTrace: [%s], want [%s]", i, wpp, table[i].want);
    }
    ow_test_capture_stderr(wpp_types, wpp, sizeof(wpp));
    const char *want = "[Flag] STATUS_CANCELLED Func file.c:77 TRUE [wz    ]\n";
    CHECK(strcmp(wpp, want) == 0, "WPP types: [%s], want [%s]", wpp, want);
    return ow_test_result("test_format");
}
