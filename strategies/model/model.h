// SPDX-License-Identifier: GPL-2.0-only
/*
 * An executable model of the machine state around KVM VM-entry/VM-exit, as
 * far as Intel APX's extended GPRs (R16-R31, "EGPRs") are concerned.
 *
 * Values are abstract: all sixteen EGPRs move together, so one tag says
 * whose values a location holds (the guest's current ones, stale guest ones,
 * the host's, zeroes, host-kernel scratch).  XCR0 is reduced to the two bits
 * that matter: APX, and "AVX" standing for every other component in which the
 * guest's XCR0 may differ from the host's.
 *
 * A strategy is a handful of step lists that plug into fixed hook points of
 * a common KVM run loop (machine.c); each step is one thing its kernel patch
 * does (an XSETBV, sixteen EGPR moves, a flag update), guarded by conditions
 * that are either static (alternatives, build options) or a runtime
 * test-and-branch.  The checker (explore.c) runs every interleaving of guest
 * actions, userspace ioctls and NMIs with those steps; the cost table
 * (cost.c) counts what the same steps execute per exit kind.
 */
#ifndef EB_MODEL_H
#define EB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The two XCR0 bits the model distinguishes (not architectural numbers). */
#define XCR0_AVX	0x1	/* every non-APX component host and guest may differ in */
#define XCR0_APX	0x2	/* XCR0[19], R16-R31 */

/* Whose R16-R31 values a location holds. */
enum val {
	VAL_HOST,	/* host userspace's (the VMM thread's) own values */
	VAL_GUEST,	/* the guest's current values */
	VAL_STALE,	/* older guest values, since overwritten by the guest */
	VAL_ZERO,	/* cleared / init state */
	VAL_JUNK,	/* scratch values of host kernel C code (-mapxf) */
	NR_VALS
};

enum where { AT_USER, AT_HOST, AT_GUEST };

/* Which exit the vCPU took (pending while the host handles it). */
enum reason {
	RSN_NONE,
	RSN_FAST,		/* fastpath exit that touches no EGPR (TSC deadline WRMSR) */
	RSN_FAST_RD,		/* fastpath WRMSR with immediate (MSR_IMM), source R16 */
	RSN_FAST_WR,		/* fastpath RDMSR with immediate (MSR_IMM), destination R16 */
	RSN_XSETBV_APX,		/* guest XSETBV flipping XCR0.APX */
	RSN_XSETBV_AVX,		/* guest XSETBV flipping another bit */
	RSN_EMUL_RD,		/* slow path: emulated MMIO store from R16 */
	RSN_USER,		/* exit to userspace (PIO) */
	NR_REASONS
};

/* Step operations used by strategies. */
enum op {
	OP_NOP,			/* code with no EGPR/XCR0 effect (still C or asm) */
	OP_XSETBV,		/* arg: enum xcr0_src */
	OP_EGPR_LOAD,		/* regs[R16..R31] -> hardware */
	OP_EGPR_SAVE,		/* hardware -> regs[R16..R31]; arg SAVE_CLEAR: then clear */
	OP_EGPR_CLEAR,		/* xor R16..R31 (no guest value left for host C) */
	OP_SET_APX_FLAG,	/* cached "guest XCR0.APX" flag := vcpu->arch.xcr0.APX */
	OP_SET_EXIT_PATH,	/* HOST_RIP / run function := the saving one iff APX flag */
	OP_SPEC_CTRL,		/* host SPEC_CTRL restored: speculation safety regained */
	/* run-loop operations, only used by machine.c */
	OP_FPU_LOAD, OP_FPU_PUT, OP_CLGI, OP_STGI, OP_VMENTER, OP_FASTPATH,
	OP_IRQ_ON, OP_HANDLE_EXIT, OP_JUMP, OP_TO_USER,
};

/*
 * OP_EGPR_SAVE's arg: the store is followed by the clear, in the same code
 * path (no branch of its own), as Intel's APX tree does after VM-exit.
 */
#define SAVE_CLEAR	1

enum xcr0_src {
	X_HOST,			/* the host's XCR0 */
	X_GUEST,		/* vcpu->arch.xcr0 */
	X_EARLY,		/* vcpu->arch.xcr0 | APX when the host has APX */
};

/*
 * Step conditions.  Static ones cost nothing at run time (alternatives,
 * build options, the VMCS HOST_RIP chosen by hardware); runtime ones are one
 * test-and-branch each, counted in the cost table.  NOT() negates.
 */
enum cond {
	C_ALWAYS,
	C_HOST_APX,		/* static: X86_FEATURE_APX */
	C_KERNEL_APX,		/* static: host kernel built with -mapxf */
	C_EXIT_PATH_SAVE,	/* static: VM-exit landed on the EGPR-saving path */
	C_RUNTIME,		/* --- runtime conditions from here on --- */
	C_GUEST_APX = C_RUNTIME,	/* vcpu->arch.xcr0 & APX */
	C_APX_FLAG,		/* cached flag (e.g. a bit in __vmx_vcpu_run flags) */
	C_GUEST_NE_HOST,	/* vcpu->arch.xcr0 != host XCR0 */
	C_EARLY_NE_HOST,	/* early XCR0 != host XCR0 */
	C_EARLY_NE_GUEST,	/* early XCR0 != vcpu->arch.xcr0 */
	NR_CONDS
};
#define NOT(c)		((uint8_t)((c) | 0x80))

