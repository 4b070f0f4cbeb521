/* SPDX-License-Identifier: MIT */
/* Registration rules: version negotiation, several registrations sharing
 * the engine, and WskDeregister blocking until sockets are closed and
 * captures released (as documented; echosrv's unload relies on it). */
#include "wsktest.h"

static volatile LONG closed_at_ms, released_at_ms;
static LARGE_INTEGER t0, freq;

static LONG now_ms(void)
{
    LARGE_INTEGER t = KeQueryPerformanceCounter(NULL);
    return (LONG)((t.QuadPart - t0.QuadPart) * 1000 / freq.QuadPart);
}

static void sleep_ms(LONG ms)
{
    LARGE_INTEGER d;
    d.QuadPart = -10000LL * ms;
    KeDelayExecutionThread(KernelMode, FALSE, &d);
}

typedef struct { PWSK_SOCKET Socket; WSK_REGISTRATION *Registration; NTSTATUS CaptureDuring; } LATE;

static VOID late_close(PVOID Context)
{
    LATE *late = Context;
    sleep_ms(300);
    /* WskDeregister is waiting now: "After WskDeregister is called, any
     * further calls to WskCaptureProviderNPI will fail with status code
     * STATUS_DEVICE_NOT_READY", even while it has not returned
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nf-wsk-wskcaptureprovidernpi). */
    WSK_PROVIDER_NPI p;
    late->CaptureDuring = WskCaptureProviderNPI(late->Registration, WSK_NO_WAIT, &p);
    if (NT_SUCCESS(late->CaptureDuring))
        WskReleaseProviderNPI(late->Registration);
    wt_close(late->Socket);
    InterlockedExchange(&closed_at_ms, now_ms());
    sleep_ms(200);
    InterlockedExchange(&released_at_ms, now_ms());
    WskReleaseProviderNPI(late->Registration);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

int main(void)
{
    t0 = KeQueryPerformanceCounter(&freq);

    /* A client asking for a major version we do not have. */
    static const WSK_CLIENT_DISPATCH v2 = { MAKE_WSK_VERSION(2, 0), 0, NULL };
    static const WSK_CLIENT_DISPATCH v11 = { MAKE_WSK_VERSION(1, 1), 0, NULL };
    WSK_REGISTRATION r2, r11;
    WSK_CLIENT_NPI n2 = { NULL, &v2 }, n11 = { NULL, &v11 };
    WSK_PROVIDER_NPI p;
    WSK_PROVIDER_CHARACTERISTICS pc;
    CHECK_STATUS(WskRegister(&n2, &r2), STATUS_SUCCESS);
    CHECK_STATUS(WskCaptureProviderNPI(&r2, WSK_NO_WAIT, &p), STATUS_NOINTERFACE);
    CHECK_STATUS(WskQueryProviderCharacteristics(&r2, &pc), STATUS_SUCCESS);
    CHECK(pc.HighestVersion == MAKE_WSK_VERSION(1, 0), "highest version %x", pc.HighestVersion);

    /* A 1.1 client and a 1.0 client at once, with a wait timeout. */
    CHECK_STATUS(WskRegister(&n11, &r11), STATUS_SUCCESS);
    CHECK_STATUS(WskCaptureProviderNPI(&r11, 1000, &p), STATUS_SUCCESS);
    WskReleaseProviderNPI(&r11);
    /* STATUS_DEVICE_NOT_READY means "The provider NPI was not yet available"
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nf-wsk-wskcaptureprovidernpi),
     * which a client polling with WSK_NO_WAIT retries: a NULL WskProviderNpi
     * is a bad parameter instead (the page's "Other status codes"), and
     * captures nothing (WskDeregister below would wait for it). */
    CHECK_STATUS(WskCaptureProviderNPI(&r11, WSK_NO_WAIT, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(WskCaptureProviderNPI(&r11, WSK_INFINITE_WAIT, NULL), STATUS_INVALID_PARAMETER);
    WskDeregister(&r11);
    WskDeregister(&r2);
    CHECK_STATUS(WskCaptureProviderNPI(&r2, WSK_NO_WAIT, &p), STATUS_DEVICE_NOT_READY);
    CHECK_STATUS(WskQueryProviderCharacteristics(&r2, &pc), STATUS_DEVICE_NOT_READY);
    CHECK_STATUS(WskRegister(NULL, &r2), STATUS_INVALID_PARAMETER);

    /* WskDeregister waits for the socket to be closed and the capture released. */
    WT_CLIENT cl;
    wt_register(&cl);
    LATE late = { wt_socket(&cl, AF_INET6, WSK_FLAG_LISTEN_SOCKET, NULL, NULL), &cl.Registration, STATUS_PENDING };
    HANDLE thread;
    CHECK_STATUS(PsCreateSystemThread(&thread, 0, NULL, NULL, NULL, late_close, &late), STATUS_SUCCESS);
    WskDeregister(&cl.Registration);
    LONG done = now_ms();
    CHECK(closed_at_ms > 0 && released_at_ms > 0 && done >= released_at_ms,
          "WskDeregister returned at %ld ms; socket closed at %ld, capture released at %ld",
          (long)done, (long)closed_at_ms, (long)released_at_ms);
    CHECK_STATUS(late.CaptureDuring, STATUS_DEVICE_NOT_READY);
    PVOID obj;
    if (NT_SUCCESS(ObReferenceObjectByHandle(thread, 0, NULL, KernelMode, &obj, NULL))) {
        KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(obj);
    }
    ZwClose(thread);
    return wt_result("test_wsk_registration");
}
