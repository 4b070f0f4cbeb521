/* SPDX-License-Identifier: MIT */
/* WskControlClient: client-level controls.
 *
 *  WSK_TRANSPORT_LIST_QUERY  (IRP NULL)  TCP and UDP over IPv4 and IPv6, version 1.0,
 *                                        ProviderId zero; too small an output buffer:
 *                                        STATUS_BUFFER_OVERFLOW, the size needed in
 *                                        *OutputSizeReturned.
 *  WSK_TRANSPORT_LIST_CHANGE (IRP)       pends until cancelled (the transport list never
 *                                        changes); WskDeregister cancels the ones left
 *                                        (pending.c keeps them on the registration).
 *  WSK_CACHE_SD / WSK_RELEASE_SD (NULL)  an opaque handle, released by WSK_RELEASE_SD;
 *                                        security descriptors are not enforced.
 *  WSK_TDI_BEHAVIOR (IRP NULL)           accepted before the first socket; there is no TDI.
 *  WSK_SET_STATIC_EVENT_CALLBACKS (NULL) the registration's static event mask
 *                                        (registration.c, events.c).
 *  WSK_TDI_DEVICENAME_MAPPING, others    STATUS_NOT_SUPPORTED.
 * A code that takes no IRP given one, or the reverse: STATUS_INVALID_PARAMETER
 * (an IRP given is completed with it). */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

static const WSK_TRANSPORT transports[] = {
    { MAKE_WSK_VERSION(1, 0), SOCK_STREAM, IPPROTO_TCP, AF_INET, { 0, 0, 0, { 0 } } },
    { MAKE_WSK_VERSION(1, 0), SOCK_STREAM, IPPROTO_TCP, AF_INET6, { 0, 0, 0, { 0 } } },
    { MAKE_WSK_VERSION(1, 0), SOCK_DGRAM, IPPROTO_UDP, AF_INET, { 0, 0, 0, { 0 } } },
    { MAKE_WSK_VERSION(1, 0), SOCK_DGRAM, IPPROTO_UDP, AF_INET6, { 0, 0, 0, { 0 } } },
};

/* Cached security descriptors. */
struct cc_entry {
    struct cc_entry *next;
    PWSK_CLIENT client;
};
static pthread_mutex_t cc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cc_entry *cc_sds;

static BOOLEAN cc_unlink(struct cc_entry **list, struct cc_entry *e)
{
    for (struct cc_entry **pp = list; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            return TRUE;
        }
    }
    return FALSE;
}

static void list_change_release(struct ow_pending *p)
{
    free(p);
}

/* Nothing ever completes it but a cancel: IoCancelIrp or WskDeregister. */
static NTSTATUS list_change(PWSK_CLIENT Client, PIRP Irp)
{
    struct ow_pending *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    NTSTATUS st = ow_pending_start(p, ow_reg_pending(Client), Irp, OW_PENDING_CANCEL,
                                   list_change_release);
    ow_pending_put(p);
    return st;
}

void ow_client_control_deregister(PWSK_CLIENT Client)
{
    pthread_mutex_lock(&cc_lock);
    for (struct cc_entry **pp = &cc_sds; *pp;) {   /* SDs the client never released */
        struct cc_entry *e = *pp;
        if (e->client == Client) {
            *pp = e->next;
            free(e);
        } else {
            pp = &e->next;
        }
    }
    pthread_mutex_unlock(&cc_lock);
}

static NTSTATUS cache_sd(PWSK_CLIENT Client, SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out,
                         SIZE_T *out_bytes)
{
    if (in == NULL || in_size < sizeof(PSECURITY_DESCRIPTOR) || out == NULL
        || out_size < sizeof(PSECURITY_DESCRIPTOR))
        return STATUS_INVALID_PARAMETER;
    PSECURITY_DESCRIPTOR sd;
    memcpy(&sd, in, sizeof(sd));
    if (sd == NULL)
        return STATUS_INVALID_PARAMETER;   /* no descriptor to cache (wsk-cache-sd.md) */
    struct cc_entry *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    e->client = Client;
    pthread_mutex_lock(&cc_lock);
    e->next = cc_sds;
    cc_sds = e;
    pthread_mutex_unlock(&cc_lock);
    PSECURITY_DESCRIPTOR handle = e;   /* opaque: never dereferenced by clients */
    memcpy(out, &handle, sizeof(handle));
    *out_bytes = sizeof(handle);
    return STATUS_SUCCESS;
}

