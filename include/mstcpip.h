/* SPDX-License-Identifier: MIT */
/* mstcpip.h: Microsoft-specific TCP/IP extensions (vendor ioctls and their
 * structures, the IN4/IN6 address helpers). The IPPROTO_TCP option numbers
 * (TCP_FASTOPEN 15, TCP_KEEPCNT 16...) come with it through ws2ipdef.h,
 * which is where Windows has them. */
#ifndef OPENWSK_MSTCPIP_H
#define OPENWSK_MSTCPIP_H

#include <ws2def.h>
#include <ws2ipdef.h>

EXTERN_C_START

/* Input of SIO_KEEPALIVE_VALS; times in milliseconds. */
struct tcp_keepalive {
    ULONG onoff;
    ULONG keepalivetime;
    ULONG keepaliveinterval;
};

typedef enum {
    RCVALL_OFF             = 0,
    RCVALL_ON              = 1,
    RCVALL_SOCKETLEVELONLY = 2,
    RCVALL_IPLEVEL         = 3
} RCVALL_VALUE, *PRCVALL_VALUE;

/* Output of SIO_QUERY_RSS_SCALABILITY_INFO. */
typedef struct _RSS_SCALABILITY_INFO {
    BOOLEAN RssEnabled;
} RSS_SCALABILITY_INFO, *PRSS_SCALABILITY_INFO;

#define SIO_RCVALL                     _WSAIOW(IOC_VENDOR, 1)    /* 0x98000001 */
#define SIO_KEEPALIVE_VALS             _WSAIOW(IOC_VENDOR, 4)    /* 0x98000004 */
#define SIO_LOOPBACK_FAST_PATH         _WSAIOW(IOC_VENDOR, 16)   /* 0x98000010 */
#define SIO_TCP_INITIAL_RTO            _WSAIOW(IOC_VENDOR, 17)   /* 0x98000011 */
#define SIO_QUERY_RSS_SCALABILITY_INFO _WSAIOR(IOC_VENDOR, 210)  /* 0x580000D2 */

/* ---- IPv4 and IPv6 address helpers --------------------------------------------
 * The address helpers of mstcpip.h
 * (https://learn.microsoft.com/windows/win32/api/mstcpip/), written from each
 * page's signature and meaning (MSTCPIP_INLINE: static inline here).
 * Addresses are read and written as stored, network byte order; ports are
 * taken and stored as given (network byte order by convention). The
 * constants are the values of Microsoft's Win32 metadata; IN4ADDR_LOOPBACK
 * and IN4ADDR_BROADCAST are ULONGs in network byte order as a little-endian
 * machine (x86, Arm64) holds them in S_addr. */

#define IN4ADDR_LOOPBACK                           0x0100007f  /* 127.0.0.1 */
#define IN4ADDR_BROADCAST                          0xffffffff  /* 255.255.255.255 */
#define IN4ADDR_LOOPBACKPREFIX_LENGTH              8
#define IN4ADDR_LINKLOCALPREFIX_LENGTH             16
#define IN4ADDR_MULTICASTPREFIX_LENGTH             4
#define IN6ADDR_LINKLOCALPREFIX_LENGTH             64
#define IN6ADDR_MULTICASTPREFIX_LENGTH             8
#define IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH 104
#define IN6ADDR_V4MAPPEDPREFIX_LENGTH              96
#define IN6ADDR_6TO4PREFIX_LENGTH                  16

/* IN_ADDR initialisers (no Microsoft page; drivers write
 * `IN_ADDR a = IN4ADDR_ANY_INIT;` as IN6ADDR_ANY_INIT in ws2ipdef.h): the
 * wildcard and the loopback address, octet by octet (S_un_b is the first
 * member of IN_ADDR's union). */
#define IN4ADDR_ANY_INIT      { { { 0, 0, 0, 0 } } }
#define IN4ADDR_LOOPBACK_INIT { { { 127, 0, 0, 1 } } }

/* The first octet of an IPv4 address held as stored in a ULONG. */
static inline UCHAR OwIn4FirstOctet(ULONG i)
{
    return *(const UCHAR *)&i;
}

