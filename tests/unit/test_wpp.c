/* SPDX-License-Identifier: MIT */
/* The WPP stand-in (include/wpp/openwsk_wpp.h, src/kernel/wpp.c):
 * DoTraceMessage and TraceEvents with the %!TYPE! extensions, through the
 * format engine. */
#include "ktest.h"

#include <wpp/openwsk_wpp.h>

static void Trace(void)
{
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, L"wide");
    DoTraceMessage(TRACE_DRIVER, "%!FUNC! st=%!STATUS! ip=%!IPADDR! port=%!PORT! %!bool! %d %I64u %ws %wZ %s %5.2f %!UNKNOWN! 100%%",
                   STATUS_CONNECTION_REFUSED, RtlUlongByteSwap(0x7f000001), RtlUshortByteSwap(8080),
                   TRUE, -5, (ULONGLONG)1 << 40, L"ws", &us, "str", 3.14159, (PVOID)0x1234);
    TraceEvents(TRACE_LEVEL_ERROR, TRACE_IO, "line %!LINE! in %!FILE!");
}

int main(void)
{
    char out[2048];
    ow_test_capture_stderr(Trace, out, sizeof(out));
    CHECK(strstr(out, "[TRACE_DRIVER] Trace st=STATUS_CONNECTION_REFUSED ip=127.0.0.1 port=8080 TRUE -5 "
                      "1099511627776 ws wide str  3.14 <UNKNOWN:0x1234> 100%\n") != NULL,
          "WPP formatting: %s", out);
    CHECK(strstr(out, "[TRACE_IO] line ") != NULL && strstr(out, " in test_wpp.c") != NULL,
          "TraceEvents: %s", out);
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_wpp");
}
