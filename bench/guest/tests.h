// SPDX-License-Identifier: GPL-2.0-only
#ifndef EB_GUEST_TESTS_H
#define EB_GUEST_TESTS_H

#include "exitbench_abi.h"

/* Run mb->test_id; returns an enum eb_result. */
unsigned int eb_run_test(struct eb_mailbox *mb);

/* menu.c: the rest of the kvm-unit-tests x86/vmexit menu */
unsigned int t_mov_to_cr8(struct eb_mailbox *mb);
unsigned int t_mov_from_cr8(struct eb_mailbox *mb);
unsigned int t_mov_dr(struct eb_mailbox *mb);
unsigned int t_wbinvd(struct eb_mailbox *mb);
unsigned int t_invd(struct eb_mailbox *mb);
unsigned int t_cr0_wp_toggle(struct eb_mailbox *mb);
unsigned int t_cr4_pge_toggle(struct eb_mailbox *mb);
unsigned int t_wr_kernel_gs_base(struct eb_mailbox *mb);
unsigned int t_wr_spec_ctrl(struct eb_mailbox *mb);
unsigned int t_wr_pred_cmd(struct eb_mailbox *mb);
unsigned int t_tscdeadline_fire(struct eb_mailbox *mb);
unsigned int t_pio_user_ioeventfd(struct eb_mailbox *mb);
unsigned int t_mmio_user_ioeventfd(struct eb_mailbox *mb);

#endif