/* The classful tests take an S_addr value (network byte order). */
#define IN4_CLASSA(i) ((OwIn4FirstOctet((ULONG)(i)) & 0x80) == 0x00)
#define IN4_CLASSB(i) ((OwIn4FirstOctet((ULONG)(i)) & 0xc0) == 0x80)
#define IN4_CLASSC(i) ((OwIn4FirstOctet((ULONG)(i)) & 0xe0) == 0xc0)
#define IN4_CLASSD(i) ((OwIn4FirstOctet((ULONG)(i)) & 0xf0) == 0xe0)
#define IN4_MULTICAST(i) IN4_CLASSD(i)

/* An IN_ADDR read byte by byte from where a points (which may be unaligned). */
static inline IN_ADDR OwIn4Load(const IN_ADDR *a)
{
    IN_ADDR v;
    const UCHAR *s = (const UCHAR *)a;
    v.S_un.S_un_b.s_b1 = s[0];
    v.S_un.S_un_b.s_b2 = s[1];
    v.S_un.S_un_b.s_b3 = s[2];
    v.S_un.S_un_b.s_b4 = s[3];
    return v;
}

static inline BOOLEAN IN4_ADDR_EQUAL(const IN_ADDR *a, const IN_ADDR *b)
{
    return (BOOLEAN)(a->s_addr == b->s_addr);
}

static inline BOOLEAN IN4_UNALIGNED_ADDR_EQUAL(const IN_ADDR *a, const IN_ADDR *b)
{
    IN_ADDR x = OwIn4Load(a), y = OwIn4Load(b);
    return IN4_ADDR_EQUAL(&x, &y);
}

/* 0.0.0.0 (INADDR_ANY). */
static inline BOOLEAN IN4_IS_ADDR_UNSPECIFIED(const IN_ADDR *a)
{
    return (BOOLEAN)(a->s_addr == 0);
}

/* 127.0.0.0/8 (IN4ADDR_LOOPBACKPREFIX_LENGTH). */
static inline BOOLEAN IN4_IS_ADDR_LOOPBACK(const IN_ADDR *a)
{
    return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 127);
}

/* 255.255.255.255, the limited broadcast. */
static inline BOOLEAN IN4_IS_ADDR_BROADCAST(const IN_ADDR *a)
{
    return (BOOLEAN)(a->s_addr == IN4ADDR_BROADCAST);
}

/* 224.0.0.0/4 (IN4ADDR_MULTICASTPREFIX_LENGTH). */
static inline BOOLEAN IN4_IS_ADDR_MULTICAST(const IN_ADDR *a)
{
    return (BOOLEAN)((a->S_un.S_un_b.s_b1 & 0xf0) == 0xe0);
}

/* 169.254.0.0/16 (IN4ADDR_LINKLOCALPREFIX_LENGTH): unicast only, as the
 * page says; link-scoped multicast is IN4_IS_ADDR_MC_LINKLOCAL. */
static inline BOOLEAN IN4_IS_ADDR_LINKLOCAL(const IN_ADDR *a)
{
    return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 169 && a->S_un.S_un_b.s_b2 == 254);
}

/* The private ranges of RFC 1918: 10/8, 172.16/12, 192.168/16. */
static inline BOOLEAN IN4_IS_ADDR_RFC1918(const IN_ADDR *a)
{
    UCHAR b1 = a->S_un.S_un_b.s_b1, b2 = a->S_un.S_un_b.s_b2;
    return (BOOLEAN)(b1 == 10 || (b1 == 172 && (b2 & 0xf0) == 16) || (b1 == 192 && b2 == 168));
}

/* "Local-use IPv4 unicast addresses", the page says: the RFC 1918 ranges. */
static inline BOOLEAN IN4_IS_ADDR_SITELOCAL(const IN_ADDR *a)
{
    return IN4_IS_ADDR_RFC1918(a);
}

/* 224.0.0.0/24, the link-scoped Local Network Control Block (RFC 5771). */
static inline BOOLEAN IN4_IS_ADDR_MC_LINKLOCAL(const IN_ADDR *a)
{
    return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 224 && a->S_un.S_un_b.s_b2 == 0 && a->S_un.S_un_b.s_b3 == 0);
}

/* 239.255.0.0/16, RFC 2365's Local Scope: the smallest administrative
 * scope, as IPv6's admin-local (scope 4) is. */
static inline BOOLEAN IN4_IS_ADDR_MC_ADMINLOCAL(const IN_ADDR *a)
{
    return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 239 && a->S_un.S_un_b.s_b2 == 255);
}

