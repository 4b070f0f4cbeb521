/* SPDX-License-Identifier: MIT */
/* The trace: one line per WSK call and per IRP completion.
 * OPENWSK_TRACE=1 writes to stderr, OPENWSK_TRACE=<path> to that file.
 * Line: "[ow +S.uuuuuus tTID IRQL] text"; the text is written by verifier.c
 * and wrap.c (call, arguments, returned status; completion, final status,
 * Information, latency). Off: ow_trace_enabled is 0 and nothing here runs. */
#include "verifier/verifier.h"

#include <openwsk.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *trace_out;
static char trace_path[512];
static struct timespec trace_t0;
static BOOLEAN trace_t0_set;

LONGLONG ow_trace_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (LONGLONG)(ts.tv_sec - trace_t0.tv_sec) * 1000000000LL + (ts.tv_nsec - trace_t0.tv_nsec);
}

void ow_trace_configure(void)
{
    const char *v = getenv("OPENWSK_TRACE");
    BOOLEAN on = v != NULL && *v != '\0' && strcmp(v, "0") != 0;
    pthread_mutex_lock(&trace_lock);
    if (!trace_t0_set) {
        clock_gettime(CLOCK_MONOTONIC, &trace_t0);
        trace_t0_set = TRUE;
    }
    const char *path = on && strcmp(v, "1") != 0 ? v : "";
    if (on && trace_out != NULL && strcmp(path, trace_path) == 0) {
        pthread_mutex_unlock(&trace_lock);
        return;   /* unchanged */
    }
    if (trace_out != NULL && trace_out != stderr)
        fclose(trace_out);
    trace_out = NULL;
    trace_path[0] = '\0';
    if (on) {
        if (*path == '\0') {
            trace_out = stderr;
        } else {
            trace_out = fopen(path, "w");
            if (trace_out == NULL)
                fprintf(stderr, "OpenWSK: OPENWSK_TRACE=%s: cannot open the file; tracing to stderr\n", path);
            else
                setvbuf(trace_out, NULL, _IOLBF, 0);
            if (trace_out == NULL)
                trace_out = stderr;
            snprintf(trace_path, sizeof(trace_path), "%s", path);
        }
    }
    ow_trace_enabled = trace_out != NULL;
    pthread_mutex_unlock(&trace_lock);
}

static const char *irql_text(KIRQL irql, char *buf, size_t size)
{
    switch (irql) {
    case PASSIVE_LEVEL:  return "PASSIVE ";
    case APC_LEVEL:      return "APC     ";
    case DISPATCH_LEVEL: return "DISPATCH";
    default:             snprintf(buf, size, "IRQL %-3u", irql); return buf;
    }
}

static void trace_vwrite(LONGLONG ns, int tid, KIRQL Irql, const char *Format, va_list ap)
{
    char line[768], ib[16];
    int n = snprintf(line, sizeof(line), "[ow +%lld.%06llds t%d %s] ", (long long)(ns / 1000000000LL),
                     (long long)(ns % 1000000000LL / 1000), tid, irql_text(Irql, ib, sizeof(ib)));
    if (n > 0 && (size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, Format, ap);
    pthread_mutex_lock(&trace_lock);
    if (trace_out != NULL) {
        fputs(line, trace_out);
        fputc('\n', trace_out);
        if (trace_out == stderr)
            fflush(stderr);
    }
    pthread_mutex_unlock(&trace_lock);
}

int ow_trace_tid(void)
{
    return (int)gettid();
}

void ow_trace_write(KIRQL Irql, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    trace_vwrite(ow_trace_now_ns(), (int)gettid(), Irql, Format, ap);
    va_end(ap);
}

void ow_trace_write_at(LONGLONG Ns, int Tid, KIRQL Irql, const char *Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    trace_vwrite(Ns, Tid, Irql, Format, ap);
    va_end(ap);
}

void ow_trace_plain(const char *Call, NTSTATUS Status, BOOLEAN HasStatus, const char *Format, ...)
{
    char args[300];
    va_list ap;
    va_start(ap, Format);
    vsnprintf(args, sizeof(args), Format, ap);
    va_end(ap);
    if (HasStatus)
        ow_trace_write(KeGetCurrentIrql(), "%s(%s) = %s", Call, args, OwStatusName(Status));
    else
        ow_trace_write(KeGetCurrentIrql(), "%s(%s)", Call, args);
}
