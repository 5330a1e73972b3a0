// SPDX-License-Identifier: GPL-2.0-only
/*
 * The same macros used from C inline asm, the way guest C code uses them:
 * the compiler must pass the block address in the register the bytes name
 * (here RDI/RSI through the "D"/"S" constraints).  Never executed.
 */
#include "egpr.h"

void egpr_sites_c_store(unsigned long long *block);
void egpr_sites_c_load(const unsigned long long *block);

void egpr_sites_c_store(unsigned long long *block)
{
	asm volatile(EB_ASM(EB_EGPR_STORE_ALL(EB_RDI)) : : "D" (block) : "memory");
}

void egpr_sites_c_load(const unsigned long long *block)
{
	asm volatile(EB_ASM(EB_EGPR_LOAD_ALL(EB_RSI);
			    EB_EGPR_ZERO(EB_R16);
			    EB_PUSH2(EB_R16, EB_R17);
			    EB_POP2(EB_R17, EB_R16))
		     : : "S" (block) : "memory");
}
