// SPDX-License-Identifier: GPL-2.0-only
/* The APX dimension, guest side: see apx_guest.c. */
#ifndef EB_GUEST_APX_H
#define EB_GUEST_APX_H

#include "exitbench_abi.h"

/*
 * Before the test (after XCR0 is loaded): probe, and with APX on check
 * CPUID + XCR0 and make R16-R31 live.  EB_RES_OK, or EB_RES_BAD_COMMAND
 * with eb_apx_area.guest_status saying why APX cannot be turned on.
 */
unsigned int eb_apx_before(struct eb_mailbox *mb);
/* After the test: verify the live EGPRs, checked pass, uABI exit. */
void eb_apx_after(struct eb_mailbox *mb);

#endif
