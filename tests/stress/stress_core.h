/* SPDX-License-Identifier: MIT */
/* Stress core shared by tests/io/test_stress_short.c (in `make check`),
 * tests/io/test_faults.c and tests/stress/wsk_stress.c (`make stress`); the
 * rounds are in stress_core.c.
 *
 * A round: N concurrent WSK clients against an echo server — a WSK listener
 * in the same process (accepting by WskAccept IRPs or WskAcceptEvent, plain
 * or conditional) or a plain Linux echo peer (tests/support/peer.c). Each
 * client is of one kind (ST_PARAMS.Mix picks them):
 *
 *   echo         WskConnectEx with a first buffer, random-size WskSend and
 *                WskReceive (WAITALL on half), graceful disconnect both ways
 *   disc-only    the same, with only WSK_EVENT_DISCONNECT on: exactly one
 *                WskDisconnectEvent, Flags 0, for the echo's FIN
 *   events       receives by WskReceiveEvent, which takes all, takes part
 *                (*BytesAccepted) or refuses (STATUS_DATA_NOT_ACCEPTED); a
 *                zero-length WskReceive (from the callback or a work item)
 *                resumes, and every held byte must come again, in order
 *   reset        (WSK server) a WAITALL WskReceive is pending when the server
 *                sends k bytes and resets: STATUS_CONNECTION_RESET with
 *                Information = k, every later receive the reset too; half
 *                of them with the disconnect event: one, WSK_FLAG_ABORTIVE
 *   reject       (conditional) WskInspectReject, at once or by
 *                WskInspectComplete from a work item: the client sees the
 *                reset, never data or a graceful end
 *   pend-accept  (conditional) WskInspectPend, then WskInspectComplete
 *                (Accept) from a work item: an echo client after that
 *   abort        (conditional) pended; the client resets it: exactly one
 *                WskAbortEvent with its WSK_INSPECT_ID
 *
 * ST_PARAMS.EmfileWindow runs the listener out of descriptors (the
 * accept_emfile fault) at the start of the round, then gives them back: an
 * IRP listener fails exactly one WskAccept per refused accept with
 * STATUS_INSUFFICIENT_RESOURCES, an event listener is told nothing, and
 * every connection is accepted in the end.
 *
 * Checked: every byte (the stream is a function of the connection's seed and
 * the byte's offset, so each receive is verified where it lands, and a hash
 * of both directions is compared at the end), every IRP completed exactly
 * once (an "armed" flag per IRP, cleared by its completion routine), every
 * unhappy path's documented status, no leak after each round (pool
 * allocations, file descriptors). All client and server work after the
 * connect runs in completion routines, event callbacks and work items, so
 * 1,000 clients need no threads of their own. */
#ifndef OPENWSK_STRESS_CORE_H
#define OPENWSK_STRESS_CORE_H

#include "wsktest.h"

/* Who serves the round when LinuxPeer is 0. */
enum st_listener { ST_L_IRP, ST_L_EVENT, ST_L_COND_IRP, ST_L_COND_EVENT, ST_L_KINDS };

typedef struct ST_PARAMS {
    int Clients;                 /* concurrent clients in one round */
    SIZE_T BytesMin, BytesMax;   /* bytes each client sends (and gets back) */
    SIZE_T IoMax;                /* largest single send/receive */
    ADDRESS_FAMILY Family;
    int LinuxPeer;               /* 1: Linux echo peer; 0: WSK listener here */
    int Listener;                /* enum st_listener (WSK listener only) */
    int Mix;                     /* 0: echo clients only; 1: every kind the server allows */
    int EmfileWindow;            /* 1: the listener runs out of descriptors, then recovers */
    unsigned Seed;
    int TimeoutMs;               /* a round not done by then: lost completion */
} ST_PARAMS;

typedef struct ST_TOTALS {
    unsigned long long Connections, BytesOut, BytesIn, Irps;
    unsigned long long Failures;
    /* the unhappy paths, each counted when it ended as documented */
    unsigned long long Resets, ResetBytes;          /* WAITALL ended by a reset, bytes verified */
    unsigned long long Refusals, Resumes;           /* refused/partly taken indications; zero-length resumes */
    unsigned long long DisconnectEvents;
    unsigned long long AcceptEmfile;                /* accepts refused for lack of descriptors */
    unsigned long long Rejected, Pended, Aborted;   /* conditional accept */
} ST_TOTALS;

/* Runs one round; adds to *tot; returns the failures of the round. A lost
 * completion (a client not done within TimeoutMs) exits the process: IRPs
 * still pending make nothing safe to free. */
unsigned long long st_round(WT_CLIENT *cl, const ST_PARAMS *p, ST_TOTALS *tot);

/* "name: N connections, ... " — one line of figures for a total. */
void st_print_totals(FILE *f, const char *name, const ST_TOTALS *t);

#endif