/* The rest of RFC 2365's administratively scoped 239.0.0.0/8: wider than
 * the Local Scope, as site (scope 5) is wider than admin-local. */
static inline BOOLEAN IN4_IS_ADDR_MC_SITELOCAL(const IN_ADDR *a)
{
    return (BOOLEAN)(a->S_un.S_un_b.s_b1 == 239 && !IN4_IS_ADDR_MC_ADMINLOCAL(a));
}

/* Can form a 6to4 prefix (RFC 3056 2): a globally unique unicast address,
 * so not 0/8, loopback, link-local, RFC 1918, multicast, 240/4 or the
 * broadcast. */
static inline BOOLEAN IN4_IS_ADDR_6TO4ELIGIBLE(const IN_ADDR *a)
{
    UCHAR b1 = a->S_un.S_un_b.s_b1;
    return (BOOLEAN)(b1 != 0 && b1 < 224 && !IN4_IS_ADDR_LOOPBACK(a) && !IN4_IS_ADDR_LINKLOCAL(a) &&
                     !IN4_IS_ADDR_RFC1918(a));
}

static inline BOOLEAN IN4_IS_UNALIGNED_ADDR_UNSPECIFIED(const IN_ADDR *a)
{
    IN_ADDR v = OwIn4Load(a);
    return IN4_IS_ADDR_UNSPECIFIED(&v);
}

static inline BOOLEAN IN4_IS_UNALIGNED_ADDR_LOOPBACK(const IN_ADDR *a)
{
    IN_ADDR v = OwIn4Load(a);
    return IN4_IS_ADDR_LOOPBACK(&v);
}

static inline BOOLEAN IN4_IS_UNALIGNED_ADDR_BROADCAST(const IN_ADDR *a)
{
    IN_ADDR v = OwIn4Load(a);
    return IN4_IS_ADDR_BROADCAST(&v);
}

static inline BOOLEAN IN4_IS_UNALIGNED_ADDR_MULTICAST(const IN_ADDR *a)
{
    IN_ADDR v = OwIn4Load(a);
    return IN4_IS_ADDR_MULTICAST(&v);
}

static inline BOOLEAN IN4_IS_UNALIGNED_ADDR_LINKLOCAL(const IN_ADDR *a)
{
    IN_ADDR v = OwIn4Load(a);
    return IN4_IS_ADDR_LINKLOCAL(&v);
}

static inline BOOLEAN IN4_IS_UNALIGNED_ADDR_RFC1918(const IN_ADDR *a)
{
    IN_ADDR v = OwIn4Load(a);
    return IN4_IS_ADDR_RFC1918(&v);
}

static inline BOOLEAN IN4_IS_UNALIGNED_ADDR_6TO4ELIGIBLE(const IN_ADDR *a)
{
    IN_ADDR v = OwIn4Load(a);
    return IN4_IS_ADDR_6TO4ELIGIBLE(&v);
}

/* The scope level of an IPv4 address, by the classes above. */
static inline SCOPE_LEVEL OwIn4AddressScope(const IN_ADDR *a)
{
    if (IN4_IS_ADDR_MULTICAST(a)) {
        if (IN4_IS_ADDR_MC_LINKLOCAL(a))
            return ScopeLevelLink;
        if (IN4_IS_ADDR_MC_ADMINLOCAL(a))
            return ScopeLevelAdmin;
        if (IN4_IS_ADDR_MC_SITELOCAL(a))
            return ScopeLevelSite;
        return ScopeLevelGlobal;
    }
    if (IN4_IS_ADDR_LOOPBACK(a))
        return ScopeLevelInterface;
    if (IN4_IS_ADDR_LINKLOCAL(a) || IN4_IS_ADDR_BROADCAST(a))
        return ScopeLevelLink;
    if (IN4_IS_ADDR_SITELOCAL(a))
        return ScopeLevelSite;
    return ScopeLevelGlobal;
}

/* The scope level of an IPv6 address: a multicast address says it; unicast
 * is loopback (interface), link-local, site-local or global. */
static inline SCOPE_LEVEL IN6_MULTICAST_SCOPE(const UCHAR *Address)
{
    return (SCOPE_LEVEL)(Address[1] & 0x0f);
}

