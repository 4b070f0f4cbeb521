/* SPDX-License-Identifier: MIT */
/* OwWppTrace: the runtime of the WPP stand-in (include/wpp/openwsk_wpp.h).
 * The message is formatted by DbgPrint's own interpreter (format.c); this
 * file adds only WPP's %!TYPE! extensions, then prints the line with
 * DbgPrintEx. */
#include "kernel.h"

#include <openwsk.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the trace call stands, for %!FUNC!, %!FILE! and %!LINE!. */
struct ow_wpp_site {
    PCSTR File, Function;
    ULONG Line;
};

/* One %!TYPE! extension; Type is the text between the '!'s. */
static void ow_wpp_ext(FILE *out, const char *Type, size_t Len, va_list *ap, void *ExtContext)
{
    const struct ow_wpp_site *site = ExtContext;
    PCSTR File = site->File, Function = site->Function;
    ULONG Line = site->Line;
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
    struct ow_wpp_site site = { File ? File : "?", Function ? Function : "?", Line };
    ow_format(m, Format ? Format : "(null)", &ap, ow_wpp_ext, &site);
    va_end(ap);
    fclose(m);
    DbgPrintEx(DPFLTR_IHVDRIVER_ID, ow_dpfltr_level(Level), "%s\n", buf);
    free(buf);
}
