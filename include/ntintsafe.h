/* SPDX-License-Identifier: MIT */
/* ntintsafe.h: integer arithmetic that reports overflow (header only). Each
 * function stores the result and returns STATUS_SUCCESS, or stores the
 * type's error value (all bits set) and returns STATUS_INTEGER_OVERFLOW, as
 * the RtlULongAdd page and its siblings (wdk-ddi-src/content/ntintsafe/)
 * say. */
#ifndef OPENWSK_NTINTSAFE_H
#define OPENWSK_NTINTSAFE_H

#include <ntdef.h>
#include <ntstatus.h>

#define USHORT_ERROR    ((USHORT)0xffff)
#define ULONG_ERROR     ((ULONG)0xffffffffUL)
#define ULONGLONG_ERROR ((ULONGLONG)0xffffffffffffffffULL)
#define SIZET_ERROR     ((SIZE_T)-1)

static inline NTSTATUS RtlUShortAdd(USHORT a, USHORT b, USHORT *Result)
{
    return __builtin_add_overflow(a, b, Result) ? (*Result = USHORT_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlUShortSub(USHORT a, USHORT b, USHORT *Result)
{
    return __builtin_sub_overflow(a, b, Result) ? (*Result = USHORT_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlUShortMult(USHORT a, USHORT b, USHORT *Result)
{
    return __builtin_mul_overflow(a, b, Result) ? (*Result = USHORT_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlULongAdd(ULONG a, ULONG b, ULONG *Result)
{
    return __builtin_add_overflow(a, b, Result) ? (*Result = ULONG_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlULongSub(ULONG a, ULONG b, ULONG *Result)
{
    return __builtin_sub_overflow(a, b, Result) ? (*Result = ULONG_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlULongMult(ULONG a, ULONG b, ULONG *Result)
{
    return __builtin_mul_overflow(a, b, Result) ? (*Result = ULONG_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlULongLongAdd(ULONGLONG a, ULONGLONG b, ULONGLONG *Result)
{
    return __builtin_add_overflow(a, b, Result) ? (*Result = ULONGLONG_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlULongLongSub(ULONGLONG a, ULONGLONG b, ULONGLONG *Result)
{
    return __builtin_sub_overflow(a, b, Result) ? (*Result = ULONGLONG_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlULongLongMult(ULONGLONG a, ULONGLONG b, ULONGLONG *Result)
{
    return __builtin_mul_overflow(a, b, Result) ? (*Result = ULONGLONG_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlSizeTAdd(SIZE_T a, SIZE_T b, SIZE_T *Result)
{
    return __builtin_add_overflow(a, b, Result) ? (*Result = SIZET_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlSizeTSub(SIZE_T a, SIZE_T b, SIZE_T *Result)
{
    return __builtin_sub_overflow(a, b, Result) ? (*Result = SIZET_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

static inline NTSTATUS RtlSizeTMult(SIZE_T a, SIZE_T b, SIZE_T *Result)
{
    return __builtin_mul_overflow(a, b, Result) ? (*Result = SIZET_ERROR, STATUS_INTEGER_OVERFLOW) : STATUS_SUCCESS;
}

/* Narrowing conversions. */
static inline NTSTATUS RtlULongLongToULong(ULONGLONG Operand, ULONG *Result)
{
    if (Operand > 0xffffffffULL) {
        *Result = ULONG_ERROR;
        return STATUS_INTEGER_OVERFLOW;
    }
    *Result = (ULONG)Operand;
    return STATUS_SUCCESS;
}

static inline NTSTATUS RtlSizeTToULong(SIZE_T Operand, ULONG *Result)
{
    return RtlULongLongToULong((ULONGLONG)Operand, Result);
}

/* ntintsafe.h's other name for the same conversion (its SIZET spelling). */
static inline NTSTATUS RtlSIZETToULong(SIZE_T Operand, ULONG *Result)
{
    return RtlSizeTToULong(Operand, Result);
}

static inline NTSTATUS RtlULongToUShort(ULONG Operand, USHORT *Result)
{
    if (Operand > 0xffffU) {
        *Result = USHORT_ERROR;
        return STATUS_INTEGER_OVERFLOW;
    }
    *Result = (USHORT)Operand;
    return STATUS_SUCCESS;
}

#endif
