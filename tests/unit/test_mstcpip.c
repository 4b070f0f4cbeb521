/* SPDX-License-Identifier: MIT */
/* The address helpers of ws2ipdef.h and mstcpip.h (header only): each one's
 * true and false cases, addresses and ports as stored (network byte order),
 * the setters' every field, the unaligned forms from odd addresses.
 * The families, as Microsoft documents them:
 * https://learn.microsoft.com/windows/win32/api/ws2ipdef/ (IN6_IS_ADDR_*,
 *   IN6_SET_ADDR_*, IN6ADDR_*; e.g. nf-ws2ipdef-in6_is_addr_linklocal)
 * https://learn.microsoft.com/windows/win32/api/mstcpip/ (IN4_*, IN4ADDR_*,
 *   IN6_* and IN6ADDR_* of mstcpip.h; e.g. nf-mstcpip-in4_is_addr_loopback) */
#include "ktest.h"

#include <ip2string.h>
#include <mstcpip.h>

static IN_ADDR A4(UCHAR b1, UCHAR b2, UCHAR b3, UCHAR b4)
{
    IN_ADDR a;
    a.S_un.S_un_b.s_b1 = b1;
    a.S_un.S_un_b.s_b2 = b2;
    a.S_un.S_un_b.s_b3 = b3;
    a.S_un.S_un_b.s_b4 = b4;
    return a;
}

static IN6_ADDR A6(const char *text)
{
    IN6_ADDR a;
    PCSTR end = NULL;
    memset(&a, 0, sizeof(a));
    NTSTATUS st = RtlIpv6StringToAddressA(text, &end, &a);
    CHECK(st == STATUS_SUCCESS && end != NULL && *end == '\0', "cannot parse %s", text);
    return a;
}

static BOOLEAN Same6(const IN6_ADDR *a, const char *text)
{
    IN6_ADDR b = A6(text);
    return (BOOLEAN)(memcmp(a, &b, sizeof(b)) == 0);
}

static SCOPE_ID Scope(ULONG zone, SCOPE_LEVEL level)
{
    SCOPE_ID s;
    s.Value = 0;
    s.Zone = zone;
    s.Level = level;
    return s;
}

/* An IN_ADDR one byte past an aligned boundary (the UNALIGNED forms). */
static const IN_ADDR *Odd4(UCHAR *buf, IN_ADDR a)
{
    memcpy(buf + 1, &a, sizeof(a));
    return (const IN_ADDR *)(void *)(buf + 1);
}

/* ---- ws2ipdef.h, IPv6 addresses ------------------------------------------------
 * https://learn.microsoft.com/windows/win32/api/ws2ipdef/nf-ws2ipdef-in6_is_addr_sitelocal
 * and its siblings. */
