/* SPDX-License-Identifier: MIT */
/* ntdef.h: the basic NT types, as the WDK names them, with Windows' sizes on
 * LP64 Linux (ULONG and LONG are 32 bits, WCHAR is 16 bits). From libc it
 * brings what the WDK's own ntdef.h and wdm.h make visible to every driver,
 * and what drivers call without including it: <ctype.h> (the WDK's ntdef.h
 * includes it) and <string.h> (memcpy, memset, strlen..., which the WDK's
 * RtlCopyMemory family expands to). Nothing with wchar_t: under
 * -fshort-wchar, glibc's wide functions do not match the 16-bit WCHAR. */
#ifndef OPENWSK_NTDEF_H
#define OPENWSK_NTDEF_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sal.h>

#ifdef __cplusplus
#define EXTERN_C extern "C"
#define EXTERN_C_START extern "C" {
#define EXTERN_C_END }
#else
#define EXTERN_C extern
#define EXTERN_C_START
#define EXTERN_C_END
#endif

/* Calling conventions: one ABI on x86-64 Linux; source compatibility only. */
#define NTAPI
#define NTSYSAPI
#define NTSYSCALLAPI
#define NTKERNELAPI
#define NTHALAPI
#define WINAPI
#define __stdcall
#define __cdecl
#define __fastcall
#define FASTCALL
#define DECLSPEC_IMPORT
#define DECLSPEC_EXPORT __attribute__((visibility("default")))
#define DECLSPEC_NOINLINE __attribute__((noinline))
#define DECLSPEC_NORETURN __attribute__((noreturn))
#define DECLSPEC_ALIGN(x) __attribute__((aligned(x)))
#define DECLSPEC_CACHEALIGN DECLSPEC_ALIGN(64)
#define DECLSPEC_SELECTANY __attribute__((weak))
#define __declspec(x)
#define __pragma(x)
#define __forceinline __inline__ __attribute__((__always_inline__))
#define FORCEINLINE __forceinline
#define NTAPI_INLINE NTAPI
#define __inline __inline__
#define __int64 long long
#define __unaligned
#define UNALIGNED
#define RESTRICTED_POINTER
#define POINTER_ALIGNMENT
#define ANYSIZE_ARRAY 1

#define IN
#define OUT
#define OPTIONAL
#define CONST const
#define VOID void

#ifdef __cplusplus
#define OW_STATIC_ASSERT static_assert
#else
#define OW_STATIC_ASSERT _Static_assert
#endif
#define C_ASSERT(e) OW_STATIC_ASSERT((e), #e)
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_PARAMETER(P) ((void)(P))
#define DBG_UNREFERENCED_LOCAL_VARIABLE(V) ((void)(V))
#define ARGUMENT_PRESENT(p) ((p) != NULL)

typedef char CHAR, *PCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR, *LPCSTR, *PCSZ;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE;
typedef short SHORT, *PSHORT;
typedef unsigned short USHORT, *PUSHORT, WORD, *PWORD;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG, DWORD, *PDWORD;
typedef int INT, *PINT;
typedef unsigned int UINT, *PUINT;
typedef int64_t LONGLONG, *PLONGLONG, LONG64, *PLONG64, INT64;
typedef uint64_t ULONGLONG, *PULONGLONG, ULONG64, *PULONG64, DWORD64, UINT64, DWORD_PTR_64;
typedef int8_t INT8;
typedef uint8_t UINT8, *PUINT8;
typedef int16_t INT16;
typedef uint16_t UINT16, *PUINT16;
typedef int32_t INT32, LONG32;
typedef uint32_t UINT32, *PUINT32, ULONG32, DWORD32;
typedef UINT64 *PUINT64;
typedef intptr_t LONG_PTR, *PLONG_PTR, INT_PTR;
typedef uintptr_t ULONG_PTR, *PULONG_PTR, UINT_PTR, DWORD_PTR;
typedef ULONG_PTR SIZE_T, *PSIZE_T;
typedef LONG_PTR SSIZE_T, *PSSIZE_T;
typedef void *PVOID, *LPVOID;
typedef const void *PCVOID, *LPCVOID;
typedef PVOID HANDLE, *PHANDLE;
typedef UCHAR BOOLEAN, *PBOOLEAN;
typedef int BOOL;
typedef char CCHAR;
typedef short CSHORT;
typedef ULONG CLONG;
typedef LONG NTSTATUS, *PNTSTATUS;
typedef UCHAR KIRQL, *PKIRQL;
typedef LONG KPRIORITY;
typedef ULONG LOGICAL, *PLOGICAL;
typedef ULONG ACCESS_MASK, *PACCESS_MASK;
typedef float FLOAT;
typedef double DOUBLE;

