/* SPDX-License-Identifier: MIT */
/* IPv4/IPv6 text conversions (ip2string.h, src/kernel/rtl_ip.c): strict and
 * loose IPv4 forms, IPv6 compression, scopes and ports, A and W forms, and
 * which form the unsuffixed names are without UNICODE (the UNICODE side:
 * test_rtl_ip_unicode.c). The W forms must answer exactly as the A forms:
 * https://learn.microsoft.com/windows/win32/api/ip2string/nf-ip2string-rtlipv4stringtoaddressexw
 * https://learn.microsoft.com/windows/win32/api/ip2string/nf-ip2string-rtlipv6stringtoaddressexw
 * https://learn.microsoft.com/windows/win32/api/ip2string/nf-ip2string-rtlipv4addresstostringexw
 * https://learn.microsoft.com/windows/win32/api/ip2string/nf-ip2string-rtlipv6addresstostringexw */
/* A driver built with the multi-byte character set: the driver flags define
 * UNICODE and _UNICODE (a Visual Studio driver project's default), and such
 * a driver takes them back, as docs/openwsk-load.md says. */
#undef UNICODE
#undef _UNICODE
#include "ktest.h"

#include <ip2string.h>

static void v4_ok(const char *s, BOOLEAN strict, const char *back)
{
    struct in_addr a;
    const char *term = NULL;
    NTSTATUS st = RtlIpv4StringToAddressA(s, strict, &term, &a);
    CHECK(st == STATUS_SUCCESS && term && *term == '\0', "parse \"%s\": %s", s, OwStatusName(st));
    char out[INET_ADDRSTRLEN];
    char *end = RtlIpv4AddressToStringA(&a, out);
    CHECK(strcmp(out, back) == 0 && *end == '\0' && end == out + strlen(out),
          "\"%s\" printed as \"%s\", want \"%s\"", s, out, back);
}

static void v4_bad(const char *s, BOOLEAN strict)
{
    struct in_addr a;
    const char *term;
    NTSTATUS st = RtlIpv4StringToAddressA(s, strict, &term, &a);
    CHECK(st == STATUS_INVALID_PARAMETER, "\"%s\" accepted (%s)", s, OwStatusName(st));
}

static void v6_ok(const char *s, const char *back)
{
    struct in6_addr a;
    const char *term = NULL;
    NTSTATUS st = RtlIpv6StringToAddressA(s, &term, &a);
    CHECK(st == STATUS_SUCCESS && term && *term == '\0', "parse \"%s\": %s", s, OwStatusName(st));
    char out[INET6_ADDRSTRLEN];
    char *end = RtlIpv6AddressToStringA(&a, out);
    CHECK(strcmp(out, back) == 0 && *end == '\0', "\"%s\" printed as \"%s\", want \"%s\"", s, out, back);
}

static void v6_bad(const char *s)
{
    struct in6_addr a;
    const char *term;
    NTSTATUS st = RtlIpv6StringToAddressA(s, &term, &a);
    CHECK(st == STATUS_INVALID_PARAMETER, "\"%s\" accepted (%s)", s, OwStatusName(st));
}

/* A wide copy of an ASCII string (tests only). */
static const WCHAR *wide(const char *s)
{
    static WCHAR buf[4][300];
    static int next;
    WCHAR *w = buf[next++ % 4];
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < 300; i++)
        w[i] = (WCHAR)(unsigned char)s[i];
    w[i] = 0;
    return w;
}

/* ExW answers as ExA does, for valid and invalid text alike. */
static void v4_ex_same(const char *s, BOOLEAN strict)
{
    struct in_addr a = { { { 0 } } }, w = { { { 0 } } };
    USHORT pa = 0x1111, pw = 0x1111;
    NTSTATUS sa = RtlIpv4StringToAddressExA(s, strict, &a, &pa);
    NTSTATUS sw = RtlIpv4StringToAddressExW(wide(s), strict, &w, &pw);
    CHECK(sa == sw && pa == pw && a.S_un.S_addr == w.S_un.S_addr,
          "\"%s\": A %s port %u, W %s port %u", s, OwStatusName(sa), pa, OwStatusName(sw), pw);
}