static inline SCOPE_LEVEL OwIn6AddressScope(const IN6_ADDR *a)
{
    if (IN6_IS_ADDR_MULTICAST(a))
        return IN6_MULTICAST_SCOPE(a->u.Byte);
    if (IN6_IS_ADDR_LOOPBACK(a))
        return ScopeLevelInterface;
    if (IN6_IS_ADDR_LINKLOCAL(a))
        return ScopeLevelLink;
    if (IN6_IS_ADDR_SITELOCAL(a))
        return ScopeLevelSite;
    return ScopeLevelGlobal;
}

/* From the canonical scope ID (zone and level) to the one a socket address
 * carries: nothing for a loopback or global address, and no level where the
 * level is the address's own (what is left is the zone, e.g. the interface
 * index of a link-local address). */
static inline void IN4_UNCANONICALIZE_SCOPE_ID(const IN_ADDR *Address, SCOPE_ID *ScopeId)
{
    SCOPE_LEVEL Level = OwIn4AddressScope(Address);
    if (IN4_IS_ADDR_LOOPBACK(Address) || Level == ScopeLevelGlobal)
        ScopeId->Value = 0;
    else if ((SCOPE_LEVEL)ScopeId->Level == Level)
        ScopeId->Level = 0;
}

static inline void IN6_UNCANONICALIZE_SCOPE_ID(const IN6_ADDR *Address, SCOPE_ID *ScopeId)
{
    SCOPE_LEVEL Level = OwIn6AddressScope(Address);
    if (IN6_IS_ADDR_LOOPBACK(Address) || Level == ScopeLevelGlobal)
        ScopeId->Value = 0;
    else if ((SCOPE_LEVEL)ScopeId->Level == Level)
        ScopeId->Level = 0;
}

/* ---- SOCKADDR_IN forms: the address, never the port ---------------------------- */

static inline BOOLEAN IN4ADDR_ISANY(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_UNSPECIFIED(&a->sin_addr);
}

static inline BOOLEAN IN4ADDR_ISLOOPBACK(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_LOOPBACK(&a->sin_addr);
}

/* A SOCKADDR_IN has no scope, so unspecified is the wildcard address. */
static inline BOOLEAN IN4ADDR_ISUNSPECIFIED(const SOCKADDR_IN *a)
{
    return IN4_IS_ADDR_UNSPECIFIED(&a->sin_addr);
}

static inline BOOLEAN IN4ADDR_ISEQUAL(const SOCKADDR_IN *a, const SOCKADDR_IN *b)
{
    return IN4_ADDR_EQUAL(&a->sin_addr, &b->sin_addr);
}

/* A SOCKADDR_IN carries no scope: the unspecified scope ID. */
static inline SCOPE_ID IN4ADDR_SCOPE_ID(const SOCKADDR_IN *a)
{
    SCOPE_ID Scope;
    (void)a;
    Scope.Value = 0;
    return Scope;
}

/* AF_INET, the address, the port as given, sin_zero cleared. */
static inline void IN4ADDR_SETSOCKADDR(PSOCKADDR_IN a, const IN_ADDR *addr, USHORT port)
{
    a->sin_family = AF_INET;
    a->sin_port = port;
    a->sin_addr = *addr;
    for (int i = 0; i < 8; i++)
        a->sin_zero[i] = 0;
}

/* AF_INET, port 0, 0.0.0.0: ready for WskBind. */
static inline void IN4ADDR_SETANY(PSOCKADDR_IN a)
{
    IN_ADDR Any;
    Any.s_addr = 0;
    IN4ADDR_SETSOCKADDR(a, &Any, 0);
}

/* AF_INET, port 0, 127.0.0.1. */
static inline void IN4ADDR_SETLOOPBACK(PSOCKADDR_IN a)
{
    IN_ADDR Loopback;
    Loopback.S_un.S_un_b.s_b1 = 127;
    Loopback.S_un.S_un_b.s_b2 = 0;
    Loopback.S_un.S_un_b.s_b3 = 0;
    Loopback.S_un.S_un_b.s_b4 = 1;
    IN4ADDR_SETSOCKADDR(a, &Loopback, 0);
}

/* ---- IPv6 addresses carrying IPv4 ones, and well-known groups --------------------- */

/* The 16 bytes are b0 b1 0...0 last. */
static inline BOOLEAN OwIn6IsWellKnown(const IN6_ADDR *a, UCHAR b0, UCHAR b1, UCHAR last)
{
    for (int i = 2; i < 15; i++)
        if (a->u.Byte[i] != 0)
            return FALSE;
    return (BOOLEAN)(a->u.Byte[0] == b0 && a->u.Byte[1] == b1 && a->u.Byte[15] == last);
}

