/* SPDX-License-Identifier: MIT */
/* What every kernel-services unit test includes: the WDK world, the shared
 * test vocabulary (support/check.h: CHECK, CHECK_STATUS, CHECK_BUGCHECK,
 * ow_test_capture_stderr, ow_test_result) and the helpers of ktest.c. */
#ifndef OPENWSK_KTEST_H
#define OPENWSK_KTEST_H

#include <ntddk.h>
#include <openwsk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/check.h"

#define KT_MAX_THREADS 8
/* Runs routine on count system threads (context: the thread's index, from
 * 0) and waits until all of them have terminated. */
void kt_run_threads(ULONG count, PKSTART_ROUTINE routine);

#endif