static void test_in6_classes(void)
{
    IN6_ADDR a;

    a = A6("::");
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&a) && !IN6_IS_ADDR_LOOPBACK(&a));
    a = A6("::1");
    CHECK(IN6_IS_ADDR_LOOPBACK(&a) && !IN6_IS_ADDR_UNSPECIFIED(&a));
    a = A6("1::");
    CHECK(!IN6_IS_ADDR_LOOPBACK(&a), "1:: is not the loopback (byte order)");

    a = A6("fe80::1");
    CHECK(IN6_IS_ADDR_LINKLOCAL(&a) && !IN6_IS_ADDR_SITELOCAL(&a));
    a = A6("febf:ffff::1");
    CHECK(IN6_IS_ADDR_LINKLOCAL(&a), "fe80::/10 reaches febf");
    a = A6("fec0::1");
    CHECK(IN6_IS_ADDR_SITELOCAL(&a) && !IN6_IS_ADDR_LINKLOCAL(&a));
    a = A6("feff::1");
    CHECK(IN6_IS_ADDR_SITELOCAL(&a), "fec0::/10 reaches feff");
    a = A6("ff02::1");
    CHECK(!IN6_IS_ADDR_LINKLOCAL(&a), "link-scoped multicast is not link-local unicast");
    a = A6("2001:db8::1");
    CHECK(!IN6_IS_ADDR_SITELOCAL(&a) && !IN6_IS_ADDR_LINKLOCAL(&a));

    /* multicast scopes: the low nibble of the second byte */
    a = A6("ff01::1");
    CHECK(IN6_IS_ADDR_MULTICAST(&a) && IN6_IS_ADDR_MC_NODELOCAL(&a) && !IN6_IS_ADDR_MC_LINKLOCAL(&a));
    a = A6("ff12::1");
    CHECK(IN6_IS_ADDR_MC_LINKLOCAL(&a), "flags (the high nibble) do not change the scope");
    a = A6("ff05::2");
    CHECK(IN6_IS_ADDR_MC_SITELOCAL(&a) && !IN6_IS_ADDR_MC_ORGLOCAL(&a) && !IN6_IS_ADDR_MC_GLOBAL(&a));
    a = A6("ff08::1");
    CHECK(IN6_IS_ADDR_MC_ORGLOCAL(&a) && !IN6_IS_ADDR_MC_SITELOCAL(&a));
    a = A6("ff0e::1");
    CHECK(IN6_IS_ADDR_MC_GLOBAL(&a) && !IN6_IS_ADDR_MC_NODELOCAL(&a));
    a = A6("2e01::1");
    CHECK(!IN6_IS_ADDR_MULTICAST(&a) && !IN6_IS_ADDR_MC_NODELOCAL(&a), "scope nibble of a unicast address");

    /* the forms that carry an IPv4 address */
    a = A6("::ffff:192.0.2.1");
    CHECK(IN6_IS_ADDR_V4MAPPED(&a) && !IN6_IS_ADDR_V4COMPAT(&a) && !IN6_IS_ADDR_V4TRANSLATED(&a));
    a = A6("::192.0.2.1");
    CHECK(IN6_IS_ADDR_V4COMPAT(&a) && !IN6_IS_ADDR_V4MAPPED(&a));
    a = A6("::0.0.0.2");
    CHECK(IN6_IS_ADDR_V4COMPAT(&a));
    a = A6("::1");
    CHECK(!IN6_IS_ADDR_V4COMPAT(&a), "::1 is the loopback, not ::0.0.0.1");
    a = A6("::");
    CHECK(!IN6_IS_ADDR_V4COMPAT(&a) && !IN6_IS_ADDR_V4MAPPED(&a));
    a = A6("::1:0:0:1");
    CHECK(!IN6_IS_ADDR_V4COMPAT(&a));
    a = A6("::ffff:0:192.0.2.1");
    CHECK(IN6_IS_ADDR_V4TRANSLATED(&a) && !IN6_IS_ADDR_V4MAPPED(&a));
    a = A6("1::ffff:0:192.0.2.1");
    CHECK(!IN6_IS_ADDR_V4TRANSLATED(&a));

    /* EUI-64 format and the subnet anycast addresses (RFC 4291, RFC 2526) */
    a = A6("2001:db8::1");
    CHECK(IN6_IS_ADDR_EUI64(&a) && !IN6_IS_ADDR_ANYCAST(&a));
    a = A6("fe80::1");
    CHECK(IN6_IS_ADDR_EUI64(&a));
    a = A6("1fff::1");
    CHECK(!IN6_IS_ADDR_EUI64(&a), "binary prefix 000");
    a = A6("ff02::1");
    CHECK(!IN6_IS_ADDR_EUI64(&a), "multicast");
    a = A6("2001:db8:1:2::");
    CHECK(IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(&a) && IN6_IS_ADDR_ANYCAST(&a) &&
          !IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(&a));
    a = A6("2001:db8:1:2::1");
    CHECK(!IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(&a));
    a = A6("::");
    CHECK(!IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(&a) && !IN6_IS_ADDR_ANYCAST(&a), ":: is not EUI-64");
    a = A6("2001:db8::fdff:ffff:ffff:ff80");
    CHECK(IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(&a) && IN6_IS_ADDR_ANYCAST(&a) &&
          !IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(&a));
    a = A6("2001:db8::fdff:ffff:ffff:ffff");
    CHECK(IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(&a));
    a = A6("2001:db8::fdff:ffff:ffff:ff7f");
    CHECK(!IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(&a), "only the top 128 identifiers");
    a = A6("2001:db8::fcff:ffff:ffff:ff80");
    CHECK(!IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(&a));

    /* global unicast */
    a = A6("2001:db8::1");
    CHECK(IN6_IS_ADDR_GLOBAL(&a));
    a = A6("fd00::1");
    CHECK(IN6_IS_ADDR_GLOBAL(&a), "unique local has global scope (RFC 4193)");
    const char *not_global[] = { "::", "::1", "fe80::1", "fec0::1", "ff0e::1", "::ffff:8.8.8.8",
                                 "::8.8.8.8", "::ffff:0:8.8.8.8" };
    for (size_t i = 0; i < sizeof(not_global) / sizeof(not_global[0]); i++) {
        a = A6(not_global[i]);
        CHECK(!IN6_IS_ADDR_GLOBAL(&a), "%s is not global", not_global[i]);
    }

    IN6_ADDR b = A6("2001:db8::1");
    a = A6("2001:db8::1");
    CHECK(IN6_ADDR_EQUAL(&a, &b));
    b.u.Byte[15] ^= 1;
    CHECK(!IN6_ADDR_EQUAL(&a, &b));

    memset(&a, 0xaa, sizeof(a));
    IN6_SET_ADDR_UNSPECIFIED(&a);
    CHECK(Same6(&a, "::"));
    memset(&a, 0xaa, sizeof(a));
    IN6_SET_ADDR_LOOPBACK(&a);
    CHECK(Same6(&a, "::1"));
}

/* https://learn.microsoft.com/windows/win32/api/ws2ipdef/nf-ws2ipdef-in6addr_setany
 * and the other IN6ADDR_* pages of ws2ipdef.h. */