/* ff01::1, all nodes on this node (interface-local). */
static inline BOOLEAN IN6_IS_ADDR_ALLNODESONNODE(const IN6_ADDR *a)
{
    return OwIn6IsWellKnown(a, 0xff, 0x01, 1);
}

/* ff02::1, all nodes on the link. */
static inline BOOLEAN IN6_IS_ADDR_ALLNODESONLINK(const IN6_ADDR *a)
{
    return OwIn6IsWellKnown(a, 0xff, 0x02, 1);
}

/* ff02::2, all routers on the link. */
static inline BOOLEAN IN6_IS_ADDR_ALLROUTERSONLINK(const IN6_ADDR *a)
{
    return OwIn6IsWellKnown(a, 0xff, 0x02, 2);
}

/* ff02::1:ff00:0/104 (IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH, RFC 4291 2.7.1). */
static inline BOOLEAN IN6_IS_ADDR_SOLICITEDNODE(const IN6_ADDR *a)
{
    if (a->u.Byte[0] != 0xff || a->u.Byte[1] != 0x02)
        return FALSE;
    for (int i = 2; i < 11; i++)
        if (a->u.Byte[i] != 0)
            return FALSE;
    return (BOOLEAN)(a->u.Byte[11] == 0x01 && a->u.Byte[12] == 0xff);
}

/* The solicited-node group of a unicast address: ff02::1:ff and its low 24 bits. */
static inline void IN6_SET_ADDR_SOLICITEDNODE(PIN6_ADDR Multicast, const IN6_ADDR *Unicast)
{
    UCHAR b13 = Unicast->u.Byte[13], b14 = Unicast->u.Byte[14], b15 = Unicast->u.Byte[15];
    for (int i = 0; i < 16; i++)
        Multicast->u.Byte[i] = 0;
    Multicast->u.Byte[0] = 0xff;
    Multicast->u.Byte[1] = 0x02;
    Multicast->u.Byte[11] = 0x01;
    Multicast->u.Byte[12] = 0xff;
    Multicast->u.Byte[13] = b13;
    Multicast->u.Byte[14] = b14;
    Multicast->u.Byte[15] = b15;
}

/* 2002::/16 (IN6ADDR_6TO4PREFIX_LENGTH, RFC 3056). */
static inline BOOLEAN IN6_IS_ADDR_6TO4(const IN6_ADDR *a)
{
    return (BOOLEAN)(a->u.Byte[0] == 0x20 && a->u.Byte[1] == 0x02);
}

/* 2001::/32, the Teredo prefix (RFC 4380). */
static inline BOOLEAN IN6_IS_ADDR_TEREDO(const IN6_ADDR *a)
{
    return (BOOLEAN)(a->u.Byte[0] == 0x20 && a->u.Byte[1] == 0x01 && a->u.Byte[2] == 0 && a->u.Byte[3] == 0);
}

/* An ISATAP interface identifier (RFC 5214 6.1): 0000:5efe or 0200:5efe
 * (the u bit), then the IPv4 address; any prefix. */
static inline BOOLEAN IN6_IS_ADDR_ISATAP(const IN6_ADDR *a)
{
    return (BOOLEAN)((a->u.Byte[8] & 0xfd) == 0 && a->u.Byte[9] == 0 &&
                     a->u.Byte[10] == 0x5e && a->u.Byte[11] == 0xfe);
}

/* The embedded IPv4 address, as 4 bytes inside the IPv6 one. */
static inline const UCHAR *IN6_GET_ADDR_V4MAPPED(const IN6_ADDR *Ipv6Address)
{
    return &Ipv6Address->u.Byte[12];
}

static inline const UCHAR *IN6_GET_ADDR_V4COMPAT(const IN6_ADDR *Ipv6Address)
{
    return &Ipv6Address->u.Byte[12];
}

static inline const UCHAR *IN6_EXTRACT_V4ADDR_FROM_ISATAP(const IN6_ADDR *Ipv6Address)
{
    return &Ipv6Address->u.Byte[12];
}

static inline const UCHAR *IN6_EXTRACT_V4ADDR_FROM_6TO4(const IN6_ADDR *Ipv6Address)
{
    return &Ipv6Address->u.Byte[2];
}