static NTSTATUS release_sd(SIZE_T in_size, PVOID in)
{
    if (in == NULL || in_size < sizeof(PSECURITY_DESCRIPTOR))
        return STATUS_INVALID_PARAMETER;
    PSECURITY_DESCRIPTOR handle;
    memcpy(&handle, in, sizeof(handle));
    pthread_mutex_lock(&cc_lock);
    BOOLEAN found = cc_unlink(&cc_sds, (struct cc_entry *)handle);
    pthread_mutex_unlock(&cc_lock);
    if (!found)
        return STATUS_INVALID_PARAMETER;   /* not one WSK_CACHE_SD returned */
    free(handle);
    return STATUS_SUCCESS;
}

NTSTATUS WSKAPI ow_control_client(PWSK_CLIENT Client, ULONG ControlCode, SIZE_T InputSize,
                                  PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                  SIZE_T *OutputSizeReturned, PIRP Irp)
{
    SIZE_T out_bytes = 0;
    NTSTATUS st;
    if (Client == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_HANDLE, 0);
    if (ControlCode == WSK_TRANSPORT_LIST_CHANGE) {
        if (Irp == NULL)
            return STATUS_INVALID_PARAMETER;
        return list_change(Client, Irp);
    }
    if (Irp != NULL && (ControlCode == WSK_TRANSPORT_LIST_QUERY || ControlCode == WSK_CACHE_SD
                        || ControlCode == WSK_RELEASE_SD || ControlCode == WSK_TDI_BEHAVIOR
                        || ControlCode == WSK_SET_STATIC_EVENT_CALLBACKS))
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);   /* these take no IRP */

    switch (ControlCode) {
    case WSK_TRANSPORT_LIST_QUERY:
        out_bytes = sizeof(transports);
        if (OutputBuffer == NULL || OutputSize < sizeof(transports)) {
            st = STATUS_BUFFER_OVERFLOW;   /* out_bytes: the size needed */
        } else {
            memcpy(OutputBuffer, transports, sizeof(transports));
            st = STATUS_SUCCESS;
        }
        break;
    case WSK_CACHE_SD:
        st = cache_sd(Client, InputSize, InputBuffer, OutputSize, OutputBuffer, &out_bytes);
        break;
    case WSK_RELEASE_SD:
        st = release_sd(InputSize, InputBuffer);
        break;
    case WSK_SET_STATIC_EVENT_CALLBACKS: {
        WSK_EVENT_CALLBACK_CONTROL ctl;
        if (InputBuffer == NULL || InputSize < sizeof(ctl)) {
            st = STATUS_INVALID_PARAMETER;
            break;
        }
        memcpy(&ctl, InputBuffer, sizeof(ctl));
        ULONG known = WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG |
                      WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE_FROM;
        if (ctl.NpiId == NULL || memcmp(ctl.NpiId, &NPI_WSK_INTERFACE_ID, sizeof(NPIID)) != 0 ||
            ctl.EventMask == 0 || (ctl.EventMask & ~known))
            st = STATUS_INVALID_PARAMETER;   /* WSK_EVENT_DISABLE has no meaning here */
        else
            st = ow_reg_set_static_events(Client, ctl.EventMask);
        break;
    }
    case WSK_TDI_BEHAVIOR: {
        ULONG v = 0;
        if (InputBuffer == NULL || InputSize < sizeof(ULONG)) {
            st = STATUS_INVALID_PARAMETER;
            break;
        }
        memcpy(&v, InputBuffer, sizeof(v));
        if (v & ~(ULONG)WSK_TDI_BEHAVIOR_BYPASS_TDI)
            st = STATUS_INVALID_PARAMETER;
        else if (ow_reg_had_socket(Client))
            st = STATUS_INVALID_DEVICE_STATE;   /* "before it creates any sockets" (wsk-tdi-behavior.md) */
        else
            st = STATUS_SUCCESS;
        break;
    }
    default:   /* WSK_TDI_DEVICENAME_MAPPING (deprecated), unknown */
        st = STATUS_NOT_SUPPORTED;
        break;
    }
    if (Irp == NULL) {
        if (OutputSizeReturned)
            *OutputSizeReturned = out_bytes;
        return st;
    }
    return ow_complete_now(Irp, st, out_bytes);
}
