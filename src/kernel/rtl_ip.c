/* SPDX-License-Identifier: MIT */
/* IPv4/IPv6 text conversions, by hand: the WDK world must not see the Linux
 * socket headers. One implementation, the A forms: the W parsers convert to
 * ASCII (mapping Terminator back), the W printers widen the A text. */
#include "kernel.h"

#include <ip2string.h>
#include <stdio.h>
#include <stdlib.h>

static int ow_hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One numeric part of an IPv4 address; strict = decimal without leading zeros. */
static BOOLEAN ow_v4_part(const char **p, BOOLEAN Strict, ULONGLONG *out)
{
    const char *s = *p;
    unsigned base = 10;
    if (!Strict && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && ow_hexval(s[2]) >= 0) {
        base = 16;
        s += 2;
    } else if (!Strict && s[0] == '0' && s[1] >= '0' && s[1] <= '9') {
        base = 8;
        s++;
    } else if (Strict && s[0] == '0' && s[1] >= '0' && s[1] <= '9') {
        return FALSE;
    }
    ULONGLONG v = 0;
    const char *digits = s;
    for (int d; (d = ow_hexval(*s)) >= 0 && (unsigned)d < base; s++) {
        v = v * base + (unsigned)d;
        if (v > 0xffffffffULL)
            return FALSE;
    }
    if (s == digits)
        return FALSE;
    *p = s;
    *out = v;
    return TRUE;
}

NTSTATUS RtlIpv4StringToAddressA(PCSTR S, BOOLEAN Strict, PCSTR *Terminator, struct in_addr *Addr)
{
    const char *p = S;
    ULONGLONG part[4];
    int n = 0;
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    for (;;) {
        if (!ow_v4_part(&p, Strict, &part[n]))
            goto out;
        n++;
        if (*p != '.' || n == 4)
            break;
        p++;
    }
    if (*p == '.' || (Strict && n != 4))
        goto out;
    /* Earlier parts are bytes; the last fills the remaining bytes (inet_aton). */
    ULONG v = 0;
    for (int i = 0; i < n - 1; i++) {
        if (part[i] > 255)
            goto out;
        v |= (ULONG)part[i] << (24 - 8 * i);
    }
    if (part[n - 1] > (0xffffffffULL >> (8 * (n - 1))))
        goto out;
    v |= (ULONG)part[n - 1];
    Addr->S_un.S_addr = RtlUlongByteSwap(v);
    status = STATUS_SUCCESS;
out:
    if (Terminator != NULL)
        *Terminator = p;
    return status;
}

/* Parses an IPv6 address from p; on success *end is the first unused character. */
static NTSTATUS ow_v6_parse(const char *p, const char **end, struct in6_addr *Addr)
{
    UCHAR b[16] = { 0 };
    int n = 0, gap = -1;   /* bytes written; where "::" was */
    NTSTATUS status = STATUS_INVALID_PARAMETER;
    if (p[0] == ':') {
        if (p[1] != ':')
            goto out;
        gap = 0;
        p += 2;
    }
    while (n < 16) {
        const char *start = p;
        unsigned v = 0;
        int digits = 0;
        while (ow_hexval(*p) >= 0 && digits < 5) {
            v = v * 16 + (unsigned)ow_hexval(*p++);
            digits++;
        }
        if (digits == 0)
            break;   /* after "::" the address may end here */
        if (*p == '.') {   /* embedded IPv4 takes the last 4 bytes */
            struct in_addr a4;
            const char *t;
            if (n > 12 || !NT_SUCCESS(RtlIpv4StringToAddressA(start, TRUE, &t, &a4)))
                goto out;
            __builtin_memcpy(b + n, &a4, 4);
            n += 4;
            p = t;
            break;
        }
        if (digits > 4)
            goto out;
        b[n++] = (UCHAR)(v >> 8);
        b[n++] = (UCHAR)v;
        if (*p != ':')
            break;
        if (p[1] == ':') {
            if (gap >= 0)
                goto out;
            gap = n;
            p += 2;
        } else if (ow_hexval(p[1]) >= 0 && n < 16) {
            p++;
        } else {
            goto out;   /* a lone trailing ':' */
        }
    }
    if (gap < 0 && n != 16)
        goto out;
    if (gap >= 0) {
        if (n == 16)
            goto out;   /* "::" must stand for at least one group */
        int tail = n - gap;
        __builtin_memmove(b + 16 - tail, b + gap, (size_t)tail);
        __builtin_memset(b + gap, 0, (size_t)(16 - tail - gap));
    }
    __builtin_memcpy(Addr->u.Byte, b, 16);
    status = STATUS_SUCCESS;
out:
    *end = p;
    return status;
}

