/* DbgPrint and friends (Windows printf conversions translated to glibc's),
 * bug checks and assertions. Each message goes to stderr in one write. */
#include "kernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UTF-16 (at most Count units, stopping at NUL when Count < 0) to UTF-8. */
static void ow_put_wide(FILE *out, const WCHAR *s, long Count)
{
    for (long i = 0; (Count < 0 || i < Count) && (Count >= 0 || s[i] != 0); i++) {
        unsigned long c = (USHORT)s[i];
        if (c >= 0xD800 && c < 0xDC00 && (Count < 0 || i + 1 < Count) &&
            (USHORT)s[i + 1] >= 0xDC00 && (USHORT)s[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + ((USHORT)s[i + 1] - 0xDC00);
            i++;
        }
        if (c < 0x80) {
            fputc((int)c, out);
        } else if (c < 0x800) {
            fputc((int)(0xC0 | (c >> 6)), out);
            fputc((int)(0x80 | (c & 0x3F)), out);
        } else if (c < 0x10000) {
            fputc((int)(0xE0 | (c >> 12)), out);
            fputc((int)(0x80 | ((c >> 6) & 0x3F)), out);
            fputc((int)(0x80 | (c & 0x3F)), out);
        } else {
            fputc((int)(0xF0 | (c >> 18)), out);
            fputc((int)(0x80 | ((c >> 12) & 0x3F)), out);
            fputc((int)(0x80 | ((c >> 6) & 0x3F)), out);
            fputc((int)(0x80 | (c & 0x3F)), out);
        }
    }
}

/* Prints Text (Len bytes) honouring the spec's '-' flag and width. */
static void ow_put_padded(FILE *out, const char *Text, size_t Len, BOOLEAN Left, int Width)
{
    int pad = Width > (int)Len ? Width - (int)Len : 0;
    if (!Left)
        fprintf(out, "%*s", pad, "");
    fwrite(Text, 1, Len, out);
    if (Left)
        fprintf(out, "%*s", pad, "");
}

/* Wide text rendered to UTF-8 first, so width and padding apply to it. */
static void ow_put_wide_padded(FILE *out, const WCHAR *s, long Count, BOOLEAN Left, int Width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return;
    if (s == NULL)
        fputs("(null)", m);
    else
        ow_put_wide(m, s, Count);
    fclose(m);
    ow_put_padded(out, buf, len, Left, Width);
    free(buf);
}

/* Formats one message; Windows' %l is 32 bits (LLP64). */
static void ow_format(FILE *out, const char *f, va_list *ap)
{
    while (*f) {
        if (*f != '%') {
            const char *next = strchr(f, '%');
            size_t n = next ? (size_t)(next - f) : strlen(f);
            fwrite(f, 1, n, out);
            f += n;
            continue;
        }
        const char *start = f++;
        if (*f == '%') {
            fputc('%', out);
            f++;
            continue;
        }
        char spec[48];
        size_t k = 0;
        spec[k++] = '%';
        BOOLEAN left = FALSE;
        while (*f && strchr("-+ #0'", *f)) {
            left |= *f == '-';
            if (k < 8)
                spec[k++] = *f;
            f++;
        }
        int width = -1, prec = -1;
        if (*f == '*') {
            width = va_arg(*ap, int);
            if (width < 0) {
                left = TRUE;
                spec[k++] = '-';
                width = -width;
            }
            f++;
        } else if (*f >= '0' && *f <= '9') {
            width = (int)strtol(f, (char **)&f, 10);
        }
        if (*f == '.') {
            f++;
            if (*f == '*') {
                prec = va_arg(*ap, int);
                f++;
            } else {
                prec = (int)strtol(f, (char **)&f, 10);
            }
        }
        if (width >= 0)
            k += (size_t)snprintf(spec + k, sizeof(spec) - k, "%d", width);
        if (prec >= 0)
            k += (size_t)snprintf(spec + k, sizeof(spec) - k, ".%d", prec);

        /* Length: 64 = 64-bit, 32 = 32-bit, 'P' = pointer-sized, 'h'/'H' = short/char,
         * 'w' = wide, 'L' = long double. */
        char len = 0;
        if (strncmp(f, "I64", 3) == 0) { len = 64; f += 3; }
        else if (strncmp(f, "I32", 3) == 0) { len = 32; f += 3; }
        else if (*f == 'I' || *f == 'z' || *f == 't' || *f == 'j') { len = 'P'; f++; }
        else if (strncmp(f, "ll", 2) == 0) { len = 64; f += 2; }
        else if (*f == 'q') { len = 64; f++; }
        else if (strncmp(f, "hh", 2) == 0) { len = 'H'; f += 2; }
        else if (*f == 'h') { len = 'h'; f++; }
        else if (*f == 'l') { len = 'l'; f++; }
        else if (*f == 'w') { len = 'w'; f++; }
        else if (*f == 'L') { len = 'L'; f++; }

        char conv = *f;
        if (conv == '\0') {
            fputs(start, out);
            return;
        }
        f++;
        switch (conv) {
        case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': {
            BOOLEAN sign = conv == 'd' || conv == 'i';
            if (len == 64 || len == 'P') {
                memcpy(spec + k, "ll", 2);
                spec[k + 2] = conv;
                spec[k + 3] = '\0';
                if (sign)
                    fprintf(out, spec, va_arg(*ap, long long));
                else
                    fprintf(out, spec, va_arg(*ap, unsigned long long));
            } else {
                const char *m = len == 'h' ? "h" : len == 'H' ? "hh" : "";
                snprintf(spec + k, sizeof(spec) - k, "%s%c", m, conv);
                if (sign)
                    fprintf(out, spec, va_arg(*ap, int));
                else
                    fprintf(out, spec, va_arg(*ap, unsigned int));
            }
            break;
        }
        case 'c': case 'C': {
            int c = va_arg(*ap, int);
            BOOLEAN wide = (conv == 'C' && len != 'h') || len == 'l' || len == 'w';
            if (wide) {
                WCHAR w = (WCHAR)c;
                ow_put_wide_padded(out, &w, 1, left, width);
            } else {
                char ch = (char)c;
                ow_put_padded(out, &ch, 1, left, width);
            }
            break;
        }
        case 's': case 'S': {
            BOOLEAN wide = (conv == 'S' && len != 'h') || len == 'l' || len == 'w';
            if (wide) {
                const WCHAR *w = va_arg(*ap, const WCHAR *);
                long count = -1;
                if (prec >= 0 && w != NULL)
                    for (count = 0; count < prec && w[count] != 0; count++)
                        ;
                ow_put_wide_padded(out, w, count, left, width);
            } else {
                const char *s = va_arg(*ap, const char *);
                spec[k] = 's';
                spec[k + 1] = '\0';
                fprintf(out, spec, s ? s : "(null)");
            }
            break;
        }
        case 'Z': {
            const void *p = va_arg(*ap, const void *);
            if (len == 'w') {
                const UNICODE_STRING *u = p;
                if (u == NULL || u->Buffer == NULL)
                    ow_put_wide_padded(out, NULL, -1, left, width);
                else
                    ow_put_wide_padded(out, u->Buffer, u->Length / (long)sizeof(WCHAR), left, width);
            } else {
                const ANSI_STRING *a = p;
                if (a == NULL || a->Buffer == NULL)
                    ow_put_padded(out, "(null)", 6, left, width);
                else
                    ow_put_padded(out, a->Buffer, a->Length, left, width);
            }
            break;
        }
        case 'p':
            spec[k] = 'p';
            spec[k + 1] = '\0';
            fprintf(out, spec, va_arg(*ap, void *));
            break;
        case 'n':
            (void)va_arg(*ap, void *);   /* never write through a format */
            break;
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
            if (len == 'L') {
                spec[k] = 'L';
                spec[k + 1] = conv;
                spec[k + 2] = '\0';
                fprintf(out, spec, va_arg(*ap, long double));
            } else {
                spec[k] = conv;
                spec[k + 1] = '\0';
                fprintf(out, spec, va_arg(*ap, double));
            }
            break;
        default:
            fwrite(start, 1, (size_t)(f - start), out);   /* unknown: shown as written */
            break;
        }
    }
}

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
    ow_format(m, Format, &ap);
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
