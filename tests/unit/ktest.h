/* What every kernel-services unit test includes: the WDK world and the
 * shared test vocabulary (support/check.h: CHECK, CHECK_STATUS,
 * CHECK_BUGCHECK, ow_test_capture_stderr, ow_test_result). */
#ifndef OPENWSK_KTEST_H
#define OPENWSK_KTEST_H

#include <ntddk.h>
#include <openwsk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/check.h"

#endif