/* ::ffff:w.x.y.z. */
static inline void IN6_SET_ADDR_V4MAPPED(PIN6_ADDR a6, const IN_ADDR *a4)
{
    IN_ADDR v = OwIn4Load(a4);
    for (int i = 0; i < 16; i++)
        a6->u.Byte[i] = 0;
    a6->u.Byte[10] = 0xff;
    a6->u.Byte[11] = 0xff;
    a6->u.Byte[12] = v.S_un.S_un_b.s_b1;
    a6->u.Byte[13] = v.S_un.S_un_b.s_b2;
    a6->u.Byte[14] = v.S_un.S_un_b.s_b3;
    a6->u.Byte[15] = v.S_un.S_un_b.s_b4;
}

/* ::w.x.y.z. */
static inline void IN6_SET_ADDR_V4COMPAT(PIN6_ADDR a6, const IN_ADDR *a4)
{
    IN6_SET_ADDR_V4MAPPED(a6, a4);
    a6->u.Byte[10] = 0;
    a6->u.Byte[11] = 0;
}

/* The interface identifier (the last 64 bits) of an ISATAP address: the u
 * bit when the IPv4 address is globally unique (RFC 5214 6.1), 00:5efe,
 * the IPv4 address. The prefix is left alone. */
static inline void IN6_SET_ISATAP_IDENTIFIER(IN6_ADDR *Ipv6Address, const IN_ADDR *Ipv4Address)
{
    IN_ADDR v = OwIn4Load(Ipv4Address);
    Ipv6Address->u.Byte[8] = IN4_IS_ADDR_6TO4ELIGIBLE(&v) ? 0x02 : 0x00;
    Ipv6Address->u.Byte[9] = 0;
    Ipv6Address->u.Byte[10] = 0x5e;
    Ipv6Address->u.Byte[11] = 0xfe;
    Ipv6Address->u.Byte[12] = v.S_un.S_un_b.s_b1;
    Ipv6Address->u.Byte[13] = v.S_un.S_un_b.s_b2;
    Ipv6Address->u.Byte[14] = v.S_un.S_un_b.s_b3;
    Ipv6Address->u.Byte[15] = v.S_un.S_un_b.s_b4;
}

/* The first 64 bits: 2002, the IPv4 address, subnet 0 (RFC 3056 2). The
 * interface identifier is left alone. */
static inline void IN6_SET_6TO4_PREFIX(IN6_ADDR *Ipv6Address, const IN_ADDR *Ipv4Address)
{
    IN_ADDR v = OwIn4Load(Ipv4Address);
    Ipv6Address->u.Byte[0] = 0x20;
    Ipv6Address->u.Byte[1] = 0x02;
    Ipv6Address->u.Byte[2] = v.S_un.S_un_b.s_b1;
    Ipv6Address->u.Byte[3] = v.S_un.S_un_b.s_b2;
    Ipv6Address->u.Byte[4] = v.S_un.S_un_b.s_b3;
    Ipv6Address->u.Byte[5] = v.S_un.S_un_b.s_b4;
    Ipv6Address->u.Byte[6] = 0;
    Ipv6Address->u.Byte[7] = 0;
}

/* The first len bits of a and b are equal (len above 128 counts as 128). */
static inline BOOLEAN IN6_PREFIX_EQUAL(const IN6_ADDR *a, const IN6_ADDR *b, UINT8 len)
{
    unsigned bits = len > 128 ? 128 : len, whole = bits / 8, rest = bits % 8;
    for (unsigned i = 0; i < whole; i++)
        if (a->u.Byte[i] != b->u.Byte[i])
            return FALSE;
    if (rest != 0) {
        UCHAR mask = (UCHAR)(0xff << (8 - rest));
        if (((a->u.Byte[whole] ^ b->u.Byte[whole]) & mask) != 0)
            return FALSE;
    }
    return TRUE;
}

/* ---- SOCKADDR_IN6 forms -------------------------------------------------------------- */

static inline BOOLEAN IN6ADDR_ISV4MAPPED(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr);
}

static inline BOOLEAN IN6ADDR_IS6TO4(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_6TO4(&a->sin6_addr);
}

static inline BOOLEAN IN6ADDR_ISISATAP(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_ISATAP(&a->sin6_addr);
}

static inline BOOLEAN IN6ADDR_ISTEREDO(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_TEREDO(&a->sin6_addr);
}