static void v6_ex_same(const char *s)
{
    struct in6_addr a, w;
    memset(&a, 0, sizeof(a));
    memset(&w, 0, sizeof(w));
    ULONG ca = 7, cw = 7;
    USHORT pa = 0x1111, pw = 0x1111;
    NTSTATUS sa = RtlIpv6StringToAddressExA(s, &a, &ca, &pa);
    NTSTATUS sw = RtlIpv6StringToAddressExW(wide(s), &w, &cw, &pw);
    CHECK(sa == sw && pa == pw && ca == cw && memcmp(&a, &w, sizeof(a)) == 0,
          "\"%s\": A %s, W %s", s, OwStatusName(sa), OwStatusName(sw));
}

/* A wide string equals an ASCII one. */
static int wide_is(const WCHAR *w, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0'; i++)
        if (w[i] != (WCHAR)(unsigned char)s[i])
            return 0;
    return w[i] == 0;
}

static void ex_w_forms(void)
{
    static const char *const v4[] = {
        "1.2.3.4", "1.2.3.4:80", "10.0.0.1:65535", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4x",
        "256.0.0.1", ":80", "", "0x7f.1:8", "1.2.3.4:8a",
        /* longer than the W form's stack copy: the allocated path */
        "127.0.0.1:00000000000000000000000000000000000000000000000000000000000000000000000443",
    };
    for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
        v4_ex_same(v4[i], TRUE);
        v4_ex_same(v4[i], FALSE);
    }
    struct in_addr a4;
    USHORT port = 0;
    CHECK_STATUS(RtlIpv4StringToAddressExW(L"192.168.1.2:8080", TRUE, &a4, &port), STATUS_SUCCESS);
    CHECK(a4.S_un.S_addr == RtlUlongByteSwap(0xC0A80102) && port == RtlUshortByteSwap(8080), "v4 ExW");
    CHECK_STATUS(RtlIpv4StringToAddressExW(L"127.0.0.1:0000000000000000000000000000000000000000000000000000000000000000080",
                                           TRUE, &a4, &port), STATUS_SUCCESS);
    CHECK(port == RtlUshortByteSwap(80), "long ExW port %u", RtlUshortByteSwap(port));
    /* The A prefix of this string is an address: the W form must still see
     * the non-ASCII character after it. */
    CHECK_STATUS(RtlIpv4StringToAddressExW(L"1.2.3.4\u00e9", TRUE, &a4, &port), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4StringToAddressExW(L"1.2.3.4:8\u0660", TRUE, &a4, &port), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4StringToAddressExW(NULL, TRUE, &a4, &port), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4StringToAddressExW(L"1.2.3.4", TRUE, NULL, &port), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4StringToAddressExW(L"1.2.3.4", TRUE, &a4, NULL), STATUS_INVALID_PARAMETER);

    static const char *const v6[] = {
        "::1", "fe80::1%3", "[fe80::1%3]:443", "[::1]", "[::1]:", "::1]", "[::1", "[::1]:99999",
        "1:2:3:4:5:6:7:8", "1::2::3", "::ffff:1.2.3.4", "[::ffff:1.2.3.4%4294967295]:1", "fe80::1%",
        "[0000:0000:0000:0000:0000:0000:0000:0001%00000000000000000000000000000000000000000000001]:0000000000080",
    };
    for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
        v6_ex_same(v6[i]);
    struct in6_addr a6;
    ULONG scope = 0;
    CHECK_STATUS(RtlIpv6StringToAddressExW(L"[fe80::2%7]:8443", &a6, &scope, &port), STATUS_SUCCESS);
    CHECK(a6.u.Byte[0] == 0xfe && a6.u.Byte[15] == 2 && scope == 7 && port == RtlUshortByteSwap(8443),
          "v6 ExW scope %lu", (unsigned long)scope);
    CHECK_STATUS(RtlIpv6StringToAddressExW(L"::1\u00e9", &a6, &scope, &port), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv6StringToAddressExW(NULL, &a6, &scope, &port), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv6StringToAddressExW(L"::1", &a6, NULL, &port), STATUS_INVALID_PARAMETER);

    /* Printing: the W text is the A text, lengths in characters with the NUL. */
    WCHAR w[INET6_ADDRSTRLEN + 16];
    char c[INET6_ADDRSTRLEN + 16];
    ULONG wl = sizeof(w) / sizeof(w[0]), cl = sizeof(c);
    a4.S_un.S_addr = RtlUlongByteSwap(0x0A000001);
    CHECK_STATUS(RtlIpv4AddressToStringExW(&a4, RtlUshortByteSwap(8080), w, &wl), STATUS_SUCCESS);
    CHECK_STATUS(RtlIpv4AddressToStringExA(&a4, RtlUshortByteSwap(8080), c, &cl), STATUS_SUCCESS);
    CHECK(wide_is(w, "10.0.0.1:8080") && strcmp(c, "10.0.0.1:8080") == 0 && wl == 14 && cl == 14,
          "v4 Ex print, lengths %lu %lu", (unsigned long)wl, (unsigned long)cl);
    wl = sizeof(w) / sizeof(w[0]);
    CHECK_STATUS(RtlIpv4AddressToStringExW(&a4, 0, w, &wl), STATUS_SUCCESS);
    CHECK(wide_is(w, "10.0.0.1") && wl == 9, "v4 ExW without port");
    /* Too small, or no buffer: STATUS_INVALID_PARAMETER and the length needed. */
    wl = 13;
    w[0] = 0x7777;
    CHECK_STATUS(RtlIpv4AddressToStringExW(&a4, RtlUshortByteSwap(8080), w, &wl), STATUS_INVALID_PARAMETER);
    CHECK(wl == 14 && w[0] == 0x7777, "short ExW buffer: length %lu", (unsigned long)wl);
    wl = 0;
    CHECK_STATUS(RtlIpv4AddressToStringExW(&a4, 0, NULL, &wl), STATUS_INVALID_PARAMETER);
    CHECK(wl == 9, "ExW size query %lu", (unsigned long)wl);
    CHECK_STATUS(RtlIpv4AddressToStringExW(NULL, 0, w, &wl), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlIpv4AddressToStringExW(&a4, 0, w, NULL), STATUS_INVALID_PARAMETER);

    CHECK_STATUS(RtlIpv6StringToAddressExA("::1", &a6, &scope, &port), STATUS_SUCCESS);
    wl = sizeof(w) / sizeof(w[0]);
    cl = sizeof(c);
    CHECK_STATUS(RtlIpv6AddressToStringExW(&a6, 5, RtlUshortByteSwap(443), w, &wl), STATUS_SUCCESS);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a6, 5, RtlUshortByteSwap(443), c, &cl), STATUS_SUCCESS);
    CHECK(wide_is(w, "[::1%5]:443") && strcmp(c, "[::1%5]:443") == 0 && wl == 12 && cl == 12,
          "v6 Ex print \"%s\", lengths %lu %lu", c, (unsigned long)wl, (unsigned long)cl);
    wl = 3;
    CHECK_STATUS(RtlIpv6AddressToStringExW(&a6, 0, 0, w, &wl), STATUS_INVALID_PARAMETER);
    CHECK(wl == 4, "v6 ExW length needed %lu", (unsigned long)wl);
    wl = 4;
    CHECK_STATUS(RtlIpv6AddressToStringExW(&a6, 0, 0, w, &wl), STATUS_SUCCESS);
    CHECK(wide_is(w, "::1") && wl == 4, "v6 ExW exact fit");
}