static void test_in6addr_ws2ipdef(void)
{
    SOCKADDR_IN6 s, t;

    memset(&s, 0xaa, sizeof(s));
    IN6ADDR_SETANY(&s);
    CHECK_EQ(s.sin6_family, 23);
    CHECK_EQ(s.sin6_family, AF_INET6);
    CHECK_EQ(s.sin6_port, 0);
    CHECK_EQ(s.sin6_flowinfo, 0);
    CHECK_EQ(s.sin6_scope_id, 0);
    CHECK(Same6(&s.sin6_addr, "::"));
    CHECK(IN6ADDR_ISANY(&s) && IN6ADDR_ISUNSPECIFIED(&s) && !IN6ADDR_ISLOOPBACK(&s));
    s.sin6_scope_id = 5;
    CHECK(IN6ADDR_ISANY(&s), "the wildcard whatever the scope");
    CHECK(!IN6ADDR_ISUNSPECIFIED(&s), "a scope is specified");

    memset(&s, 0xaa, sizeof(s));
    IN6ADDR_SETLOOPBACK(&s);
    CHECK(s.sin6_family == AF_INET6 && s.sin6_port == 0 && s.sin6_flowinfo == 0 && s.sin6_scope_id == 0);
    CHECK(Same6(&s.sin6_addr, "::1"));
    CHECK(IN6ADDR_ISLOOPBACK(&s) && !IN6ADDR_ISANY(&s) && !IN6ADDR_ISUNSPECIFIED(&s));

    memset(&s, 0, sizeof(s));
    memset(&t, 0, sizeof(t));
    s.sin6_family = t.sin6_family = AF_INET6;
    s.sin6_addr = t.sin6_addr = A6("fe80::1");
    s.sin6_scope_id = t.sin6_scope_id = 3;
    s.sin6_port = RtlUshortByteSwap(80);
    t.sin6_port = RtlUshortByteSwap(443);
    CHECK(IN6ADDR_ISEQUAL(&s, &t), "the port is not part of the address");
    t.sin6_scope_id = 4;
    CHECK(!IN6ADDR_ISEQUAL(&s, &t), "another zone");
    t.sin6_scope_id = 3;
    t.sin6_addr = A6("fe80::2");
    CHECK(!IN6ADDR_ISEQUAL(&s, &t), "another address");
}

/* ---- mstcpip.h, IPv4 ------------------------------------------------------------
 * https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in4_is_addr_loopback
 * and its siblings (IN4_IS_ADDR_*, IN4_IS_UNALIGNED_ADDR_*, IN4_CLASS*). */
