/* SPDX-License-Identifier: MIT */
/* Refuses io_uring to the calling process, as container seccomp profiles
 * do: io_uring_setup(2) then fails with EPERM. Linux side; no socket types. */
#ifndef OPENWSK_TEST_NOURING_H
#define OPENWSK_TEST_NOURING_H

/* Returns 0, or -1 when a seccomp filter cannot be installed here. */
int ow_test_refuse_io_uring(void);

#endif