struct step {
	uint8_t op;
	uint8_t arg;
	uint8_t cond[2];	/* both must hold */
	uint8_t branches;	/* extra runtime branches the step's own code takes */
	bool c;			/* C code (else assembly) */
	const char *text;	/* what the patch does here, in its words */
};

/* One step of C code / of assembly, and the list terminator. */
#define STEP_C(t, o, a, c1, c2) \
	{ .op = (o), .arg = (a), .cond = { (c1), (c2) }, .c = true, .text = (t) }
#define STEP_ASM(t, o, a, c1, c2) \
	{ .op = (o), .arg = (a), .cond = { (c1), (c2) }, .c = false, .text = (t) }
#define STEP_END		  { .text = NULL }
/* The same with extra runtime branches taken by the step's own code. */
#define STEP_C_BR(t, o, a, c1, c2, br) \
	{ .op = (o), .arg = (a), .cond = { (c1), (c2) }, .branches = (br), .c = true, .text = (t) }

/* Upstream's XCR0 switch outside the fastpath loop (baseline/model.c). */
extern const struct step upstream_xfeat_load[], upstream_xfeat_put[];

/* Where KVM keeps, and its emulator/fastpath reads, guest R16-R31. */
enum egpr_home {
	HOME_REGS,	/* vcpu->arch.regs[VCPU_REGS_R16..R31] */
	HOME_LIVE,	/* live in hardware, XSAVEd to the guest FPU buffer */
};

enum vendor { VMX, SVM, NR_VENDORS };

/* Host settings: 0 no APX, 1 APX, 2 APX and a -mapxf host kernel. */
enum level { LVL_NOAPX, LVL_APX, LVL_MAPXF, NR_LEVELS };

/* Violations the checker looks for (bit mask). */
enum vio {
	VIO_UD_EGPR		= 1 << 0,
	VIO_UD_HOST_C		= 1 << 1,
	VIO_UD_NMI		= 1 << 2,
	VIO_GUEST_XCR0		= 1 << 3,
	VIO_HOST_XCR0		= 1 << 4,
	VIO_GUEST_LOST		= 1 << 5,
	VIO_HOST_TO_GUEST	= 1 << 6,
	VIO_GUEST_TO_HOST	= 1 << 7,
	VIO_HOST_LOST		= 1 << 8,
	VIO_KVM_READ		= 1 << 9,
	VIO_UABI		= 1 << 10,
	VIO_SPEC_BRANCH		= 1 << 11,
};
#define NR_VIO_KINDS	12
#define PASS		0x80000000u	/* expect[]: no violation */

struct strategy {
	const char *name;
	const char *summary;		/* one line */
	const char *source;		/* thread reference / patch location */
	bool exposes_apx;		/* guest CPUID advertises APX_F */
	bool fpstate_apx;		/* guest FPU XSAVE buffer carries R16-R31 */
	enum egpr_home home;
	/* hook points, in run-loop order; NULL = nothing added there */
	const struct step *xfeat_load;	/* kvm_load_xfeatures(vcpu, true), outside the fastpath loop */
	const struct step *pre_entry;	/* {vmx,svm}_vcpu_run() C before the asm, inside the loop */
	const struct step *asm_entry;	/* __{vmx,svm}_vcpu_run() before VMLAUNCH/VMRUN */
	const struct step *asm_exit;	/* __{vmx,svm}_vcpu_run() right after VM-exit */
	const struct step *post_exit;	/* {vmx,svm}_vcpu_run() C after the asm */
	const struct step *xfeat_put;	/* kvm_load_xfeatures(vcpu, false) */
	const struct step *xsetbv_exit;	/* __kvm_set_xcr() after kvm_update_xcr0_apx() */
	/* vendor-specific replacements of the hooks above (NULL: use common) */
	const struct step *svm_pre_entry, *svm_asm_entry, *svm_asm_exit;
	const struct step *svm_xsetbv_exit;
	/*
	 * Violations the checker is expected to find, per vendor and level:
	 * PASS where the strategy claims correctness, 0 where a variant is not
	 * checked (real strategies must fill every entry).
	 */
	uint32_t expect[NR_VENDORS][NR_LEVELS];
	bool negative;			/* a broken variant kept as a test fixture */
	const char *why;		/* variant: what of the thread it shows */
};