static void test_in4_classes(void)
{
    IN_ADDR a;
    UCHAR buf[8];

    /* the constants, as Microsoft's metadata gives them, are stored values */
    a = A4(127, 0, 0, 1);
    CHECK(a.s_addr == IN4ADDR_LOOPBACK, "127.0.0.1 is stored as 0x%08x", (unsigned)a.s_addr);
    a = A4(255, 255, 255, 255);
    CHECK(a.s_addr == IN4ADDR_BROADCAST);
    CHECK(IN4ADDR_LOOPBACKPREFIX_LENGTH == 8 && IN4ADDR_LINKLOCALPREFIX_LENGTH == 16 &&
          IN4ADDR_MULTICASTPREFIX_LENGTH == 4);
    CHECK(IN6ADDR_LINKLOCALPREFIX_LENGTH == 64 && IN6ADDR_MULTICASTPREFIX_LENGTH == 8 &&
          IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH == 104 && IN6ADDR_V4MAPPEDPREFIX_LENGTH == 96 &&
          IN6ADDR_6TO4PREFIX_LENGTH == 16);

    /* classful tests on stored values (https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in4_classa) */
    CHECK(IN4_CLASSA(A4(10, 0, 0, 1).s_addr) && !IN4_CLASSB(A4(10, 0, 0, 1).s_addr));
    CHECK(IN4_CLASSB(A4(128, 1, 0, 1).s_addr) && !IN4_CLASSA(A4(128, 1, 0, 1).s_addr));
    CHECK(IN4_CLASSC(A4(192, 0, 2, 1).s_addr) && !IN4_CLASSB(A4(192, 0, 2, 1).s_addr));
    CHECK(IN4_CLASSD(A4(224, 0, 0, 1).s_addr) && IN4_MULTICAST(A4(239, 1, 2, 3).s_addr));
    CHECK(!IN4_CLASSD(A4(240, 0, 0, 1).s_addr) && !IN4_CLASSC(A4(240, 0, 0, 1).s_addr) &&
          !IN4_MULTICAST(A4(223, 255, 255, 255).s_addr));
    CHECK(!IN4_MULTICAST(A4(1, 0, 0, 224).s_addr), "the first octet is the first byte stored");

    a = A4(0, 0, 0, 0);
    CHECK(IN4_IS_ADDR_UNSPECIFIED(&a) && IN4_IS_UNALIGNED_ADDR_UNSPECIFIED(Odd4(buf, a)));
    a = A4(0, 0, 0, 1);
    CHECK(!IN4_IS_ADDR_UNSPECIFIED(&a) && !IN4_IS_UNALIGNED_ADDR_UNSPECIFIED(Odd4(buf, a)));

    a = A4(127, 0, 0, 1);
    CHECK(IN4_IS_ADDR_LOOPBACK(&a) && IN4_IS_UNALIGNED_ADDR_LOOPBACK(Odd4(buf, a)));
    a = A4(127, 255, 1, 2);
    CHECK(IN4_IS_ADDR_LOOPBACK(&a), "127.0.0.0/8");
    a = A4(128, 0, 0, 1);
    CHECK(!IN4_IS_ADDR_LOOPBACK(&a) && !IN4_IS_UNALIGNED_ADDR_LOOPBACK(Odd4(buf, a)));
    a = A4(1, 0, 0, 127);
    CHECK(!IN4_IS_ADDR_LOOPBACK(&a), "byte order");

    a = A4(255, 255, 255, 255);
    CHECK(IN4_IS_ADDR_BROADCAST(&a) && IN4_IS_UNALIGNED_ADDR_BROADCAST(Odd4(buf, a)));
    a = A4(255, 255, 255, 254);
    CHECK(!IN4_IS_ADDR_BROADCAST(&a) && !IN4_IS_UNALIGNED_ADDR_BROADCAST(Odd4(buf, a)));

    a = A4(224, 0, 0, 1);
    CHECK(IN4_IS_ADDR_MULTICAST(&a) && IN4_IS_UNALIGNED_ADDR_MULTICAST(Odd4(buf, a)));
    a = A4(239, 255, 255, 255);
    CHECK(IN4_IS_ADDR_MULTICAST(&a));
    a = A4(240, 0, 0, 1);
    CHECK(!IN4_IS_ADDR_MULTICAST(&a) && !IN4_IS_UNALIGNED_ADDR_MULTICAST(Odd4(buf, a)));
    a = A4(1, 0, 0, 224);
    CHECK(!IN4_IS_ADDR_MULTICAST(&a), "byte order");

    a = A4(169, 254, 1, 1);
    CHECK(IN4_IS_ADDR_LINKLOCAL(&a) && IN4_IS_UNALIGNED_ADDR_LINKLOCAL(Odd4(buf, a)));
    a = A4(169, 253, 1, 1);
    CHECK(!IN4_IS_ADDR_LINKLOCAL(&a) && !IN4_IS_UNALIGNED_ADDR_LINKLOCAL(Odd4(buf, a)));
    a = A4(224, 0, 0, 1);
    CHECK(!IN4_IS_ADDR_LINKLOCAL(&a), "link-scoped multicast is not link-local (the page)");
    a = A4(127, 0, 0, 1);
    CHECK(!IN4_IS_ADDR_LINKLOCAL(&a), "the loopback is not link-local (the page)");

    static const UCHAR private_[][4] = { { 10, 1, 2, 3 }, { 172, 16, 0, 1 }, { 172, 31, 255, 255 },
                                         { 192, 168, 1, 1 } };
    static const UCHAR public_[][4] = { { 11, 0, 0, 1 }, { 172, 15, 0, 1 }, { 172, 32, 0, 1 },
                                        { 192, 169, 0, 1 }, { 8, 8, 8, 8 } };
    for (size_t i = 0; i < sizeof(private_) / sizeof(private_[0]); i++) {
        a = A4(private_[i][0], private_[i][1], private_[i][2], private_[i][3]);
        CHECK(IN4_IS_ADDR_RFC1918(&a) && IN4_IS_UNALIGNED_ADDR_RFC1918(Odd4(buf, a)) &&
              IN4_IS_ADDR_SITELOCAL(&a), "private %u.%u.%u.%u", private_[i][0], private_[i][1],
              private_[i][2], private_[i][3]);
    }
    for (size_t i = 0; i < sizeof(public_) / sizeof(public_[0]); i++) {
        a = A4(public_[i][0], public_[i][1], public_[i][2], public_[i][3]);
        CHECK(!IN4_IS_ADDR_RFC1918(&a) && !IN4_IS_UNALIGNED_ADDR_RFC1918(Odd4(buf, a)) &&
              !IN4_IS_ADDR_SITELOCAL(&a), "public %u.%u.%u.%u", public_[i][0], public_[i][1],
              public_[i][2], public_[i][3]);
    }

    a = A4(224, 0, 0, 251);
    CHECK(IN4_IS_ADDR_MC_LINKLOCAL(&a) && !IN4_IS_ADDR_MC_ADMINLOCAL(&a) && !IN4_IS_ADDR_MC_SITELOCAL(&a));
    a = A4(224, 0, 1, 1);
    CHECK(!IN4_IS_ADDR_MC_LINKLOCAL(&a));
    a = A4(169, 254, 1, 1);
    CHECK(!IN4_IS_ADDR_MC_LINKLOCAL(&a), "unicast");
    a = A4(239, 255, 0, 1);
    CHECK(IN4_IS_ADDR_MC_ADMINLOCAL(&a) && !IN4_IS_ADDR_MC_SITELOCAL(&a));
    a = A4(239, 192, 0, 1);
    CHECK(IN4_IS_ADDR_MC_SITELOCAL(&a) && !IN4_IS_ADDR_MC_ADMINLOCAL(&a));
    a = A4(238, 255, 0, 1);
    CHECK(!IN4_IS_ADDR_MC_SITELOCAL(&a) && !IN4_IS_ADDR_MC_ADMINLOCAL(&a));

    a = A4(8, 8, 8, 8);
    CHECK(IN4_IS_ADDR_6TO4ELIGIBLE(&a) && IN4_IS_UNALIGNED_ADDR_6TO4ELIGIBLE(Odd4(buf, a)));
    a = A4(192, 0, 2, 1);
    CHECK(IN4_IS_ADDR_6TO4ELIGIBLE(&a));
    static const UCHAR ineligible[][4] = { { 10, 0, 0, 1 }, { 127, 0, 0, 1 }, { 169, 254, 0, 1 },
                                           { 224, 0, 0, 1 }, { 255, 255, 255, 255 }, { 0, 1, 2, 3 },
                                           { 240, 0, 0, 1 }, { 0, 0, 0, 0 } };
    for (size_t i = 0; i < sizeof(ineligible) / sizeof(ineligible[0]); i++) {
        a = A4(ineligible[i][0], ineligible[i][1], ineligible[i][2], ineligible[i][3]);
        CHECK(!IN4_IS_ADDR_6TO4ELIGIBLE(&a) && !IN4_IS_UNALIGNED_ADDR_6TO4ELIGIBLE(Odd4(buf, a)),
              "%u.%u.%u.%u", ineligible[i][0], ineligible[i][1], ineligible[i][2], ineligible[i][3]);
    }

    /* https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in4_addr_equal */
    IN_ADDR x = A4(192, 0, 2, 1), y = A4(192, 0, 2, 1), z = A4(192, 0, 2, 2);
    UCHAR buf2[8];
    CHECK(IN4_ADDR_EQUAL(&x, &y) && !IN4_ADDR_EQUAL(&x, &z));
    CHECK(IN4_UNALIGNED_ADDR_EQUAL(Odd4(buf, x), Odd4(buf2, y)));
    CHECK(!IN4_UNALIGNED_ADDR_EQUAL(Odd4(buf, x), Odd4(buf2, z)));
}