/* Without UNICODE (and _UNICODE) each unsuffixed name is the A form, so ANSI
 * text goes to it unchanged (a W form would not even compile here):
 * https://learn.microsoft.com/windows/win32/api/ip2string/nf-ip2string-rtlipv4addresstostringw
 * ("When both UNICODE and _UNICODE are not defined, ... the ANSI version"). */
static void unsuffixed_names_are_a(void)
{
#if defined(UNICODE) || defined(_UNICODE)
    CHECK(0, "this translation unit must not define UNICODE");
#endif
    NTSTATUS (*v4s)(PCSTR, BOOLEAN, PCSTR *, struct in_addr *) = RtlIpv4StringToAddress;
    NTSTATUS (*v4sx)(PCSTR, BOOLEAN, struct in_addr *, PUSHORT) = RtlIpv4StringToAddressEx;
    PSTR (*v4a)(const struct in_addr *, PSTR) = RtlIpv4AddressToString;
    NTSTATUS (*v4ax)(const struct in_addr *, USHORT, PSTR, PULONG) = RtlIpv4AddressToStringEx;
    NTSTATUS (*v6s)(PCSTR, PCSTR *, struct in6_addr *) = RtlIpv6StringToAddress;
    NTSTATUS (*v6sx)(PCSTR, struct in6_addr *, PULONG, PUSHORT) = RtlIpv6StringToAddressEx;
    PSTR (*v6a)(const struct in6_addr *, PSTR) = RtlIpv6AddressToString;
    NTSTATUS (*v6ax)(const struct in6_addr *, ULONG, USHORT, PSTR, PULONG) = RtlIpv6AddressToStringEx;
    CHECK(v4s == RtlIpv4StringToAddressA && v4sx == RtlIpv4StringToAddressExA &&
          v4a == RtlIpv4AddressToStringA && v4ax == RtlIpv4AddressToStringExA &&
          v6s == RtlIpv6StringToAddressA && v6sx == RtlIpv6StringToAddressExA &&
          v6a == RtlIpv6AddressToStringA && v6ax == RtlIpv6AddressToStringExA, "unsuffixed != A");
    struct in_addr a4;
    const char *term;
    USHORT port;
    CHECK_STATUS(RtlIpv4StringToAddress("172.16.0.9", TRUE, &term, &a4), STATUS_SUCCESS);
    CHECK(*term == '\0' && a4.S_un.S_addr == RtlUlongByteSwap(0xAC100009), "unsuffixed v4 parse");
    CHECK_STATUS(RtlIpv4StringToAddressEx("172.16.0.9:53", TRUE, &a4, &port), STATUS_SUCCESS);
    CHECK(port == RtlUshortByteSwap(53), "unsuffixed v4 Ex port");
    char s[INET6_ADDRSTRLEN + 16];
    ULONG len = sizeof(s);
    CHECK(RtlIpv4AddressToString(&a4, s) == s + 10 && strcmp(s, "172.16.0.9") == 0, "unsuffixed v4 print");
    CHECK_STATUS(RtlIpv4AddressToStringEx(&a4, port, s, &len), STATUS_SUCCESS);
    CHECK(strcmp(s, "172.16.0.9:53") == 0, "unsuffixed v4 Ex print %s", s);
    struct in6_addr a6;
    ULONG scope;
    CHECK_STATUS(RtlIpv6StringToAddress("fe80::9", &term, &a6), STATUS_SUCCESS);
    CHECK_STATUS(RtlIpv6StringToAddressEx("[fe80::9%2]:53", &a6, &scope, &port), STATUS_SUCCESS);
    CHECK(scope == 2 && port == RtlUshortByteSwap(53), "unsuffixed v6 Ex");
    RtlIpv6AddressToString(&a6, s);
    CHECK(strcmp(s, "fe80::9") == 0, "unsuffixed v6 print %s", s);
    len = sizeof(s);
    CHECK_STATUS(RtlIpv6AddressToStringEx(&a6, scope, port, s, &len), STATUS_SUCCESS);
    CHECK(strcmp(s, "[fe80::9%2]:53") == 0, "unsuffixed v6 Ex print %s", s);
}

