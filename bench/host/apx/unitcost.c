// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit costs of what the strategies add per exit (see unitcost.h): the
 * kernel stand-in's R16-R31 sequences, timed here in exitbench's own
 * thread.  kernel-patches/README.md describes the sequences: 16 64-bit
 * MOVs between R11 and 128 bytes of memory (store, load), 16 32-bit
 * zeroing XORs of R11 (clear).  Timed natively at CPL3 with the same fenced
 * TSC reads as the guest's loops (LFENCE before RDTSC: SDM vol. 2 "RDTSC"),
 * REPS sequences per sample so that the fences' own cost is divided down,
 * minus the same loop empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unitcost.h"

#define REPS		64
#define SAMPLES		2001
#define WARMUP		200

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

#define X16(s) s s s s s s s s s s s s s s s s
/* 16 x 8-byte slots, the stand-in's 128-byte scratch area */
#define STORE16 \
	"movq %%r11, 0(%0)\n\t movq %%r11, 8(%0)\n\t movq %%r11, 16(%0)\n\t" \
	"movq %%r11, 24(%0)\n\t movq %%r11, 32(%0)\n\t movq %%r11, 40(%0)\n\t" \
	"movq %%r11, 48(%0)\n\t movq %%r11, 56(%0)\n\t movq %%r11, 64(%0)\n\t" \
	"movq %%r11, 72(%0)\n\t movq %%r11, 80(%0)\n\t movq %%r11, 88(%0)\n\t" \
	"movq %%r11, 96(%0)\n\t movq %%r11, 104(%0)\n\t movq %%r11, 112(%0)\n\t" \
	"movq %%r11, 120(%0)\n\t"
#define LOAD16 \
	"movq 0(%0), %%r11\n\t movq 8(%0), %%r11\n\t movq 16(%0), %%r11\n\t" \
	"movq 24(%0), %%r11\n\t movq 32(%0), %%r11\n\t movq 40(%0), %%r11\n\t" \
	"movq 48(%0), %%r11\n\t movq 56(%0), %%r11\n\t movq 64(%0), %%r11\n\t" \
	"movq 72(%0), %%r11\n\t movq 80(%0), %%r11\n\t movq 88(%0), %%r11\n\t" \
	"movq 96(%0), %%r11\n\t movq 104(%0), %%r11\n\t movq 112(%0), %%r11\n\t" \
	"movq 120(%0), %%r11\n\t"
#define CLEAR16	X16("xorl %%r11d, %%r11d\n\t")

static uint64_t scratch[16] __attribute__((aligned(64)));

/* One sample: REPS sequences of kind @k (0 empty, 1 store, 2 load, 3 clear). */
static uint64_t sample(int k)
{
	uint64_t t0 = tsc();

	for (int r = 0; r < REPS; r++) {
		switch (k) {
		case 1:
			asm volatile(STORE16 : : "r"(scratch) : "r11", "memory");
			break;
		case 2:
			asm volatile(LOAD16 : : "r"(scratch) : "r11", "memory");
			break;
		case 3:
			asm volatile(CLEAR16 : : : "r11", "cc");
			break;
		default:
			asm volatile("" : : "r"(scratch) : "memory");
			break;
		}
	}
	return tsc() - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Each kind's median over SAMPLES samples, minus the empty loop's, per sequence. */
int unitcost_measure(struct unitcost *u)
{
	uint64_t *v = calloc((size_t)4 * SAMPLES, sizeof(*v));
	double med[4];

	if (!v)
		return -ENOMEM;
	memset(u, 0, sizeof(*u));
	for (int i = 0; i < WARMUP; i++)
		for (int k = 0; k < 4; k++)
			sample(k);
	/* interleaved, so that a frequency change hits every kind alike */
	for (int i = 0; i < SAMPLES; i++)
		for (int k = 0; k < 4; k++)
			v[k * SAMPLES + i] = sample(k);
	for (int k = 0; k < 4; k++) {
		qsort(v + k * SAMPLES, SAMPLES, sizeof(*v), cmp_u64);
		med[k] = (double)v[k * SAMPLES + SAMPLES / 2];
	}
	free(v);
	u->store16 = (med[1] - med[0]) / REPS;
	u->load16 = (med[2] - med[0]) / REPS;
	u->clear16 = (med[3] - med[0]) / REPS;
	u->reps = REPS;
	u->samples = SAMPLES;
	u->valid = true;
	return 0;
}

json_t *unitcost_json(const struct unitcost *u, int cpu, const char *emulated)
{
	char how[400];
	json_t *j;

	if (!u->valid)
		return json_pack("{s:s}", "unavailable", "not measured");
	snprintf(how, sizeof(how),
		 "the kernel stand-in's sequences (16 MOVs R11 <-> 128 bytes, 16 XORs) "
		 "timed back to back (throughput) in exitbench's own thread at CPL3 on CPU %d: median of %u "
		 "samples of %u sequences between LFENCE;RDTSC pairs, minus the same "
		 "loop empty; warm L1, so a lower bound for the cache state after "
		 "VM-exit%s", cpu, u->samples, u->reps,
		 emulated ? "; emulator cycles (QEMU TCG)" : "");
	j = json_pack("{s:f, s:f, s:f, s:s}",
		      "egpr_store16", u->store16, "egpr_load16", u->load16,
		      "egpr_clear16", u->clear16, "how", how);
	json_object_set_new(j, "xsetbv", json_pack("{s:s}", "unavailable",
		"XSETBV is privileged: exitbench (CPL3) cannot execute it, and a "
		"guest's XSETBV exits to KVM, so no measurement of the instruction "
		"alone exists here"));
	return j;
}
