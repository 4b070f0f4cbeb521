/* SPDX-License-Identifier: MIT */
/* Linux errno -> NTSTATUS: the one table. docs/semantics.md lists it with the
 * reasons; Windows' own NTSTATUS<->Winsock pairing and the WSK reference pages
 * decide each row. */
#include "provider.h"

#include <errno.h>

NTSTATUS ow_status_from_errno(int err)
{
    switch (err) {
    case 0:               return STATUS_SUCCESS;
    case ECANCELED:       return STATUS_CANCELLED;
    case ECONNREFUSED:    return STATUS_CONNECTION_REFUSED;
    case ETIMEDOUT:       return STATUS_IO_TIMEOUT;
    case ECONNRESET:      return STATUS_CONNECTION_RESET;
    case EPIPE:           return STATUS_CONNECTION_RESET;
    case ECONNABORTED:    return STATUS_CONNECTION_ABORTED;
    case ENOTCONN:        return STATUS_INVALID_DEVICE_STATE;
    case EISCONN:         return STATUS_CONNECTION_ACTIVE;
    case EALREADY:        return STATUS_CONNECTION_ACTIVE;
    case EADDRINUSE:      return STATUS_ADDRESS_ALREADY_EXISTS;
    case EADDRNOTAVAIL:   return STATUS_INVALID_ADDRESS_COMPONENT;
    case EACCES:
    case EPERM:           return STATUS_ACCESS_DENIED;
    case ENETUNREACH:     return STATUS_NETWORK_UNREACHABLE;
    case ENETDOWN:        return STATUS_NETWORK_UNREACHABLE;
    case EHOSTUNREACH:    return STATUS_HOST_UNREACHABLE;
    case EHOSTDOWN:       return STATUS_HOST_DOWN;
    case EMSGSIZE:        return STATUS_INVALID_BUFFER_SIZE;
    case ENOBUFS:
    case ENOMEM:
    case EBUSY:     /* io_uring submission queue full even after a flush */
    case EMFILE:
    case ENFILE:          return STATUS_INSUFFICIENT_RESOURCES;
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT:
    case ESOCKTNOSUPPORT:
    case EPROTOTYPE:
    case EOPNOTSUPP:
    case ENOPROTOOPT:     return STATUS_NOT_SUPPORTED;
    case EINVAL:          return STATUS_INVALID_PARAMETER;
    case EFAULT:          return STATUS_ACCESS_VIOLATION;
    case EBADF:
    case ENOTSOCK:        return STATUS_FILE_FORCED_CLOSED;
    case ESHUTDOWN:       return STATUS_PIPE_DISCONNECTED;
    case EINTR:           return STATUS_REQUEST_ABORTED;
    default:              return STATUS_UNSUCCESSFUL;
    }
}
