/* SPDX-License-Identifier: MIT */
/* ip2string.h with UNICODE defined: every unsuffixed name is the W form, so
 * wide text goes to it (test_rtl_ip.c checks the A side):
 * https://learn.microsoft.com/windows/win32/api/ip2string/nf-ip2string-rtlipv4addresstostringw
 * "When either UNICODE or _UNICODE is defined, RtlIpv4AddressToString is
 * defined to RtlIpv4AddressToStringW", and likewise on the pages of
 * RtlIpv4StringToAddress(Ex), RtlIpv4AddressToStringEx and the RtlIpv6 ones. */
#ifndef UNICODE   /* the driver flags (pkg-config) define it already */
#define UNICODE 1
#endif
#include "ktest.h"

#include <ip2string.h>

static int wide_is(const WCHAR *w, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0'; i++)
        if (w[i] != (WCHAR)(unsigned char)s[i])
            return 0;
    return w[i] == 0;
}

int main(void)
{
    NTSTATUS (*v4s)(PCWSTR, BOOLEAN, PCWSTR *, struct in_addr *) = RtlIpv4StringToAddress;
    NTSTATUS (*v4sx)(PCWSTR, BOOLEAN, struct in_addr *, PUSHORT) = RtlIpv4StringToAddressEx;
    PWSTR (*v4a)(const struct in_addr *, PWSTR) = RtlIpv4AddressToString;
    NTSTATUS (*v4ax)(const struct in_addr *, USHORT, PWSTR, PULONG) = RtlIpv4AddressToStringEx;
    NTSTATUS (*v6s)(PCWSTR, PCWSTR *, struct in6_addr *) = RtlIpv6StringToAddress;
    NTSTATUS (*v6sx)(PCWSTR, struct in6_addr *, PULONG, PUSHORT) = RtlIpv6StringToAddressEx;
    PWSTR (*v6a)(const struct in6_addr *, PWSTR) = RtlIpv6AddressToString;
    NTSTATUS (*v6ax)(const struct in6_addr *, ULONG, USHORT, PWSTR, PULONG) = RtlIpv6AddressToStringEx;
    CHECK(v4s == RtlIpv4StringToAddressW && v4sx == RtlIpv4StringToAddressExW &&
          v4a == RtlIpv4AddressToStringW && v4ax == RtlIpv4AddressToStringExW &&
          v6s == RtlIpv6StringToAddressW && v6sx == RtlIpv6StringToAddressExW &&
          v6a == RtlIpv6AddressToStringW && v6ax == RtlIpv6AddressToStringExW, "unsuffixed != W");

    struct in_addr a4;
    PCWSTR term;
    USHORT port;
    CHECK_STATUS(RtlIpv4StringToAddress(L"172.16.0.9", TRUE, &term, &a4), STATUS_SUCCESS);
    CHECK(*term == 0 && a4.S_un.S_addr == RtlUlongByteSwap(0xAC100009), "v4 parse");
    CHECK_STATUS(RtlIpv4StringToAddressEx(L"172.16.0.9:53", TRUE, &a4, &port), STATUS_SUCCESS);
    CHECK(port == RtlUshortByteSwap(53), "v4 Ex port");
    WCHAR s[INET6_ADDRSTRLEN + 16];
    ULONG len = sizeof(s) / sizeof(s[0]);
    CHECK(RtlIpv4AddressToString(&a4, s) == s + 10 && wide_is(s, "172.16.0.9"), "v4 print");
    CHECK_STATUS(RtlIpv4AddressToStringEx(&a4, port, s, &len), STATUS_SUCCESS);
    CHECK(wide_is(s, "172.16.0.9:53") && len == 14, "v4 Ex print, length %lu", (unsigned long)len);

    struct in6_addr a6;
    ULONG scope;
    CHECK_STATUS(RtlIpv6StringToAddress(L"fe80::9", &term, &a6), STATUS_SUCCESS);
    CHECK(*term == 0 && a6.u.Byte[15] == 9, "v6 parse");
    CHECK_STATUS(RtlIpv6StringToAddressEx(L"[fe80::9%2]:53", &a6, &scope, &port), STATUS_SUCCESS);
    CHECK(scope == 2 && port == RtlUshortByteSwap(53), "v6 Ex");
    CHECK(RtlIpv6AddressToString(&a6, s) == s + 7 && wide_is(s, "fe80::9"), "v6 print");
    len = sizeof(s) / sizeof(s[0]);
    CHECK_STATUS(RtlIpv6AddressToStringEx(&a6, scope, port, s, &len), STATUS_SUCCESS);
    CHECK(wide_is(s, "[fe80::9%2]:53") && len == 15, "v6 Ex print, length %lu", (unsigned long)len);
    return ow_test_result("test_rtl_ip_unicode");
}