/* https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in4addr_setsockaddr
 * and the other IN4ADDR_* pages. */
static void test_in4addr(void)
{
    SOCKADDR_IN s, t;

    memset(&s, 0xaa, sizeof(s));
    IN4ADDR_SETANY(&s);
    CHECK_EQ(s.sin_family, 2);
    CHECK_EQ(s.sin_family, AF_INET);
    CHECK_EQ(s.sin_port, 0);
    CHECK_EQ(s.sin_addr.s_addr, 0);
    for (int i = 0; i < 8; i++)
        CHECK(s.sin_zero[i] == 0, "sin_zero[%d]", i);
    CHECK(IN4ADDR_ISANY(&s) && IN4ADDR_ISUNSPECIFIED(&s) && !IN4ADDR_ISLOOPBACK(&s));

    memset(&s, 0xaa, sizeof(s));
    IN4ADDR_SETLOOPBACK(&s);
    CHECK(s.sin_family == AF_INET && s.sin_port == 0);
    CHECK(s.sin_addr.S_un.S_un_b.s_b1 == 127 && s.sin_addr.S_un.S_un_b.s_b2 == 0 &&
          s.sin_addr.S_un.S_un_b.s_b3 == 0 && s.sin_addr.S_un.S_un_b.s_b4 == 1, "127.0.0.1 in order");
    CHECK(s.sin_addr.s_addr == IN4ADDR_LOOPBACK);
    CHECK(IN4ADDR_ISLOOPBACK(&s) && !IN4ADDR_ISANY(&s) && !IN4ADDR_ISUNSPECIFIED(&s));

    IN_ADDR addr = A4(192, 0, 2, 7);
    memset(&s, 0xaa, sizeof(s));
    IN4ADDR_SETSOCKADDR(&s, &addr, RtlUshortByteSwap(7000));
    const UCHAR *port = (const UCHAR *)&s.sin_port;
    CHECK(port[0] == 0x1b && port[1] == 0x58, "the port is stored as given (7000 in network order)");
    CHECK(s.sin_family == AF_INET && IN4_ADDR_EQUAL(&s.sin_addr, &addr));
    for (int i = 0; i < 8; i++)
        CHECK(s.sin_zero[i] == 0, "sin_zero[%d]", i);

    t = s;
    t.sin_port = RtlUshortByteSwap(80);
    CHECK(IN4ADDR_ISEQUAL(&s, &t), "the port is not part of the address");
    t.sin_addr = A4(192, 0, 2, 8);
    CHECK(!IN4ADDR_ISEQUAL(&s, &t));

    SCOPE_ID scope = IN4ADDR_SCOPE_ID(&s);
    CHECK_EQ(scope.Value, 0);
}

/* https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in4_uncanonicalize_scope_id
 * https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in6_uncanonicalize_scope_id
 * https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in6_multicast_scope */
