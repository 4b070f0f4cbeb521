/* SPDX-License-Identifier: MIT */
/* ip2string.h: IPv4/IPv6 address <-> string conversions (Rtl*), as the WDK
 * declares them. Parsers stop at the first character that cannot continue
 * the address and report it through Terminator; the Ex forms take the whole
 * string, with an optional port ("1.2.3.4:80", "[fe80::1%3]:443") and IPv6
 * scope ("fe80::1%3"); ports are returned in network byte order. */
#ifndef OPENWSK_IP2STRING_H
#define OPENWSK_IP2STRING_H

#include <ws2def.h>
#include <ws2ipdef.h>

EXTERN_C_START

#define INET_ADDRSTRLEN  22
#define INET6_ADDRSTRLEN 65

NTSYSAPI NTSTATUS RtlIpv4StringToAddressA(PCSTR S, BOOLEAN Strict, PCSTR *Terminator,
                                          struct in_addr *Addr);
NTSYSAPI NTSTATUS RtlIpv4StringToAddressW(PCWSTR S, BOOLEAN Strict, PCWSTR *Terminator,
                                          struct in_addr *Addr);
NTSYSAPI NTSTATUS RtlIpv4StringToAddressExA(PCSTR AddressString, BOOLEAN Strict,
                                            struct in_addr *Address, PUSHORT Port);
NTSYSAPI NTSTATUS RtlIpv4StringToAddressExW(PCWSTR AddressString, BOOLEAN Strict,
                                            struct in_addr *Address, PUSHORT Port);
NTSYSAPI PSTR RtlIpv4AddressToStringA(const struct in_addr *Addr, PSTR S);   /* -> the NUL */
NTSYSAPI PWSTR RtlIpv4AddressToStringW(const struct in_addr *Addr, PWSTR S);
NTSYSAPI NTSTATUS RtlIpv4AddressToStringExA(const struct in_addr *Address, USHORT Port,
                                            PSTR AddressString, PULONG AddressStringLength);
/* Lengths in characters (CHARs or WCHARs), the NUL included. */
NTSYSAPI NTSTATUS RtlIpv4AddressToStringExW(const struct in_addr *Address, USHORT Port,
                                            PWSTR AddressString, PULONG AddressStringLength);

NTSYSAPI NTSTATUS RtlIpv6StringToAddressA(PCSTR S, PCSTR *Terminator, struct in6_addr *Addr);
NTSYSAPI NTSTATUS RtlIpv6StringToAddressW(PCWSTR S, PCWSTR *Terminator, struct in6_addr *Addr);
NTSYSAPI NTSTATUS RtlIpv6StringToAddressExA(PCSTR AddressString, struct in6_addr *Address,
                                            PULONG ScopeId, PUSHORT Port);
NTSYSAPI NTSTATUS RtlIpv6StringToAddressExW(PCWSTR AddressString, struct in6_addr *Address,
                                            PULONG ScopeId, PUSHORT Port);
NTSYSAPI PSTR RtlIpv6AddressToStringA(const struct in6_addr *Addr, PSTR S);  /* -> the NUL */
NTSYSAPI PWSTR RtlIpv6AddressToStringW(const struct in6_addr *Addr, PWSTR S);
NTSYSAPI NTSTATUS RtlIpv6AddressToStringExA(const struct in6_addr *Address, ULONG ScopeId,
                                            USHORT Port, PSTR AddressString,
                                            PULONG AddressStringLength);
NTSYSAPI NTSTATUS RtlIpv6AddressToStringExW(const struct in6_addr *Address, ULONG ScopeId,
                                            USHORT Port, PWSTR AddressString,
                                            PULONG AddressStringLength);

/* The unsuffixed names are the W forms when UNICODE or _UNICODE is defined,
 * the A forms otherwise, as the RtlIpv4AddressToString page (and each of its
 * siblings) says. */
#if defined(UNICODE) || defined(_UNICODE)
#define RtlIpv4StringToAddress   RtlIpv4StringToAddressW
#define RtlIpv4StringToAddressEx RtlIpv4StringToAddressExW
#define RtlIpv4AddressToString   RtlIpv4AddressToStringW
#define RtlIpv4AddressToStringEx RtlIpv4AddressToStringExW
#define RtlIpv6StringToAddress   RtlIpv6StringToAddressW
#define RtlIpv6StringToAddressEx RtlIpv6StringToAddressExW
#define RtlIpv6AddressToString   RtlIpv6AddressToStringW
#define RtlIpv6AddressToStringEx RtlIpv6AddressToStringExW
#else
#define RtlIpv4StringToAddress   RtlIpv4StringToAddressA
#define RtlIpv4StringToAddressEx RtlIpv4StringToAddressExA
#define RtlIpv4AddressToString   RtlIpv4AddressToStringA
#define RtlIpv4AddressToStringEx RtlIpv4AddressToStringExA
#define RtlIpv6StringToAddress   RtlIpv6StringToAddressA
#define RtlIpv6StringToAddressEx RtlIpv6StringToAddressExA
#define RtlIpv6AddressToString   RtlIpv6AddressToStringA
#define RtlIpv6AddressToStringEx RtlIpv6AddressToStringExA
#endif

EXTERN_C_END

#endif /* OPENWSK_IP2STRING_H */
