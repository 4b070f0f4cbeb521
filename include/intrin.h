/* SPDX-License-Identifier: MIT */
/* intrin.h: the Microsoft compiler intrinsics that driver code calls, on
 * GCC/Clang builtins (header only). Each does what its page in Microsoft's
 * C++ docs (learn.microsoft.com/cpp/intrinsics/...) says; the wdm.h names
 * built on them (InterlockedBitTestAndSet, BitTest...) are in <wdm.h>, which
 * includes this header, as the WDK's does. Types are Windows': `long` in a
 * Microsoft signature is LONG (32 bits), `__int64` is LONG64. */
#ifndef OPENWSK_INTRIN_H
#define OPENWSK_INTRIN_H

#include <ntdef.h>

EXTERN_C_START

/* The same declarations as <wdm.h>'s (src/kernel/debug.c). */
NTSYSAPI VOID DbgBreakPoint(VOID);
DECLSPEC_NORETURN NTKERNELAPI VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
                                                ULONG_PTR BugCheckParameter2,
                                                ULONG_PTR BugCheckParameter3,
                                                ULONG_PTR BugCheckParameter4);

/* A breakpoint: DbgBreakPoint's (a Linux debugger stops; without one the
 * unhandled breakpoint bug-checks). */
#define __debugbreak() DbgBreakPoint()

/* The NOP instruction. */
static __inline void __nop(void)
{
    __asm__ __volatile__("nop");
}

/* "The argument list is parsed, but no code is generated for the arguments"
 * and the whole is 0: the arguments are only operands of sizeof (never
 * evaluated, yet referenced for unused-variable warnings), of a function
 * that is declared and never defined. Used or dropped without a warning. */
int ow_noop_args_(int, ...);
#define __noop(...) __extension__({ (void)sizeof(ow_noop_args_(0 __VA_OPT__(,) __VA_ARGS__)); 0; })

/* A compiler barrier: the compiler moves no read or write across it (the
 * processor still may; KeMemoryBarrier orders both). */
#define _ReadWriteBarrier() __atomic_signal_fence(__ATOMIC_SEQ_CST)

/* Ends the process at once. In kernel mode a fast fail is the bug check
 * KERNEL_SECURITY_CHECK_FAILURE (0x139) with the code as its first
 * parameter, so that is what OpenWSK prints before aborting. */
static __inline DECLSPEC_NORETURN void __fastfail(unsigned int Code)
{
    KeBugCheckEx(0x00000139, (ULONG_PTR)Code, 0, 0, 0);
}

/* Bit b of *a (not atomic). Offsets beyond the type's width wrap. */
static __inline unsigned char _bittest(LONG const *a, LONG b)
{
    return (unsigned char)(((ULONG)*a >> (b & 31)) & 1);
}
static __inline unsigned char _bittest64(LONG64 const *a, LONG64 b)
{
    return (unsigned char)(((ULONG64)*a >> (b & 63)) & 1);
}

/* Atomically set (or clear) bit Offset of *Base, returning its old value;
 * full barriers, as winnt.h's pages say. */
static __inline BOOLEAN _interlockedbittestandset(LONG volatile *Base, LONG Offset)
{
    LONG m = (LONG)(1U << (Offset & 31));
    return (BOOLEAN)((__atomic_fetch_or(Base, m, __ATOMIC_SEQ_CST) & m) != 0);
}
static __inline BOOLEAN _interlockedbittestandreset(LONG volatile *Base, LONG Offset)
{
    LONG m = (LONG)(1U << (Offset & 31));
    return (BOOLEAN)((__atomic_fetch_and(Base, ~m, __ATOMIC_SEQ_CST) & m) != 0);
}
static __inline BOOLEAN _interlockedbittestandset64(LONG64 volatile *Base, LONG64 Offset)
{
    LONG64 m = (LONG64)(1ULL << (Offset & 63));
    return (BOOLEAN)((__atomic_fetch_or(Base, m, __ATOMIC_SEQ_CST) & m) != 0);
}
static __inline BOOLEAN _interlockedbittestandreset64(LONG64 volatile *Base, LONG64 Offset)
{
    LONG64 m = (LONG64)(1ULL << (Offset & 63));
    return (BOOLEAN)((__atomic_fetch_and(Base, ~m, __ATOMIC_SEQ_CST) & m) != 0);
}

/* 8-, 16- and 64-bit interlocked operations (full barriers); each returns
 * the initial value of *Destination. */
static __inline SHORT _InterlockedCompareExchange16(SHORT volatile *Destination, SHORT Exchange,
                                                    SHORT Comparand)
{
    __atomic_compare_exchange_n(Destination, &Comparand, Exchange, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return Comparand;
}
static __inline char _InterlockedAnd8(char volatile *Destination, char Value)
{
    return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST);
}
static __inline char _InterlockedOr8(char volatile *Destination, char Value)
{
    return __atomic_fetch_or(Destination, Value, __ATOMIC_SEQ_CST);
}
static __inline LONG64 _InterlockedAnd64(LONG64 volatile *Destination, LONG64 Value)
{
    return __atomic_fetch_and(Destination, Value, __ATOMIC_SEQ_CST);
}
static __inline LONG64 _InterlockedOr64(LONG64 volatile *Destination, LONG64 Value)
{
    return __atomic_fetch_or(Destination, Value, __ATOMIC_SEQ_CST);
}

EXTERN_C_END

#endif /* OPENWSK_INTRIN_H */