/* WCHAR is 16 bits, like Windows: L"..." literals must be too. */
typedef wchar_t WCHAR, *PWCHAR, *PWSTR, *LPWSTR, *PWCH;
typedef const wchar_t *PCWSTR, *LPCWSTR, *PCWCH;
OW_STATIC_ASSERT(sizeof(wchar_t) == 2,
               "OpenWSK: compile WDK code with -fshort-wchar (use `pkg-config --cflags openwsk`)");

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

#define MAXUCHAR  0xff
#define MAXUSHORT 0xffff
#define MAXULONG  0xffffffffUL
#define MAXLONG   0x7fffffffL
#define MINLONG   (-MAXLONG - 1)
#define MAXULONG_PTR UINTPTR_MAX
#define MAXLONGLONG INT64_MAX

#define MAXUINT8   ((UINT8)~((UINT8)0))
#define MAXINT8    ((INT8)(MAXUINT8 >> 1))
#define MININT8    ((INT8)~MAXINT8)
#define MAXUINT16  ((UINT16)~((UINT16)0))
#define MAXINT16   ((INT16)(MAXUINT16 >> 1))
#define MININT16   ((INT16)~MAXINT16)
#define MAXUINT32  ((UINT32)~((UINT32)0))
#define MAXINT32   ((INT32)(MAXUINT32 >> 1))
#define MININT32   ((INT32)~MAXINT32)
#define MAXUINT64  ((UINT64)~((UINT64)0))
#define MAXINT64   ((INT64)(MAXUINT64 >> 1))
#define MININT64   ((INT64)~MAXINT64)
#define MAXULONG32 ((ULONG32)~((ULONG32)0))
#define MAXLONG32  ((LONG32)(MAXULONG32 >> 1))
#define MINLONG32  ((LONG32)~MAXLONG32)
#define MAXULONG64 ((ULONG64)~((ULONG64)0))
#define MAXLONG64  ((LONG64)(MAXULONG64 >> 1))
#define MINLONG64  ((LONG64)~MAXLONG64)
#define MAXUINT    ((UINT)~((UINT)0))
#define MAXINT     ((INT)(MAXUINT >> 1))
#define MININT     ((INT)~MAXINT)
#define MAXSIZE_T  ((SIZE_T)~((SIZE_T)0))
#define MAXSSIZE_T ((SSIZE_T)(MAXSIZE_T >> 1))
#define MINSSIZE_T ((SSIZE_T)~MAXSSIZE_T)
#define MAXDWORD   0xffffffffUL
#define MAXWORD    0xffff
#define MAXBYTE    0xff

/* Pool blocks are 16-byte aligned on x64 Windows; ExAllocatePool2 keeps that. */
#define MEMORY_ALLOCATION_ALIGNMENT 16

#define Int32x32To64(a, b)  ((LONGLONG)(LONG)(a) * (LONGLONG)(LONG)(b))
#define UInt32x32To64(a, b) ((ULONGLONG)(ULONG)(a) * (ULONGLONG)(ULONG)(b))
#define Int64ShllMod32(a, b) ((ULONGLONG)(a) << ((b) & 31))
#define Int64ShraMod32(a, b) ((LONGLONG)(a) >> ((b) & 31))
#define Int64ShrlMod32(a, b) ((ULONGLONG)(a) >> ((b) & 31))

