/* SPDX-License-Identifier: MIT */
/* OpenWSK extras (openwsk.h): facts about a WSK socket that only the Linux
 * side can see, for tests, tools and curious drivers. */
#include "provider.h"

#include <openwsk.h>

BOOLEAN OwSocketSynCarriedData(PWSK_SOCKET Socket)
{
    return Socket != NULL && ow_net_syn_data_acked(ow_sock(Socket)->fd) == 1;
}

const char *OwEngineBackend(void)
{
    const char *name = ow_engine_backend();
    return name ? name : "none";
}
