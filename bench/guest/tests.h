// SPDX-License-Identifier: GPL-2.0-only
#ifndef EB_GUEST_TESTS_H
#define EB_GUEST_TESTS_H

#include "exitbench_abi.h"

/* Run mb->test_id; returns an enum eb_result. */
unsigned int eb_run_test(struct eb_mailbox *mb);

#endif
