/* SPDX-License-Identifier: MIT */
/* The one Windows printf interpreter: DbgPrint (debug.c) and WPP (wpp.c)
 * both format through ow_format. Windows conversions are translated to
 * glibc's: %l is 32 bits (LLP64), %I64/%I32/%I are sized, %ws/%S/%ls/%wc/%C
 * are UTF-16 and %wZ/%Z are counted strings. Wide text goes through
 * RtlUnicodeToUTF8N (rtl_utf8.c), so surrogate pairs become one UTF-8
 * character and lone surrogates U+FFFD; width, precision and '-' apply to
 * every conversion, wide ones included. A caller's Ext handles "%!TYPE!". */
#include "kernel.h"

#include <stdlib.h>
#include <string.h>

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

/* Units UTF-16 units (NULL: "(null)"), as UTF-8 padded to Width. */
static void ow_put_wide_padded(FILE *out, const WCHAR *s, size_t Units, BOOLEAN Left, int Width)
{
    if (s == NULL) {
        ow_put_padded(out, "(null)", 6, Left, Width);
        return;
    }
    if (Units > MAXULONG / (3 * sizeof(WCHAR)))
        Units = MAXULONG / (3 * sizeof(WCHAR));
    size_t cap = Units * 3;   /* a unit is at most 3 bytes, a pair 4 */
    char small[256];
    char *buf = cap <= sizeof(small) ? small : malloc(cap);
    if (buf == NULL)
        return;
    ULONG len = 0;
    (void)RtlUnicodeToUTF8N(buf, (ULONG)cap, &len, s, (ULONG)(Units * sizeof(WCHAR)));
    ow_put_padded(out, buf, len, Left, Width);
    if (buf != small)
        free(buf);
}

/* The parsed "%[flags][width][.prec][length]" of one conversion. */
struct ow_spec {
    char text[48];      /* flags, width and precision, for glibc */
    size_t k;
    BOOLEAN left;
    int width, prec;
    char len;           /* 64, 32, 'P' pointer-sized, 'h', 'H' char, 'l', 'w', 'L' */
};

static const char *ow_parse_spec(const char *f, struct ow_spec *sp, va_list *ap)
{
    sp->k = 0;
    sp->text[sp->k++] = '%';
    sp->left = FALSE;
    sp->width = sp->prec = -1;
    while (*f && strchr("-+ #0'", *f)) {
        sp->left |= *f == '-';
        if (sp->k < 8)
            sp->text[sp->k++] = *f;
        f++;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        if (sp->width < 0) {
            sp->left = TRUE;
            sp->text[sp->k++] = '-';
            sp->width = -sp->width;
        }
        f++;
    } else if (*f >= '0' && *f <= '9') {
        sp->width = (int)strtol(f, (char **)&f, 10);
    }
    if (*f == '.') {
        f++;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int);
            f++;
        } else {
            sp->prec = (int)strtol(f, (char **)&f, 10);
        }
    }
    if (sp->width >= 0)
        sp->k += (size_t)snprintf(sp->text + sp->k, sizeof(sp->text) - sp->k, "%d", sp->width);
    if (sp->prec >= 0)
        sp->k += (size_t)snprintf(sp->text + sp->k, sizeof(sp->text) - sp->k, ".%d", sp->prec);

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
    sp->len = len;
    return f;
}

/* Appends Tail to the spec and prints one argument with glibc. */
#define OW_PRINT(sp, tail, arg) do {                                             \
        snprintf((sp)->text + (sp)->k, sizeof((sp)->text) - (sp)->k, "%s", tail); \
        fprintf(out, (sp)->text, arg);                                           \
    } while (0)

