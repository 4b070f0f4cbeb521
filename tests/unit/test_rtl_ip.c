/* SPDX-License-Identifier: MIT */
/* IPv4/IPv6 text conversions (ip2string.h, src/kernel/rtl_ip.c): strict and
 * loose IPv4 forms, IPv6 compression, scopes and ports, A and W forms. */
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
    return ow_test_result("test_rtl_ip");
}