int main(void)
{
    v4_ok("1.2.3.4", TRUE, "1.2.3.4");
    v4_ok("255.255.255.255", TRUE, "255.255.255.255");
    v4_ok("0x7f.1", FALSE, "127.0.0.1");
    v4_ok("010.0.0.1", FALSE, "8.0.0.1");
    v4_bad("1.2.3", TRUE);
    v4_bad("256.1.1.1", TRUE);
    v4_bad("1.2.3.4.5", TRUE);
    v4_bad("abc", TRUE);
    v4_bad("1..2.3", FALSE);
    v4_bad("", TRUE);
    struct in_addr a4;
    const char *term;
    CHECK_STATUS(RtlIpv4StringToAddressA("10.0.0.1:80", TRUE, &term, &a4), STATUS_SUCCESS);
    CHECK(strcmp(term, ":80") == 0 && a4.S_un.S_un_b.s_b1 == 10, "terminator \"%s\"", term);
    USHORT port;
    CHECK_STATUS(RtlIpv4StringToAddressExA("10.0.0.1:8080", TRUE, &a4, &port), STATUS_SUCCESS);
    CHECK(port == RtlUshortByteSwap(8080), "Ex port");
    const WCHAR *wterm;
    CHECK_STATUS(RtlIpv4StringToAddressW(L"192.168.1.2", TRUE, &wterm, &a4), STATUS_SUCCESS);
    CHECK(*wterm == 0 && a4.S_un.S_addr == RtlUlongByteSwap(0xC0A80102), "W parse");
    WCHAR w4[INET_ADDRSTRLEN];
    PWSTR wend = RtlIpv4AddressToStringW(&a4, w4);
    CHECK(wend - w4 == 11 && w4[0] == '1' && *wend == 0, "W print");

    v6_ok("::1", "::1");
    v6_ok("::", "::");
    v6_ok("fe80::1", "fe80::1");
    v6_ok("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
    v6_ok("2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1");
    v6_ok("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
    v6_ok("1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8");
    v6_ok("::ffff:1.2.3.4", "::ffff:1.2.3.4");
    v6_ok("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
    v6_bad("1:2:3:4:5:6:7:8:9");
    v6_bad("1::2::3");
    v6_bad("12345::1");
    v6_bad("1:2:3");
    v6_bad(":1::2");
    v6_bad("1:2:3:4:5:6:7:");
    v6_bad("g::1");

    struct in6_addr a6;
    ULONG scope;
    CHECK_STATUS(RtlIpv6StringToAddressExA("fe80::1%3", &a6, &scope, &port), STATUS_SUCCESS);
    CHECK(scope == 3 && port == 0, "scope %lu", (unsigned long)scope);
    CHECK_STATUS(RtlIpv6StringToAddressExA("[::1]:443", &a6, &scope, &port), STATUS_SUCCESS);
    CHECK(port == RtlUshortByteSwap(443), "v6 Ex port");
    char s6[INET6_ADDRSTRLEN + 16];
    ULONG len = sizeof(s6);
    CHECK_STATUS(RtlIpv6AddressToStringExA(&a6, 5, RtlUshortByteSwap(443), s6, &len), STATUS_SUCCESS);
    CHECK(strcmp(s6, "[::1%5]:443") == 0 && len == strlen(s6) + 1, "v6 Ex print \"%s\"", s6);
    CHECK_STATUS(RtlIpv6StringToAddressW(L"::1", &wterm, &a6), STATUS_SUCCESS);
    CHECK(*wterm == 0 && a6.u.Byte[15] == 1, "v6 W parse");
    ex_w_forms();
    unsuffixed_names_are_a();
    return ow_test_result("test_rtl_ip");
}
