// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX dimension, host side: what the host CPU, its XCR0 and KVM offer,
 * which guest APX modes a run can honestly measure, and which XCR0 the
 * guest runs with.
 */
#ifndef EXITBENCH_HOST_APX_H
#define EXITBENCH_HOST_APX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct kvm_cpuid2;

/* XCR0 bits that matter for choosing a reduced guest XCR0 (SDM 13.1). */
#define APX_XCR0_X87		(1ull << 0)
#define APX_XCR0_SSE		(1ull << 1)
#define APX_XCR0_AVX		(1ull << 2)
#define APX_XCR0_AVX512		(7ull << 5)	/* opmask, ZMM_Hi256, Hi16_ZMM */
#define APX_XCR0_AMX		(3ull << 17)	/* XTILECFG, XTILEDATA */
#define APX_XCR0_APX		(1ull << 19)

struct apx_info {
	/* the host CPU, seen from this process */
	bool host_apx_f;		/* CPUID.(7,1):EDX[21] */
	bool host_osxsave;		/* CPUID.1:ECX[27]: XGETBV usable */
	uint64_t host_xcr0;		/* XGETBV(0); 0 without OSXSAVE */
	uint64_t host_xcr0_supported;	/* CPUID.(0xD,0) EDX:EAX */
	uint32_t host_apx_size;		/* CPUID.(0xD,19).EAX (128 with APX) */
	uint32_t host_apx_offset;	/* CPUID.(0xD,19).EBX, standard format */

	/* KVM, as KVM_GET_SUPPORTED_CPUID / KVM_CHECK_EXTENSION report it */
	bool kvm_ok;			/* false: the fields below are unknown */
	int kvm_err;			/* -errno when !kvm_ok */
	bool kvm_apx_f;			/* supported CPUID.(7,1):EDX[21] */
	bool kvm_xsave;			/* supported CPUID.1:ECX[26] */
	uint64_t kvm_xcr0;		/* supported CPUID.(0xD,0) EDX:EAX */
	uint32_t kvm_apx_size;		/* supported CPUID.(0xD,19).EAX */
	uint32_t kvm_apx_offset;	/* supported CPUID.(0xD,19).EBX */
	int kvm_xsave2_size;		/* KVM_CAP_XSAVE2: KVM_GET_XSAVE2 bytes, 0 = none */
	bool kvm_xcrs;			/* KVM_CAP_XCRS: KVM_GET_XCRS works */
};

/*
 * Fill @info from this CPU and, when @kvm_fd >= 0, from /dev/kvm.
 * @supported may pass the caller's KVM_GET_SUPPORTED_CPUID result; NULL
 * makes apx_probe() ask KVM itself.  A KVM failure is recorded in
 * info->kvm_err (not returned): the host facts are still worth reporting.
 * Returns 0, or -ENODEV when this CPU lacks the CPUID leaves at all.
 */
int apx_probe(int kvm_fd, const struct kvm_cpuid2 *supported,
	      struct apx_info *info);

/*
 * The kernel's measurement-only APX stand-in (CONFIG_KVM_APX_STANDIN, see
 * kernel-patches/README.md): /sys/module/kvm/parameters/apx_standin reads
 * "off", or "<name> 0x<mask>": the XCR0 bits that stand in for XCR0.APX.
 * A guest turns stand-in "APX" on by setting exactly those bits and off by
 * clearing them.  $EXITBENCH_APX_STANDIN_PARAM names another file (tests).
 */
#define APX_STANDIN_PARAM	"/sys/module/kvm/parameters/apx_standin"
#define APX_STANDIN_PARAM_ENV	"EXITBENCH_APX_STANDIN_PARAM"

struct apx_standin {
	char path[256];			/* the file read */
	bool present;			/* it exists (the kernel knows stand-ins) */
	bool usable;			/* name and mask valid, host XCR0 has them */
	char name[32];
	uint64_t mask;
	char why[384];			/* !usable: a sentence */
};

/*
 * Read and check the stand-in against @info (its mask must be enabled in
 * the host XCR0 and offered by KVM).  Never fails: @sd says what it found.
 */
void apx_standin_probe(const struct apx_info *info, struct apx_standin *sd);

/*
 * Parse a parameter value ("off" or "<name> 0x<mask>").  Returns 0 with
 * @name/@mask filled, 1 for "off", -EINVAL for anything else.
 */