/* A distinct pointer type per handle kind, as STRICT Windows code sees them. */
#define DECLARE_HANDLE(name) struct name##__ { int unused; }; typedef struct name##__ *name

/* ntdef.h's min/max (NOMINMAX turns them off, as on Windows). */
#ifndef NOMINMAX
#ifndef min
#define min(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) (((a) > (b)) ? (a) : (b))
#endif
#endif

#define NOTHING
#define LOBYTE(w)  ((UCHAR)((ULONG_PTR)(w) & 0xff))
#define HIBYTE(w)  ((UCHAR)(((ULONG_PTR)(w) >> 8) & 0xff))
#define LOWORD(l)  ((USHORT)((ULONG_PTR)(l) & 0xffff))
#define HIWORD(l)  ((USHORT)(((ULONG_PTR)(l) >> 16) & 0xffff))
#define MAKEWORD(a, b) ((USHORT)(((UCHAR)((ULONG_PTR)(a) & 0xff)) | ((USHORT)((UCHAR)((ULONG_PTR)(b) & 0xff))) << 8))
#define MAKELONG(a, b) ((LONG)(((USHORT)((ULONG_PTR)(a) & 0xffff)) | ((ULONG)((USHORT)((ULONG_PTR)(b) & 0xffff))) << 16))

#define FlagOn(_F, _SF)        ((_F) & (_SF))
#define BooleanFlagOn(F, SF)   ((BOOLEAN)(((F) & (SF)) != 0))
#define SetFlag(_F, _SF)       ((_F) |= (_SF))
#define ClearFlag(_F, _SF)     ((_F) &= ~(_SF))

/* The member names the Microsoft docs give anonymous unions and structs
 * (`union {...} DUMMYUNIONNAME;`): anonymous here, as C11 and GNU C++ allow. */
#define DUMMYUNIONNAME
#define DUMMYSTRUCTNAME