NTSTATUS RtlIpv6StringToAddressA(PCSTR S, PCSTR *Terminator, struct in6_addr *Addr)
{
    const char *end;
    NTSTATUS status = ow_v6_parse(S, &end, Addr);
    if (Terminator != NULL)
        *Terminator = end;
    return status;
}

/* ASCII copy of a wide string (non-ASCII ends it), for the W parsers. */
static void ow_narrow(PCWSTR S, char *out, size_t size)
{
    size_t i = 0;
    for (; i + 1 < size && S[i] != 0 && (USHORT)S[i] < 0x80; i++)
        out[i] = (char)S[i];
    out[i] = '\0';
}

NTSTATUS RtlIpv4StringToAddressW(PCWSTR S, BOOLEAN Strict, PCWSTR *Terminator, struct in_addr *Addr)
{
    char a[64];
    const char *t;
    ow_narrow(S, a, sizeof(a));
    NTSTATUS status = RtlIpv4StringToAddressA(a, Strict, &t, Addr);
    if (Terminator != NULL)
        *Terminator = S + (t - a);
    return status;
}

NTSTATUS RtlIpv6StringToAddressW(PCWSTR S, PCWSTR *Terminator, struct in6_addr *Addr)
{
    char a[96];
    const char *t;
    ow_narrow(S, a, sizeof(a));
    NTSTATUS status = RtlIpv6StringToAddressA(a, &t, Addr);
    if (Terminator != NULL)
        *Terminator = S + (t - a);
    return status;
}

/* The whole of a wide string as ASCII, for the W forms of the Ex parsers,
 * which must see every character: into Small when it fits, else allocated
 * (ow_ascii_done frees it). *Status is STATUS_INVALID_PARAMETER for a
 * character outside ASCII (no address or port contains one). */
static char *ow_ascii(PCWSTR S, char *Small, size_t SmallSize, NTSTATUS *Status)
{
    size_t n = 0;
    while (S[n] != 0)
        if ((USHORT)S[n++] >= 0x80) {
            *Status = STATUS_INVALID_PARAMETER;
            return NULL;
        }
    char *a = n < SmallSize ? Small : malloc(n + 1);
    if (a == NULL) {
        *Status = STATUS_NO_MEMORY;
        return NULL;
    }
    for (size_t i = 0; i <= n; i++)
        a[i] = (char)S[i];
    *Status = STATUS_SUCCESS;
    return a;
}

static void ow_ascii_done(char *A, char *Small)
{
    if (A != Small)
        free(A);
}

/* Decimal port after ':' (network byte order), the whole rest of the string. */
static BOOLEAN ow_port(const char *p, PUSHORT Port)
{
    ULONG v = 0;
    if (*p < '0' || *p > '9')
        return FALSE;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((v = v * 10 + (ULONG)(*p - '0')) > 0xffff)
            return FALSE;
    if (*p != '\0')
        return FALSE;
    *Port = RtlUshortByteSwap((USHORT)v);
    return TRUE;
}