/* The abstract machine state (kept small: it is hashed and deduplicated). */
struct mstate {
	uint8_t where, pc, reason;
	uint8_t hw_xcr0, vcpu_xcr0;
	uint8_t hw, regs, fps, usr;	/* enum val: hardware, regs[], FPU buffer, saved user */
	uint8_t flag, exit_path, gif;
	uint8_t spec;			/* host SPEC_CTRL in force (0 from VM-entry on) */
};

struct setting {
	enum vendor vendor;
	bool host_apx, kernel_apx;
	/*
	 * The kernel's APX stand-in (kernel-patches/README.md): "APX" is a set
	 * of legacy XCR0 bits that a guest may set whatever the strategy, so
	 * even one that does not expose APX sees guests turn it on.
	 */
	bool standin;
};

#define MAX_PROG 96

/* A strategy compiled into one run-loop program for one setting. */
struct machine {
	const struct strategy *st;
	struct setting set;
	struct step prog[MAX_PROG];
	const char *hook[MAX_PROG];	/* which hook/run-loop function a step is in */
	int nprog;
	int l_run, l_xload, l_pre, l_exit, l_out, l_xsetbv;
};

/* Events: host steps, NMIs, guest actions, userspace ioctls. */
enum event {
	EV_STEP, EV_NMI,
	EV_G_WRITE, EV_G_XSETBV_APX, EV_G_XSETBV_AVX, EV_G_FAST, EV_G_FAST_RD,
	EV_G_FAST_WR, EV_G_EMUL_RD, EV_G_USER,
	EV_U_RUN, EV_U_GET_XSAVE, EV_U_SET_XSAVE, EV_U_SET_XCRS,
	NR_EVENTS
};

struct cost {
	unsigned xsetbv, egpr, branches, vmwrite;
	/*
	 * The same as the kernel's apx_* counters count them (per sequence,
	 * not per register): R16-R31 stores, loads, clears, and exit path
	 * changes (VMX HOST_RIP rewrite, SVM run function change).
	 */
	unsigned stores, loads, clears, path_switches;
};

struct verdict {
	enum vio kind;		/* 0: none */
	bool fatal;		/* #UD: the machine stops here */
	char detail[256];
};

/* What one transition did, for traces. */
struct note {
	bool skipped;		/* host step whose condition was false */
};

int machine_init(struct machine *m, const struct strategy *st, struct setting set);
void machine_reset(const struct machine *m, struct mstate *s);
/*
 * Returns -1 if ev is not enabled in s (or changes nothing), 0 on success,
 * 1 on a violation (in *v; *out is the next state unless v->fatal).
 */
int machine_next(const struct machine *m, const struct mstate *s, enum event ev,
		 struct mstate *out, struct cost *cost, struct verdict *v,
		 struct note *note);
uint64_t mstate_pack(const struct mstate *s);
void mstate_unpack(uint64_t k, struct mstate *s);
const char *vio_name(enum vio kind);
const char *vio_what(enum vio kind);
const char *val_name(enum val v);
const char *xcr0_name(unsigned x);
const char *event_name(enum event ev);
bool cond_holds(const struct machine *m, const struct mstate *s, uint8_t c);
unsigned host_xcr0(const struct machine *m);

/* Exploration. */
struct trace_ent {
	uint16_t ev;
	uint8_t pc;		/* host step executed (EV_STEP) */
	bool skipped;
	uint64_t after;		/* packed state after the transition */
};

struct found {
	uint32_t depth;		/* transitions in the shortest sequence */
	struct verdict v;
	struct trace_ent *trace;	/* depth entries, the last one the violating */
};

struct explore_result {
	uint64_t states, transitions;
	uint32_t max_depth;
	bool bounded;		/* hit the depth bound before the fixpoint */
	double seconds;
	uint32_t found_mask;
	struct found found[NR_VIO_KINDS];
};

int explore(const struct machine *m, uint32_t depth_bound, struct explore_result *r);
void explore_free(struct explore_result *r);
void print_trace(FILE *f, const struct machine *m, const struct found *fd);
/* Prints head, then text wrapped at 78 columns and indented under it. */
void print_wrapped(FILE *f, const char *head, const char *text);

/* Cost per exit kind. */
enum exit_kind { EK_FAST, EK_FULL, EK_XSETBV, NR_EXIT_KINDS };
/* Returns 0 and fills c, or -ENOENT when guest_apx is impossible there. */
int cost_of(const struct strategy *st, struct setting set, bool guest_apx,
	    enum exit_kind ek, struct cost *c);
/*
 * The same, where the guest's XCR0 may also differ from the host's in
 * other bits (@other_differs: e.g. a host XCR0 component KVM does not
 * offer guests), which changes which of the XCR0 switches run.
 */
int cost_of_xcr0(const struct strategy *st, struct setting set, bool guest_apx,
		 bool other_differs, enum exit_kind ek, struct cost *c);

/* Registry. */
extern const struct strategy *const strategies[];
extern const struct strategy *const variants[];
const struct strategy *strategy_find(const char *name);

static inline int vio_index(enum vio kind)
{
	return __builtin_ctz((unsigned)kind);
}

#endif