typedef union _LARGE_INTEGER {
    struct { ULONG LowPart; LONG HighPart; };
    struct { ULONG LowPart; LONG HighPart; } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct { ULONG LowPart; ULONG HighPart; };
    struct { ULONG LowPart; ULONG HighPart; } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

typedef struct _GUID {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} GUID, *PGUID, *LPGUID;
typedef const GUID *LPCGUID, *PCGUID;
#ifdef __cplusplus
#define REFGUID const GUID &
#else
#define REFGUID const GUID *
#endif

typedef struct _UNICODE_STRING {
    USHORT Length;          /* bytes, without the terminator */
    USHORT MaximumLength;   /* bytes */
    PWCH Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

typedef struct _STRING {
    USHORT Length;
    USHORT MaximumLength;
    PCHAR Buffer;
} STRING, *PSTRING, ANSI_STRING, *PANSI_STRING, OEM_STRING, *POEM_STRING;
typedef const STRING *PCSTRING, *PCANSI_STRING;

/* A counted string over a literal, for an 8-bit ("...") or a WCHAR (L"...")
 * one. C converts the void * to either Buffer type; C++ does not, so there an
 * overload per character type drops the literal's const (constexpr: a
 * namespace-scope string stays constant-initialised). */
#ifdef __cplusplus
#if __cplusplus >= 201103L
#define OW_RTL_CONSTEXPR constexpr
#else
#define OW_RTL_CONSTEXPR inline
#endif
extern "C++" {
static OW_RTL_CONSTEXPR PCHAR ow_rtl_constant_buffer(const char *s) { return const_cast<PCHAR>(s); }
static OW_RTL_CONSTEXPR PWCH ow_rtl_constant_buffer(const wchar_t *s) { return const_cast<PWCH>(s); }
}
#define RTL_CONSTANT_STRING(s) { sizeof(s) - sizeof((s)[0]), sizeof(s), ow_rtl_constant_buffer(s) }
#else
#define RTL_CONSTANT_STRING(s) { sizeof(s) - sizeof((s)[0]), sizeof(s), (void *)(s) }
#endif
/* An empty UNICODE_STRING _var over a buffer of _size WCHARs declared with it. */
#define DECLARE_UNICODE_STRING_SIZE(_var, _size) \
    WCHAR _var##_buffer[_size];                  \
    UNICODE_STRING _var = { 0, (USHORT)((_size) * sizeof(WCHAR)), _var##_buffer }

typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_FIELD_TYPE(type, field) __typeof__(((type *)0)->field)
#define RTL_BITS_OF(sizeOfArg) (sizeof(sizeOfArg) * 8)
#define RTL_BITS_OF_FIELD(type, field) (RTL_BITS_OF(RTL_FIELD_TYPE(type, field)))
#define TYPE_ALIGNMENT(t) ((ULONG)__alignof__(t))
#define POINTER_IS_ALIGNED(Pointer, Alignment) \
    ((((ULONG_PTR)(Pointer)) & (((ULONG_PTR)(Alignment)) - 1)) == 0)
#define RTL_NUMBER_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARRAYSIZE(a) RTL_NUMBER_OF(a)
#ifndef _countof                      /* the CRT's name for the same (stdlib.h on Windows) */
#define _countof(a) RTL_NUMBER_OF(a)
#endif
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - (ULONG_PTR)offsetof(type, field)))
#define ALIGN_DOWN_BY(length, alignment) ((ULONG_PTR)(length) & ~((ULONG_PTR)(alignment) - 1))
#define ALIGN_UP_BY(length, alignment) ALIGN_DOWN_BY(((ULONG_PTR)(length) + (alignment) - 1), (alignment))
/* The same, to the size of a type (ALIGN_UP(n, LONGLONG)), and for pointers. */
#define ALIGN_DOWN(length, type) ALIGN_DOWN_BY(length, sizeof(type))
#define ALIGN_UP(length, type) ALIGN_UP_BY(length, sizeof(type))
#define ALIGN_DOWN_POINTER_BY(address, alignment) ((PVOID)ALIGN_DOWN_BY(address, alignment))
#define ALIGN_UP_POINTER_BY(address, alignment) ((PVOID)ALIGN_UP_BY(address, alignment))
#define ALIGN_DOWN_POINTER(address, type) ALIGN_DOWN_POINTER_BY(address, sizeof(type))
#define ALIGN_UP_POINTER(address, type) ALIGN_UP_POINTER_BY(address, sizeof(type))

/* Kernel object types that several headers name; wdm.h completes them. */
typedef struct _IRP IRP, *PIRP;
typedef struct _MDL MDL, *PMDL;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _KPROCESS *PEPROCESS, *PKPROCESS;
typedef struct _KTHREAD *PETHREAD, *PKTHREAD;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef PVOID PSECURITY_DESCRIPTOR;
typedef PVOID PACCESS_TOKEN;

/* NTSTATUS severity tests, as the WDK defines them. */
#define NT_SUCCESS(Status)     (((NTSTATUS)(Status)) >= 0)
#define NT_INFORMATION(Status) ((((ULONG)(Status)) >> 30) == 1)
#define NT_WARNING(Status)     ((((ULONG)(Status)) >> 30) == 2)
#define NT_ERROR(Status)       ((((ULONG)(Status)) >> 30) == 3)

/* Structured exception handling: user mode raises no kernel exceptions, so
 * the guarded block runs and the handler never does. */
#define EXCEPTION_EXECUTE_HANDLER     1
#define EXCEPTION_CONTINUE_SEARCH     0
#define EXCEPTION_CONTINUE_EXECUTION (-1)
#define __try if (1)
#define __except(filter) else if (0 && (filter))
#define __finally if (1)
#define GetExceptionCode() ((NTSTATUS)0)
#define GetExceptionInformation() ((PVOID)0)
#define _exception_code() ((NTSTATUS)0)
#ifndef __cplusplus
#define try __try
#define except __except
#define finally __finally
#endif

#endif /* OPENWSK_NTDEF_H */
