/* SPDX-License-Identifier: MIT */
/* DbgPrint and friends (formats interpreted by format.c), bug checks and
 * assertions. Each message goes to stderr in one write. */
#include "kernel.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OPENWSK_DBGPRINT_LEVEL=n shows DbgPrintEx levels 0..n (level numbers above 31
 * are masks; their lowest bit counts). Unset: everything is shown. */
static BOOLEAN ow_level_enabled(ULONG Level)
{
    const char *env = getenv("OPENWSK_DBGPRINT_LEVEL");
    if (env == NULL || *env == '\0')
        return TRUE;
    ULONG max = (ULONG)strtoul(env, NULL, 0);
    if (Level > 31) {
        if ((Level & 0x7fffffffU) == 0)
            return TRUE;
        Level = (ULONG)__builtin_ctz(Level & 0x7fffffffU);
    }
    return Level <= max;
}

ULONG vDbgPrintExWithPrefix(PCSTR Prefix, ULONG ComponentId, ULONG Level, PCSTR Format,
                            va_list arglist)
{
    (void)ComponentId;
    if (!ow_level_enabled(Level) || Format == NULL)
        return STATUS_SUCCESS;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return (ULONG)STATUS_NO_MEMORY;
    if (Prefix != NULL)
        fputs(Prefix, m);
    va_list ap;
    va_copy(ap, arglist);
    ow_format(m, Format, &ap, NULL, NULL);
    va_end(ap);
    fclose(m);
    fwrite(buf, 1, len, stderr);
    fflush(stderr);
    free(buf);
    return STATUS_SUCCESS;
}

ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, va_list arglist)
{
    return vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, arglist);
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    ULONG r = vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, ap);
    va_end(ap);
    return r;
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    ULONG r = vDbgPrintExWithPrefix(NULL, DPFLTR_DEFAULT_ID, DPFLTR_ERROR_LEVEL, Format, ap);
    va_end(ap);
    return r;
}

/* ---- bug checks ----------------------------------------------------------- */
static const char *ow_bugcheck_name(ULONG Code)
{
    switch (Code) {
    case IRQL_NOT_GREATER_OR_EQUAL: return "IRQL_NOT_GREATER_OR_EQUAL";
    case IRQL_NOT_LESS_OR_EQUAL: return "IRQL_NOT_LESS_OR_EQUAL";
    case MAXIMUM_WAIT_OBJECTS_EXCEEDED: return "MAXIMUM_WAIT_OBJECTS_EXCEEDED";
    case 0x0F: return "SPIN_LOCK_ALREADY_OWNED";
    case 0x10: return "SPIN_LOCK_NOT_OWNED";
    case KMODE_EXCEPTION_NOT_HANDLED: return "KMODE_EXCEPTION_NOT_HANDLED";
    case NO_MORE_IRP_STACK_LOCATIONS: return "NO_MORE_IRP_STACK_LOCATIONS";
    case MULTIPLE_IRP_COMPLETE_REQUESTS: return "MULTIPLE_IRP_COMPLETE_REQUESTS";
    case BAD_POOL_CALLER: return "BAD_POOL_CALLER";
    case DRIVER_VERIFIER_DETECTED_VIOLATION: return "DRIVER_VERIFIER_DETECTED_VIOLATION";
    case MANUALLY_INITIATED_CRASH: return "MANUALLY_INITIATED_CRASH";
    case KERNEL_SECURITY_CHECK_FAILURE: return "KERNEL_SECURITY_CHECK_FAILURE";
    case INVALID_CANCEL_OF_FILE_OPEN: return "INVALID_CANCEL_OF_FILE_OPEN";
    case 0xC8: return "IRQL_UNEXPECTED_VALUE";
    case 0xC9: return "DRIVER_VERIFIER_IOMANAGER_VIOLATION";
    case 0x0E5C0001: return "OPENWSK_IRP_STILL_PENDING";           /* src/verifier/verifier.h */
    case 0x0E5C0002: return "OPENWSK_BAD_WSK_BUF";
    case 0x0E5C0003: return "OPENWSK_BUFFER_FREED_IN_USE";
    case 0x0E5C0004: return "OPENWSK_SOCKET_NOT_LIVE";
    case 0x0E5C0005: return "OPENWSK_DEREGISTER_WITH_OPEN_OBJECTS";
    case 0x0E5C0006: return "OPENWSK_STATE_VIOLATION";
    case 0x0E5C0007: return "OPENWSK_USES_MEMORY_WSK_FREED";
    default: return "";
    }
}

VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    fprintf(stderr, "*** STOP: 0x%08X (0x%lx, 0x%lx, 0x%lx, 0x%lx) %s\n", (unsigned)BugCheckCode,
            (unsigned long)P1, (unsigned long)P2, (unsigned long)P3, (unsigned long)P4,
            ow_bugcheck_name(BugCheckCode));
    fflush(stderr);
    abort();
}

/* Some debugger traces this process (TracerPid in /proc/self/status). */
static int debugger_attached(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int pid = 0;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "TracerPid: %d", &pid) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return pid > 0;
}

/* A breakpoint that raises Exception at Address: under a Linux debugger it
 * stops there (SIGTRAP); without one the exception goes unhandled and
 * bug-checks, as on Windows without a kernel debugger. */
static void ow_breakpoint(NTSTATUS Exception, PVOID Address)
{
    if (debugger_attached()) {
        raise(SIGTRAP);
        return;
    }
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)Exception, (ULONG_PTR)Address, 0, 0);
}

VOID DbgBreakPoint(VOID)
{
    ow_breakpoint(STATUS_BREAKPOINT, __builtin_return_address(0));
}

VOID DbgRaiseAssertionFailure(VOID)
{
    ow_breakpoint(STATUS_ASSERTION_FAILURE, __builtin_return_address(0));
}

VOID KeBugCheck(ULONG BugCheckCode)
{
    KeBugCheckEx(BugCheckCode, 0, 0, 0, 0);
}

void ow_violation(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4,
                  const char *Format, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, Format);
    vsnprintf(msg, sizeof(msg), Format, ap);
    va_end(ap);
    fprintf(stderr, "OpenWSK verifier: %s\n", msg);
    KeBugCheckEx(Code, P1, P2, P3, P4);
}

VOID RtlAssert(PVOID VoidFailedAssertion, PVOID VoidFileName, ULONG LineNumber, PSTR MutableMessage)
{
    fprintf(stderr, "%s:%lu: assertion failed: %s%s%s\n", (const char *)VoidFileName,
            (unsigned long)LineNumber, (const char *)VoidFailedAssertion,
            MutableMessage ? " -- " : "", MutableMessage ? MutableMessage : "");
    KeBugCheckEx(KMODE_EXCEPTION_NOT_HANDLED, (ULONG_PTR)(ULONG)0xC0000420 /* STATUS_ASSERTION_FAILURE */,
                 0, 0, 0);
}