static void test_scopes(void)
{
    IN_ADDR a;
    IN6_ADDR b;
    SCOPE_ID s;

    a = A4(169, 254, 1, 1);
    s = Scope(7, ScopeLevelLink);
    IN4_UNCANONICALIZE_SCOPE_ID(&a, &s);
    CHECK(s.Value == 7, "the address's own level goes, the zone stays: 0x%x", (unsigned)s.Value);
    s = Scope(7, ScopeLevelSite);
    IN4_UNCANONICALIZE_SCOPE_ID(&a, &s);
    CHECK(s.Zone == 7 && s.Level == ScopeLevelSite, "another level stays");
    a = A4(10, 0, 0, 1);
    s = Scope(3, ScopeLevelSite);
    IN4_UNCANONICALIZE_SCOPE_ID(&a, &s);
    CHECK_EQ(s.Value, 3);
    a = A4(8, 8, 8, 8);
    s = Scope(7, ScopeLevelGlobal);
    IN4_UNCANONICALIZE_SCOPE_ID(&a, &s);
    CHECK_EQ(s.Value, 0);
    a = A4(127, 0, 0, 1);
    s = Scope(1, ScopeLevelInterface);
    IN4_UNCANONICALIZE_SCOPE_ID(&a, &s);
    CHECK_EQ(s.Value, 0);
    a = A4(239, 255, 0, 1);
    s = Scope(9, ScopeLevelAdmin);
    IN4_UNCANONICALIZE_SCOPE_ID(&a, &s);
    CHECK_EQ(s.Value, 9);

    b = A6("fe80::1");
    s = Scope(5, ScopeLevelLink);
    IN6_UNCANONICALIZE_SCOPE_ID(&b, &s);
    CHECK_EQ(s.Value, 5);
    s = Scope(5, ScopeLevelSite);
    IN6_UNCANONICALIZE_SCOPE_ID(&b, &s);
    CHECK(s.Zone == 5 && s.Level == ScopeLevelSite);
    b = A6("fec0::1");
    s = Scope(4, ScopeLevelSite);
    IN6_UNCANONICALIZE_SCOPE_ID(&b, &s);
    CHECK_EQ(s.Value, 4);
    b = A6("ff05::1");
    s = Scope(9, ScopeLevelSite);
    IN6_UNCANONICALIZE_SCOPE_ID(&b, &s);
    CHECK_EQ(s.Value, 9);
    b = A6("2001:db8::1");
    s = Scope(5, ScopeLevelGlobal);
    IN6_UNCANONICALIZE_SCOPE_ID(&b, &s);
    CHECK_EQ(s.Value, 0);
    b = A6("::1");
    s = Scope(1, ScopeLevelInterface);
    IN6_UNCANONICALIZE_SCOPE_ID(&b, &s);
    CHECK_EQ(s.Value, 0);

    b = A6("ff05::1");
    CHECK_EQ(IN6_MULTICAST_SCOPE(b.u.Byte), ScopeLevelSite);
    b = A6("ff02::1");
    CHECK_EQ(IN6_MULTICAST_SCOPE(b.u.Byte), ScopeLevelLink);
    b = A6("ff1e::1");
    CHECK_EQ(IN6_MULTICAST_SCOPE(b.u.Byte), ScopeLevelGlobal);
}

/* https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in6_is_addr_6to4
 * and the other IN6_* pages of mstcpip.h. */
