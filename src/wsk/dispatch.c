/* SPDX-License-Identifier: MIT */
/* The socket dispatch tables, one per category, in WDK member order. */
#include "provider.h"
#include "verifier/verifier.h"

static const WSK_PROVIDER_BASIC_DISPATCH basic_dispatch = {
    .WskControlSocket = ow_control_socket,
    .WskCloseSocket = ow_close_socket,
};

static const WSK_PROVIDER_LISTEN_DISPATCH listen_dispatch = {
    .Basic = { .WskControlSocket = ow_control_socket, .WskCloseSocket = ow_close_socket },
    .WskBind = ow_bind,
    .WskAccept = ow_accept,
    .WskInspectComplete = ow_inspect_complete,
    .WskGetLocalAddress = ow_get_local_address,
};

static const WSK_PROVIDER_CONNECTION_DISPATCH connection_dispatch = {
    .Basic = { .WskControlSocket = ow_control_socket, .WskCloseSocket = ow_close_socket },
    .WskBind = ow_bind,
    .WskConnect = ow_connect,
    .WskGetLocalAddress = ow_get_local_address,
    .WskGetRemoteAddress = ow_get_remote_address,
    .WskSend = ow_send,
    .WskReceive = ow_receive,
    .WskDisconnect = ow_disconnect,
    .WskRelease = ow_release_data,
    .WskConnectEx = ow_connect_ex,
    .WskSendEx = ow_send_ex,
    .WskReceiveEx = ow_receive_ex,
};

static const WSK_PROVIDER_STREAM_DISPATCH stream_dispatch = {
    .Basic = { .WskControlSocket = ow_control_socket, .WskCloseSocket = ow_close_socket },
    .WskBind = ow_bind,
    .WskAccept = ow_accept,
    .WskConnect = ow_connect,
    .WskListen = ow_listen,
    .WskSend = ow_send,
    .WskReceive = ow_receive,
    .WskDisconnect = ow_disconnect,
    .WskRelease = ow_release_data,
    .WskGetLocalAddress = ow_get_local_address,
    .WskGetRemoteAddress = ow_get_remote_address,
    .WskConnectEx = ow_connect_ex,
    .WskSendEx = ow_send_ex,
    .WskReceiveEx = ow_receive_ex,
};

/* Non-static: the verifier may wrap it. */
const WSK_PROVIDER_DATAGRAM_DISPATCH ow_datagram_dispatch = {
    .Basic = { .WskControlSocket = ow_control_socket, .WskCloseSocket = ow_close_socket },
    .WskBind = ow_bind,
    .WskSendTo = ow_dgram_send_to,
    .WskReceiveFrom = ow_dgram_receive_from,
    .WskRelease = ow_release_datagram_list,
    .WskGetLocalAddress = ow_get_local_address,
    .WskSendMessages = ow_dgram_send_messages,
};

/* By category: the WSK_FLAG_* values 0, 1, 2, 4, 8; those between are no
 * category and stay basic, as the switch that was here had it. */
const VOID *const ow_dispatch_tables[OW_CAT_STREAM + 1] = {
    [OW_CAT_BASIC] = &basic_dispatch,
    [OW_CAT_LISTEN] = &listen_dispatch,
    [OW_CAT_CONNECTION] = &connection_dispatch,
    [3] = &basic_dispatch,
    [OW_CAT_DATAGRAM] = &ow_datagram_dispatch,
    [5] = &basic_dispatch,
    [6] = &basic_dispatch,
    [7] = &basic_dispatch,
    [OW_CAT_STREAM] = &stream_dispatch,
};
