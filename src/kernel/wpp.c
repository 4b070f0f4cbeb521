/* OwWppTrace: the runtime of the WPP stand-in (include/wpp/openwsk_wpp.h).
 * Formats the message conversion by conversion (Windows length modifiers,
 * WPP's %!TYPE! extensions) into one line and prints it with DbgPrintEx. */
#include "kernel.h"

#include <openwsk.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ow_put_utf16(FILE *out, const WCHAR *s, long count)
{
    if (s == NULL) {
        fputs("(null)", out);
        return;
    }
    for (long i = 0; count < 0 ? s[i] != 0 : i < count; i++) {
        unsigned c = (USHORT)s[i];
        if (c < 0x80)
            fputc((int)c, out);
        else if (c < 0x800)
            fprintf(out, "%c%c", 0xC0 | (c >> 6), 0x80 | (c & 0x3F));
        else
            fprintf(out, "%c%c%c", 0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
    }
}

/* One %!TYPE! extension; Type is the text between the '!'s. */
static void ow_wpp_ext(FILE *out, const char *Type, size_t Len, PCSTR File, ULONG Line,
                       PCSTR Function, va_list *ap)
{
#define OW_IS(name) (Len == sizeof(name) - 1 && strncmp(Type, name, Len) == 0)
    if (OW_IS("FUNC")) {
        fputs(Function, out);
    } else if (OW_IS("LINE")) {
        fprintf(out, "%lu", (unsigned long)Line);
    } else if (OW_IS("FILE")) {
        const char *slash = strrchr(File, '/');
        fputs(slash ? slash + 1 : File, out);
    } else if (OW_IS("STATUS") || OW_IS("NTSTATUS")) {
        fputs(OwStatusName((NTSTATUS)va_arg(*ap, int)), out);
    } else if (OW_IS("HRESULT") || OW_IS("WINERROR")) {
        fprintf(out, "0x%08x", (unsigned)va_arg(*ap, int));
    } else if (OW_IS("bool") || OW_IS("BOOLEAN") || OW_IS("BOOL")) {
        fputs(va_arg(*ap, int) ? "TRUE" : "FALSE", out);
    } else if (OW_IS("IPADDR")) {
        unsigned v = (unsigned)va_arg(*ap, int);   /* network order, as in in_addr */
        const unsigned char *b = (const unsigned char *)&v;
        fprintf(out, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    } else if (OW_IS("PORT")) {
        unsigned v = (unsigned)va_arg(*ap, int) & 0xffff;
        fprintf(out, "%u", ((v & 0xff) << 8) | (v >> 8));
    } else if (OW_IS("ptr") || OW_IS("p")) {
        fprintf(out, "%p", va_arg(*ap, void *));
    } else {
        /* Unknown type: one pointer-sized argument, shown in hex. */
        fprintf(out, "<%.*s:0x%llx>", (int)Len, Type, (unsigned long long)va_arg(*ap, ULONG_PTR));
    }
#undef OW_IS
}

static void ow_wpp_format(FILE *out, const char *f, PCSTR File, ULONG Line, PCSTR Function,
                          va_list *ap)
{
    while (*f) {
        if (*f != '%') {
            fputc(*f++, out);
            continue;
        }
        const char *start = f++;
        if (*f == '%') {
            fputc('%', out);
            f++;
            continue;
        }
        if (*f == '!') {
            const char *end = strchr(f + 1, '!');
            if (end != NULL) {
                ow_wpp_ext(out, f + 1, (size_t)(end - f - 1), File, Line, Function, ap);
                f = end + 1;
                continue;
            }
        }
        /* flags, width, precision */
        char spec[32];
        size_t n = 0;
        spec[n++] = '%';
        while (*f && strchr("-+ #0", *f) && n < 8)
            spec[n++] = *f++;
        int star_w = 0, star_p = 0;
        if (*f == '*') { star_w = 1; spec[n++] = *f++; }
        while (*f >= '0' && *f <= '9' && n < 16) spec[n++] = *f++;
        if (*f == '.') {
            spec[n++] = *f++;
            if (*f == '*') { star_p = 1; spec[n++] = *f++; }
            while (*f >= '0' && *f <= '9' && n < 24) spec[n++] = *f++;
        }
        /* length: 0 int, 1 long long, 2 size, 'h' short, 'w' wide */
        int len = 0;
        BOOLEAN wide = FALSE;
        if (strncmp(f, "I64", 3) == 0) { len = 1; f += 3; }
        else if (strncmp(f, "I32", 3) == 0) { f += 3; }
        else if (*f == 'I' || *f == 'z' || *f == 't' || *f == 'j') { len = 2; f++; }
        else if (strncmp(f, "ll", 2) == 0) { len = 1; f += 2; }
        else if (*f == 'l') { wide = TRUE; f++; }          /* %l is 32 bits; %ls wide */
        else if (*f == 'w') { wide = TRUE; f++; }
        else if (*f == 'h') { f++; if (*f == 'h') f++; }
        char conv = *f ? *f++ : '\0';
        int w = star_w ? va_arg(*ap, int) : 0, p = star_p ? va_arg(*ap, int) : 0;
        switch (conv) {
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'c':
            if (len == 1 || len == 2) {
                spec[n++] = 'l'; spec[n++] = 'l';
            }
            spec[n++] = conv;
            spec[n] = '\0';
            {
                long long v = len ? va_arg(*ap, long long) : (long long)va_arg(*ap, int);
                if (len == 0) {
                    if (star_w && star_p) fprintf(out, spec, w, p, (int)v);
                    else if (star_w) fprintf(out, spec, w, (int)v);
                    else if (star_p) fprintf(out, spec, p, (int)v);
                    else fprintf(out, spec, (int)v);
                } else {
                    if (star_w && star_p) fprintf(out, spec, w, p, v);
                    else if (star_w) fprintf(out, spec, w, v);
                    else if (star_p) fprintf(out, spec, p, v);
                    else fprintf(out, spec, v);
                }
            }
            break;
        case 'p':
            fprintf(out, "%p", va_arg(*ap, void *));
            break;
        case 'e': case 'E': case 'f': case 'g': case 'G': case 'a':
            spec[n++] = conv;
            spec[n] = '\0';
            {
                double v = va_arg(*ap, double);
                if (star_w && star_p) fprintf(out, spec, w, p, v);
                else if (star_w) fprintf(out, spec, w, v);
                else if (star_p) fprintf(out, spec, p, v);
                else fprintf(out, spec, v);
            }
            break;
        case 'S':
            ow_put_utf16(out, va_arg(*ap, const WCHAR *), star_p ? p : -1);
            break;
        case 's':
            if (wide) {
                ow_put_utf16(out, va_arg(*ap, const WCHAR *), star_p ? p : -1);
            } else {
                spec[n++] = 's';
                spec[n] = '\0';
                const char *s = va_arg(*ap, const char *);
                if (s == NULL) s = "(null)";
                if (star_w && star_p) fprintf(out, spec, w, p, s);
                else if (star_w) fprintf(out, spec, w, s);
                else if (star_p) fprintf(out, spec, p, s);
                else fprintf(out, spec, s);
            }
            break;
        case 'Z':
            if (wide) {
                PCUNICODE_STRING us = va_arg(*ap, PCUNICODE_STRING);
                if (us == NULL) fputs("(null)", out);
                else ow_put_utf16(out, us->Buffer, us->Length / (long)sizeof(WCHAR));
            } else {
                PCANSI_STRING as = va_arg(*ap, PCANSI_STRING);
                if (as == NULL) fputs("(null)", out);
                else fwrite(as->Buffer, 1, as->Length, out);
            }
            break;
        case 'C':
            ow_put_utf16(out, (WCHAR[]){ (WCHAR)va_arg(*ap, int), 0 }, 1);
            break;
        default:
            /* Not a conversion we know: print it as written, consume nothing. */
            fwrite(start, 1, (size_t)(f - start), out);
        }
    }
}

static ULONG ow_dpfltr_level(ULONG Level)
{
    return Level <= 2 ? DPFLTR_ERROR_LEVEL
         : Level == 3 ? DPFLTR_WARNING_LEVEL
         : Level == 4 ? DPFLTR_TRACE_LEVEL : DPFLTR_INFO_LEVEL;
}

VOID OwWppTrace(ULONG Level, PCSTR Flag, PCSTR File, ULONG Line, PCSTR Function, PCSTR Format, ...)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return;
    if (Flag != NULL && *Flag)
        fprintf(m, "[%s] ", Flag);
    va_list ap;
    va_start(ap, Format);
    ow_wpp_format(m, Format ? Format : "(null)", File ? File : "?", Line,
                  Function ? Function : "?", &ap);
    va_end(ap);
    fclose(m);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, ow_dpfltr_level(Level), "%s\n", buf);
    free(buf);
}