static void test_in6_mstcpip(void)
{
    IN6_ADDR a;
    IN_ADDR v4;
    UCHAR buf[8];

    a = A6("ff01::1");
    CHECK(IN6_IS_ADDR_ALLNODESONNODE(&a) && !IN6_IS_ADDR_ALLNODESONLINK(&a));
    a = A6("ff02::1");
    CHECK(IN6_IS_ADDR_ALLNODESONLINK(&a) && !IN6_IS_ADDR_ALLNODESONNODE(&a) &&
          !IN6_IS_ADDR_ALLROUTERSONLINK(&a));
    a = A6("ff02::2");
    CHECK(IN6_IS_ADDR_ALLROUTERSONLINK(&a) && !IN6_IS_ADDR_ALLNODESONLINK(&a));
    a = A6("ff05::2");
    CHECK(!IN6_IS_ADDR_ALLROUTERSONLINK(&a));
    a = A6("ff02::1:2");
    CHECK(!IN6_IS_ADDR_ALLROUTERSONLINK(&a) && !IN6_IS_ADDR_ALLNODESONLINK(&a));

    a = A6("ff02::1:ff12:3456");
    CHECK(IN6_IS_ADDR_SOLICITEDNODE(&a));
    const char *not_solicited[] = { "ff02::1:fe12:3456", "ff02::2:ff12:3456", "ff05::1:ff12:3456",
                                    "ff02:0:0:1::1:ff12:3456" };
    for (size_t i = 0; i < sizeof(not_solicited) / sizeof(not_solicited[0]); i++) {
        a = A6(not_solicited[i]);
        CHECK(!IN6_IS_ADDR_SOLICITEDNODE(&a), "%s", not_solicited[i]);
    }
    IN6_ADDR unicast = A6("fe80::21a:2bff:fe3c:4d5e");
    memset(&a, 0xaa, sizeof(a));
    IN6_SET_ADDR_SOLICITEDNODE(&a, &unicast);
    CHECK(Same6(&a, "ff02::1:ff3c:4d5e"));
    CHECK(IN6_IS_ADDR_SOLICITEDNODE(&a));
    IN6_ADDR group = A6("ff02::1:ff00:0");
    CHECK(IN6_PREFIX_EQUAL(&a, &group, IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH));

    a = A6("2002:c000:201::1");
    CHECK(IN6_IS_ADDR_6TO4(&a));
    const UCHAR *p = IN6_EXTRACT_V4ADDR_FROM_6TO4(&a);
    CHECK(p[0] == 192 && p[1] == 0 && p[2] == 2 && p[3] == 1, "6to4 carries 192.0.2.1");
    a = A6("2003::1");
    CHECK(!IN6_IS_ADDR_6TO4(&a));

    a = A6("2001:0:4136:e378:8000:63bf:3fff:fdd2");
    CHECK(IN6_IS_ADDR_TEREDO(&a));
    a = A6("2001:db8::1");
    CHECK(!IN6_IS_ADDR_TEREDO(&a));

    a = A6("fe80::5efe:192.0.2.1");
    CHECK(IN6_IS_ADDR_ISATAP(&a));
    p = IN6_EXTRACT_V4ADDR_FROM_ISATAP(&a);
    CHECK(p[0] == 192 && p[1] == 0 && p[2] == 2 && p[3] == 1);
    a = A6("2001:db8::200:5efe:8.8.8.8");
    CHECK(IN6_IS_ADDR_ISATAP(&a), "the u bit");
    a = A6("fe80::300:5efe:192.0.2.1");
    CHECK(!IN6_IS_ADDR_ISATAP(&a), "the g bit");
    a = A6("fe80::1");
    CHECK(!IN6_IS_ADDR_ISATAP(&a));

    a = A6("::ffff:192.0.2.9");
    p = IN6_GET_ADDR_V4MAPPED(&a);
    CHECK(p[0] == 192 && p[1] == 0 && p[2] == 2 && p[3] == 9);
    a = A6("::192.0.2.10");
    p = IN6_GET_ADDR_V4COMPAT(&a);
    CHECK(p[0] == 192 && p[1] == 0 && p[2] == 2 && p[3] == 10);

    v4 = A4(192, 0, 2, 1);
    memset(&a, 0xaa, sizeof(a));
    IN6_SET_ADDR_V4MAPPED(&a, &v4);
    CHECK(Same6(&a, "::ffff:192.0.2.1") && IN6_IS_ADDR_V4MAPPED(&a));
    memset(&a, 0xaa, sizeof(a));
    IN6_SET_ADDR_V4MAPPED(&a, Odd4(buf, v4));
    CHECK(Same6(&a, "::ffff:192.0.2.1"), "from an unaligned IPv4 address");
    memset(&a, 0xaa, sizeof(a));
    IN6_SET_ADDR_V4COMPAT(&a, &v4);
    CHECK(Same6(&a, "::192.0.2.1") && IN6_IS_ADDR_V4COMPAT(&a));

    a = A6("fe80::");
    v4 = A4(192, 0, 2, 1);
    IN6_SET_ISATAP_IDENTIFIER(&a, &v4);
    CHECK(Same6(&a, "fe80::200:5efe:192.0.2.1"), "u bit for a global IPv4 address, prefix kept");
    v4 = A4(10, 0, 0, 1);
    IN6_SET_ISATAP_IDENTIFIER(&a, &v4);
    CHECK(Same6(&a, "fe80::5efe:10.0.0.1"), "no u bit for a private one");
    CHECK(IN6_IS_ADDR_ISATAP(&a));

    a = A6("ffff:ffff:ffff:ffff::1");
    v4 = A4(192, 0, 2, 1);
    IN6_SET_6TO4_PREFIX(&a, &v4);
    CHECK(Same6(&a, "2002:c000:201::1"), "2002, the IPv4 address, subnet 0; the identifier kept");
    CHECK(IN6_IS_ADDR_6TO4(&a));

    IN6_ADDR x = A6("2001:db8::1"), y = A6("2001:db8:ffff::1");
    CHECK(IN6_PREFIX_EQUAL(&x, &y, 32) && !IN6_PREFIX_EQUAL(&x, &y, 33) && IN6_PREFIX_EQUAL(&x, &y, 0));
    y = A6("2001:db8::");
    CHECK(IN6_PREFIX_EQUAL(&x, &y, 127) && !IN6_PREFIX_EQUAL(&x, &y, 128));
    CHECK(!IN6_PREFIX_EQUAL(&x, &y, 200), "a length past 128 counts as 128");
    y = x;
    CHECK(IN6_PREFIX_EQUAL(&x, &y, 128) && IN6_PREFIX_EQUAL(&x, &y, 255));
}

/* https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in6addr_setsockaddr
 * https://learn.microsoft.com/windows/win32/api/mstcpip/nf-mstcpip-in6addr_setv4mapped
 * and the IN6ADDR_IS* pages of mstcpip.h. */
static void test_in6addr_mstcpip(void)
{
    SOCKADDR_IN6 s;
    IN6_ADDR addr = A6("fe80::1");

    memset(&s, 0xaa, sizeof(s));
    IN6ADDR_SETSOCKADDR(&s, &addr, Scope(5, ScopeLevelLink), RtlUshortByteSwap(443));
    const UCHAR *port = (const UCHAR *)&s.sin6_port;
    CHECK(s.sin6_family == AF_INET6 && port[0] == 0x01 && port[1] == 0xbb, "port 443 as given");
    CHECK_EQ(s.sin6_flowinfo, 0);
    CHECK_EQ(s.sin6_scope_id, 5);
    CHECK(Same6(&s.sin6_addr, "fe80::1"));

    addr = A6("2001:db8::1");
    IN6ADDR_SETSOCKADDR(&s, &addr, Scope(5, ScopeLevelGlobal), 0);
    CHECK_EQ(s.sin6_scope_id, 0);
    CHECK(!IN6ADDR_ISV4MAPPED(&s) && !IN6ADDR_IS6TO4(&s) && !IN6ADDR_ISTEREDO(&s) && !IN6ADDR_ISISATAP(&s));

    IN_ADDR v4 = A4(169, 254, 1, 2);
    memset(&s, 0xaa, sizeof(s));
    IN6ADDR_SETV4MAPPED(&s, &v4, Scope(3, ScopeLevelLink), RtlUshortByteSwap(53));
    CHECK(s.sin6_family == AF_INET6 && s.sin6_port == RtlUshortByteSwap(53) && s.sin6_flowinfo == 0);
    CHECK_EQ(s.sin6_scope_id, 3);
    CHECK(Same6(&s.sin6_addr, "::ffff:169.254.1.2") && IN6ADDR_ISV4MAPPED(&s));
    v4 = A4(8, 8, 8, 8);
    IN6ADDR_SETV4MAPPED(&s, &v4, Scope(3, ScopeLevelGlobal), 0);
    CHECK_EQ(s.sin6_scope_id, 0);

    s.sin6_addr = A6("2002:c000:201::1");
    CHECK(IN6ADDR_IS6TO4(&s) && !IN6ADDR_ISV4MAPPED(&s));
    s.sin6_addr = A6("2001:0:4136:e378:8000:63bf:3fff:fdd2");
    CHECK(IN6ADDR_ISTEREDO(&s) && !IN6ADDR_IS6TO4(&s));
    s.sin6_addr = A6("fe80::5efe:192.0.2.1");
    CHECK(IN6ADDR_ISISATAP(&s) && !IN6ADDR_ISTEREDO(&s));
}