static void ow_format_integer(FILE *out, struct ow_spec *sp, char conv, va_list *ap)
{
    BOOLEAN sign = conv == 'd' || conv == 'i';
    char tail[4] = { 0 };
    if (sp->len == 64 || sp->len == 'P') {
        tail[0] = 'l'; tail[1] = 'l'; tail[2] = conv;
        if (sign)
            OW_PRINT(sp, tail, va_arg(*ap, long long));
        else
            OW_PRINT(sp, tail, va_arg(*ap, unsigned long long));
        return;
    }
    size_t t = 0;
    if (sp->len == 'h' || sp->len == 'H')
        tail[t++] = 'h';
    if (sp->len == 'H')
        tail[t++] = 'h';
    tail[t] = conv;
    if (sign)
        OW_PRINT(sp, tail, va_arg(*ap, int));
    else
        OW_PRINT(sp, tail, va_arg(*ap, unsigned int));
}

static void ow_format_string(FILE *out, struct ow_spec *sp, char conv, va_list *ap)
{
    BOOLEAN wide = ((conv == 'S' || conv == 'C') && sp->len != 'h') || sp->len == 'l' ||
                   sp->len == 'w';
    if (conv == 'c' || conv == 'C') {
        int c = va_arg(*ap, int);
        if (wide) {
            WCHAR w = (WCHAR)c;
            ow_put_wide_padded(out, &w, 1, sp->left, sp->width);
        } else {
            char ch = (char)c;
            ow_put_padded(out, &ch, 1, sp->left, sp->width);
        }
    } else if (wide) {
        const WCHAR *w = va_arg(*ap, const WCHAR *);
        size_t units = w ? ow_wcsnlen(w, sp->prec < 0 ? SIZE_MAX : (size_t)sp->prec) : 0;
        ow_put_wide_padded(out, w, units, sp->left, sp->width);
    } else {
        const char *s = va_arg(*ap, const char *);
        OW_PRINT(sp, "s", s ? s : "(null)");
    }
}

/* %wZ (UNICODE_STRING) and %Z (ANSI_STRING): counted, maybe not terminated. */
static void ow_format_counted(FILE *out, struct ow_spec *sp, va_list *ap)
{
    const void *p = va_arg(*ap, const void *);
    if (sp->len == 'w') {
        const UNICODE_STRING *u = p;
        if (u == NULL || u->Buffer == NULL)
            ow_put_wide_padded(out, NULL, 0, sp->left, sp->width);
        else
            ow_put_wide_padded(out, u->Buffer, u->Length / sizeof(WCHAR), sp->left, sp->width);
    } else {
        const ANSI_STRING *a = p;
        if (a == NULL || a->Buffer == NULL)
            ow_put_padded(out, "(null)", 6, sp->left, sp->width);
        else
            ow_put_padded(out, a->Buffer, a->Length, sp->left, sp->width);
    }
}

void ow_format(FILE *out, const char *f, va_list *ap, ow_format_ext_fn Ext, void *ExtContext)
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
        if (*f == '!' && Ext != NULL) {
            const char *end = strchr(f + 1, '!');
            if (end != NULL) {
                Ext(out, f + 1, (size_t)(end - f - 1), ap, ExtContext);
                f = end + 1;
                continue;
            }
        }
        struct ow_spec sp;
        f = ow_parse_spec(f, &sp, ap);
        char conv = *f;
        if (conv == '\0') {
            fputs(start, out);
            return;
        }
        f++;
        switch (conv) {
        case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
            ow_format_integer(out, &sp, conv, ap);
            break;
        case 'c': case 'C': case 's': case 'S':
            ow_format_string(out, &sp, conv, ap);
            break;
        case 'Z':
            ow_format_counted(out, &sp, ap);
            break;
        case 'p':
            OW_PRINT(&sp, "p", va_arg(*ap, void *));
            break;
        case 'n':
            (void)va_arg(*ap, void *);   /* never write through a format */
            break;
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A': {
            char tail[3] = { conv, 0, 0 };
            if (sp.len == 'L') {
                tail[0] = 'L';
                tail[1] = conv;
                OW_PRINT(&sp, tail, va_arg(*ap, long double));
            } else {
                OW_PRINT(&sp, tail, va_arg(*ap, double));
            }
            break;
        }
        default:
            fwrite(start, 1, (size_t)(f - start), out);   /* unknown: shown as written */
            break;
        }
    }
}