int apx_standin_parse(const char *s, char *name, size_t len, uint64_t *mask);

/* Can a guest get APX here?  If not, why not (a sentence). */
bool apx_guest_possible(const struct apx_info *info, char *why, size_t len);

/* `--apx off|on|both|auto` */
enum apx_request {
	APX_REQ_AUTO = 0,
	APX_REQ_OFF,
	APX_REQ_ON,
	APX_REQ_BOTH,
	APX_REQ_STANDIN,		/* the kernel's stand-in, off and on */
};

/* Returns 0, or -EINVAL for anything but the five names. */
int apx_parse_request(const char *s, enum apx_request *req);
const char *apx_request_name(enum apx_request req);

/* Which guest modes a run executes, and why a mode is left out. */
struct apx_plan {
	enum apx_request request;
	bool run_off, run_on;
	/*
	 * run_on false although asked (auto, both): the reason, recorded in
	 * the results.  For on/both, refuse is set instead: the CLI must stop
	 * (exit 2) rather than report an "apx on" number it cannot measure.
	 */
	char on_skipped[512];
	bool refuse;
	/*
	 * The guest's APX modes are the kernel's stand-in: "on" sets
	 * standin.mask in XCR0, "off" clears it.  Set for --apx standin, and
	 * for auto/off where the kernel has a stand-in and real APX is absent
	 * (there the stand-in kernel takes a guest XCR0 with those bits as
	 * APX on, so "off" must clear them to mean what it says).
	 */
	bool standin;
	struct apx_standin sd;
};

/* @sd may be NULL: no stand-in. */
void apx_plan_make(const struct apx_info *info, const struct apx_standin *sd,
		   enum apx_request req, struct apx_plan *plan);

/*
 * The guest XCR0 of stand-in mode @on: the host's XCR0 (within what KVM
 * allows) with the stand-in bits set (on) or cleared (off; AVX-512 state
 * goes with AVX, which it needs).  Returns 0, or -EINVAL.
 */
int apx_standin_xcr0(const struct apx_info *info, const struct apx_standin *sd,
		     bool on, uint64_t *xcr0);

/* `--xcr0 host|reduced` */
enum apx_xcr0_mode {
	APX_XCR0_HOST = 0,
	APX_XCR0_REDUCED,
};

int apx_parse_xcr0_mode(const char *s, enum apx_xcr0_mode *mode);
const char *apx_xcr0_mode_name(enum apx_xcr0_mode mode);

/*
 * The XCR0 a guest loads for (@apx_on, @mode):
 *  host     the host's XCR0 (as far as KVM lets the guest have it), with
 *           bit 19 exactly as @apx_on says, so that KVM has no XCR0 to
 *           switch on entry/exit unless APX itself differs;
 *  reduced  that value without the AVX-512 (and AMX) state, or without
 *           AVX where there is no AVX-512: an XCR0 that differs from the
 *           host's, which makes KVM XSETBV on every entry and exit.  Its
 *           cost is today's proxy for the XSETBV that early-xcr0 and
 *           xcr0-first add to every exit of an APX-off guest.
 * *@differs says whether the result differs from the host XCR0 (i.e.
 * whether KVM switches XCR0 around every exit).  Returns 0, -EINVAL for
 * apx_on without APX, -EOPNOTSUPP when nothing can be reduced (host XCR0
 * is x87 only); @why then says so.
 */
int apx_guest_xcr0(const struct apx_info *info, bool apx_on,
		   enum apx_xcr0_mode mode, uint64_t *xcr0, bool *differs,
		   char *why, size_t len);

/* A result's "apx" key: off/on, or standin-off/standin with the stand-in. */
const char *apx_mode_name(const struct apx_plan *plan, bool on);

/* The "apx.standin" object of a results file; null when never probed. */
json_t *apx_standin_json(const struct apx_standin *sd, bool used);

/* The "apx" object of a results file (results/README.md). */
json_t *apx_info_to_json(const struct apx_info *info,
			 const struct apx_plan *plan);

/* The block `exitbench list` prints. */
void apx_info_print(const struct apx_info *info, const struct apx_plan *plan,
		    FILE *out);

#endif /* EXITBENCH_HOST_APX_H */