/* AF_INET6, the address, the scope (stored uncanonicalized), the port as
 * given, no flow label. */
static inline void IN6ADDR_SETSOCKADDR(PSOCKADDR_IN6 a, const IN6_ADDR *addr, SCOPE_ID scope, USHORT port)
{
    a->sin6_family = AF_INET6;
    a->sin6_port = port;
    a->sin6_flowinfo = 0;
    a->sin6_addr = *addr;
    a->sin6_scope_struct = scope;
    IN6_UNCANONICALIZE_SCOPE_ID(&a->sin6_addr, &a->sin6_scope_struct);
}

/* The same for ::ffff:a4; the scope is the IPv4 address's (uncanonicalized
 * by the IPv4 rules). */
static inline void IN6ADDR_SETV4MAPPED(PSOCKADDR_IN6 a6, const IN_ADDR *a4, SCOPE_ID scope, USHORT port)
{
    a6->sin6_family = AF_INET6;
    a6->sin6_port = port;
    a6->sin6_flowinfo = 0;
    IN6_SET_ADDR_V4MAPPED(&a6->sin6_addr, a4);
    a6->sin6_scope_struct = scope;
    IN4_UNCANONICALIZE_SCOPE_ID(a4, &a6->sin6_scope_struct);
}

/* ---- INETADDR_*: one SOCKADDR, either family ------------------------------------
 * Microsoft has no reference page for these, but WSK and Winsock code calls
 * them everywhere (INETADDR_SETANY before a bind, SS_PORT to set the port).
 * Each looks at sa_family and does what the documented IN4ADDR_* or
 * IN6ADDR_* form of that name does (above, and ws2ipdef.h); a family other
 * than AF_INET6 is taken as AF_INET. The port stays in network byte order. */

static inline ULONG INET_SOCKADDR_LENGTH(ADDRESS_FAMILY af)
{
    return af == AF_INET6 ? (ULONG)sizeof(SOCKADDR_IN6) : (ULONG)sizeof(SOCKADDR_IN);
}

static inline BOOLEAN INETADDR_ISANY(const SOCKADDR *a)
{
    return a->sa_family == AF_INET6 ? IN6ADDR_ISANY((const SOCKADDR_IN6 *)a)
                                    : IN4ADDR_ISANY((const SOCKADDR_IN *)a);
}

static inline BOOLEAN INETADDR_ISLOOPBACK(const SOCKADDR *a)
{
    return a->sa_family == AF_INET6 ? IN6ADDR_ISLOOPBACK((const SOCKADDR_IN6 *)a)
                                    : IN4ADDR_ISLOOPBACK((const SOCKADDR_IN *)a);
}

/* The family is the caller's: it picks which form is written. */
static inline void INETADDR_SETANY(PSOCKADDR a)
{
    if (a->sa_family == AF_INET6)
        IN6ADDR_SETANY((PSOCKADDR_IN6)a);
    else
        IN4ADDR_SETANY((PSOCKADDR_IN)a);
}

static inline void INETADDR_SETLOOPBACK(PSOCKADDR a)
{
    if (a->sa_family == AF_INET6)
        IN6ADDR_SETLOOPBACK((PSOCKADDR_IN6)a);
    else
        IN4ADDR_SETLOOPBACK((PSOCKADDR_IN)a);
}

/* sin_port and sin6_port sit at the same offset, right after the family. */
OW_STATIC_ASSERT(__builtin_offsetof(SOCKADDR_IN, sin_port) == __builtin_offsetof(SOCKADDR_IN6, sin6_port),
               "SS_PORT needs the port at one offset in both families");
#define SS_PORT(ss) (((PSOCKADDR_IN)(ss))->sin_port)

static inline USHORT INETADDR_PORT(const SOCKADDR *a)
{
    return a->sa_family == AF_INET6 ? ((const SOCKADDR_IN6 *)a)->sin6_port
                                    : ((const SOCKADDR_IN *)a)->sin_port;
}

static inline void INETADDR_SET_PORT(PSOCKADDR a, USHORT port)
{
    if (a->sa_family == AF_INET6)
        ((PSOCKADDR_IN6)a)->sin6_port = port;
    else
        ((PSOCKADDR_IN)a)->sin_port = port;
}

EXTERN_C_END

#endif /* OPENWSK_MSTCPIP_H */