/* INETADDR_* and SS_PORT: no Microsoft page of their own; each does what the
 * IN4ADDR_* / IN6ADDR_* page of the same name does, for the sa_family the
 * caller set (include/mstcpip.h). The usual use: INETADDR_SETANY before a
 * WskBind, SS_PORT to put a port in network byte order. */
static void test_inetaddr(void)
{
    SOCKADDR_STORAGE ss;

    IN_ADDR any = IN4ADDR_ANY_INIT, loopback = IN4ADDR_LOOPBACK_INIT;
    CHECK(IN4_IS_ADDR_UNSPECIFIED(&any) && any.s_addr == 0, "IN4ADDR_ANY_INIT is 0.0.0.0");
    CHECK(IN4_IS_ADDR_LOOPBACK(&loopback) && loopback.s_addr == IN4ADDR_LOOPBACK, "IN4ADDR_LOOPBACK_INIT is 127.0.0.1");

    memset(&ss, 0xaa, sizeof(ss));
    ss.ss_family = AF_INET6;
    INETADDR_SETANY((PSOCKADDR)&ss);
    const SOCKADDR_IN6 *s6 = (const SOCKADDR_IN6 *)&ss;
    CHECK(s6->sin6_family == AF_INET6 && s6->sin6_port == 0 && s6->sin6_flowinfo == 0 && s6->sin6_scope_id == 0,
          "INETADDR_SETANY on AF_INET6 writes the IPv6 wildcard");
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
    CHECK(INETADDR_ISANY((PSOCKADDR)&ss) && !INETADDR_ISLOOPBACK((PSOCKADDR)&ss));
    SS_PORT(&ss) = RtlUshortByteSwap(7000);
    CHECK(s6->sin6_port == RtlUshortByteSwap(7000), "SS_PORT is sin6_port");
    CHECK_EQ(INETADDR_PORT((PSOCKADDR)&ss), RtlUshortByteSwap(7000));
    CHECK_EQ(INET_SOCKADDR_LENGTH(AF_INET6), (ULONG)sizeof(SOCKADDR_IN6));

    INETADDR_SETLOOPBACK((PSOCKADDR)&ss);
    CHECK(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) && s6->sin6_port == 0, "IPv6 loopback, port 0");
    CHECK(INETADDR_ISLOOPBACK((PSOCKADDR)&ss) && !INETADDR_ISANY((PSOCKADDR)&ss));

    memset(&ss, 0xaa, sizeof(ss));
    ss.ss_family = AF_INET;
    INETADDR_SETANY((PSOCKADDR)&ss);
    const SOCKADDR_IN *s4 = (const SOCKADDR_IN *)&ss;
    CHECK(s4->sin_family == AF_INET && s4->sin_port == 0 && s4->sin_addr.s_addr == 0,
          "INETADDR_SETANY on AF_INET writes 0.0.0.0, port 0");
    for (int i = 0; i < 8; i++)
        CHECK(s4->sin_zero[i] == 0, "sin_zero[%d]", i);
    INETADDR_SET_PORT((PSOCKADDR)&ss, RtlUshortByteSwap(80));
    CHECK(s4->sin_port == RtlUshortByteSwap(80) && SS_PORT(&ss) == RtlUshortByteSwap(80));
    CHECK_EQ(INETADDR_PORT((PSOCKADDR)&ss), RtlUshortByteSwap(80));
    CHECK_EQ(INET_SOCKADDR_LENGTH(AF_INET), (ULONG)sizeof(SOCKADDR_IN));
    INETADDR_SETLOOPBACK((PSOCKADDR)&ss);
    CHECK(s4->sin_addr.s_addr == IN4ADDR_LOOPBACK && INETADDR_ISLOOPBACK((PSOCKADDR)&ss));
    CHECK(!INETADDR_ISANY((PSOCKADDR)&ss));
}

int main(void)
{
    test_in6_classes();
    test_in6addr_ws2ipdef();
    test_in4_classes();
    test_in4addr();
    test_scopes();
    test_in6_mstcpip();
    test_in6addr_mstcpip();
    test_inetaddr();
    return ow_test_result("test_mstcpip");
}