NTSTATUS RtlIpv4StringToAddressExA(PCSTR AddressString, BOOLEAN Strict, struct in_addr *Address,
                                   PUSHORT Port)
{
    const char *t;
    if (AddressString == NULL || Address == NULL || Port == NULL ||
        !NT_SUCCESS(RtlIpv4StringToAddressA(AddressString, Strict, &t, Address)))
        return STATUS_INVALID_PARAMETER;
    *Port = 0;
    if (*t == '\0' || (*t == ':' && ow_port(t + 1, Port)))
        return STATUS_SUCCESS;
    return STATUS_INVALID_PARAMETER;
}

NTSTATUS RtlIpv6StringToAddressExA(PCSTR AddressString, struct in6_addr *Address, PULONG ScopeId,
                                   PUSHORT Port)
{
    if (AddressString == NULL || Address == NULL || ScopeId == NULL || Port == NULL)
        return STATUS_INVALID_PARAMETER;
    const char *p = AddressString;
    BOOLEAN bracket = *p == '[';
    p += bracket;
    if (!NT_SUCCESS(ow_v6_parse(p, &p, Address)))
        return STATUS_INVALID_PARAMETER;
    *ScopeId = 0;
    *Port = 0;
    if (*p == '%') {
        ULONGLONG v = 0;
        if (*++p < '0' || *p > '9')
            return STATUS_INVALID_PARAMETER;
        for (; *p >= '0' && *p <= '9'; p++)
            if ((v = v * 10 + (ULONG)(*p - '0')) > 0xffffffffULL)
                return STATUS_INVALID_PARAMETER;
        *ScopeId = (ULONG)v;
    }
    if (bracket) {
        if (*p++ != ']')
            return STATUS_INVALID_PARAMETER;
        if (*p == ':')
            return ow_port(p + 1, Port) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    }
    return *p == '\0' ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

NTSTATUS RtlIpv4StringToAddressExW(PCWSTR AddressString, BOOLEAN Strict, struct in_addr *Address,
                                   PUSHORT Port)
{
    if (AddressString == NULL)
        return STATUS_INVALID_PARAMETER;
    char small[64];
    NTSTATUS status;
    char *a = ow_ascii(AddressString, small, sizeof(small), &status);
    if (a == NULL)
        return status;
    status = RtlIpv4StringToAddressExA(a, Strict, Address, Port);
    ow_ascii_done(a, small);
    return status;
}

NTSTATUS RtlIpv6StringToAddressExW(PCWSTR AddressString, struct in6_addr *Address, PULONG ScopeId,
                                   PUSHORT Port)
{
    if (AddressString == NULL)
        return STATUS_INVALID_PARAMETER;
    char small[96];
    NTSTATUS status;
    char *a = ow_ascii(AddressString, small, sizeof(small), &status);
    if (a == NULL)
        return status;
    status = RtlIpv6StringToAddressExA(a, Address, ScopeId, Port);
    ow_ascii_done(a, small);
    return status;
}

PSTR RtlIpv4AddressToStringA(const struct in_addr *Addr, PSTR S)
{
    const UCHAR *b = (const UCHAR *)&Addr->S_un.S_addr;
    return S + sprintf(S, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* RFC 5952: lowercase, no leading zeros, the longest (first) run of two or
 * more zero groups as "::", IPv4-mapped addresses as ::ffff:a.b.c.d. */
PSTR RtlIpv6AddressToStringA(const struct in6_addr *Addr, PSTR S)
{
    const UCHAR *b = Addr->u.Byte;
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    char *p = S;
    if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xffff)
        return p + sprintf(p, "::ffff:%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            p += sprintf(p, "::");
            i += best_len - 1;
            continue;
        }
        if (i > 0 && p[-1] != ':')
            *p++ = ':';
        p += sprintf(p, "%x", w[i]);
    }
    *p = '\0';
    return p;
}

static PWSTR ow_widen(const char *a, PWSTR S)
{
    while (*a)
        *S++ = (WCHAR)*a++;
    *S = 0;
    return S;
}

PWSTR RtlIpv4AddressToStringW(const struct in_addr *Addr, PWSTR S)
{
    char a[INET_ADDRSTRLEN];
    RtlIpv4AddressToStringA(Addr, a);
    return ow_widen(a, S);
}

PWSTR RtlIpv6AddressToStringW(const struct in6_addr *Addr, PWSTR S)
{
    char a[INET6_ADDRSTRLEN];
    RtlIpv6AddressToStringA(Addr, a);
    return ow_widen(a, S);
}

/* Copies Text into the caller's buffer (as CHARs, or as WCHARs when Wide) if
 * it fits; Length in/out counts characters with the NUL. */
static NTSTATUS ow_copy_out(const char *Text, PVOID Out, BOOLEAN Wide, PULONG Length)
{
    ULONG need = 0;
    while (Text[need])
        need++;
    need++;
    if (Out == NULL || *Length < need) {
        *Length = need;
        return STATUS_INVALID_PARAMETER;
    }
    if (Wide)
        ow_widen(Text, (PWSTR)Out);
    else
        __builtin_memcpy(Out, Text, need);
    *Length = need;
    return STATUS_SUCCESS;
}

/* "a.b.c.d" or "a.b.c.d:port" into Text (INET_ADDRSTRLEN). */
static void ow_v4_ex_text(const struct in_addr *Address, USHORT Port, char *Text)
{
    char *end = RtlIpv4AddressToStringA(Address, Text);
    if (Port != 0)
        sprintf(end, ":%u", RtlUshortByteSwap(Port));
}

/* The address, "%scope" when ScopeId is set, in "[...]:port" when Port is. */
static void ow_v6_ex_text(const struct in6_addr *Address, ULONG ScopeId, USHORT Port, char *Text)
{
    char *p = Text;
    if (Port != 0)
        *p++ = '[';
    p = RtlIpv6AddressToStringA(Address, p);
    if (ScopeId != 0)
        p += sprintf(p, "%%%lu", (unsigned long)ScopeId);
    if (Port != 0)
        sprintf(p, "]:%u", RtlUshortByteSwap(Port));
}

NTSTATUS RtlIpv4AddressToStringExA(const struct in_addr *Address, USHORT Port, PSTR AddressString,
                                   PULONG AddressStringLength)
{
    if (Address == NULL || AddressStringLength == NULL)
        return STATUS_INVALID_PARAMETER;
    char a[INET_ADDRSTRLEN];
    ow_v4_ex_text(Address, Port, a);
    return ow_copy_out(a, AddressString, FALSE, AddressStringLength);
}

NTSTATUS RtlIpv4AddressToStringExW(const struct in_addr *Address, USHORT Port, PWSTR AddressString,
                                   PULONG AddressStringLength)
{
    if (Address == NULL || AddressStringLength == NULL)
        return STATUS_INVALID_PARAMETER;
    char a[INET_ADDRSTRLEN];
    ow_v4_ex_text(Address, Port, a);
    return ow_copy_out(a, AddressString, TRUE, AddressStringLength);
}

NTSTATUS RtlIpv6AddressToStringExA(const struct in6_addr *Address, ULONG ScopeId, USHORT Port,
                                   PSTR AddressString, PULONG AddressStringLength)
{
    if (Address == NULL || AddressStringLength == NULL)
        return STATUS_INVALID_PARAMETER;
    char a[INET6_ADDRSTRLEN + 2];
    ow_v6_ex_text(Address, ScopeId, Port, a);
    return ow_copy_out(a, AddressString, FALSE, AddressStringLength);
}

NTSTATUS RtlIpv6AddressToStringExW(const struct in6_addr *Address, ULONG ScopeId, USHORT Port,
                                   PWSTR AddressString, PULONG AddressStringLength)
{
    if (Address == NULL || AddressStringLength == NULL)
        return STATUS_INVALID_PARAMETER;
    char a[INET6_ADDRSTRLEN + 2];
    ow_v6_ex_text(Address, ScopeId, Port, a);
    return ow_copy_out(a, AddressString, TRUE, AddressStringLength);
}
