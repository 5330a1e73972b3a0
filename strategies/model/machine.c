// SPDX-License-Identifier: GPL-2.0-only
/*
 * The common KVM run loop the strategies plug into, and what every step does
 * to the abstract machine state.
 *
 * The loop follows v6.12 with the prep series (XCR0 switched outside the
 * fastpath loop, as upstream since 6.19):
 *
 *   KVM_RUN ioctl:      kvm_load_guest_fpu()
 *   vcpu_enter_guest(): [xfeat_load]                 IRQs off from here
 *     loop:  {vmx,svm}_vcpu_run(): (svm: clgi) C; [pre_entry]
 *            __{vmx,svm}_vcpu_run(): [asm_entry]; VMRESUME/VMRUN
 *            ... guest ...
 *            __{vmx,svm}_vcpu_run(): [asm_exit]; ret
 *            {vmx,svm}_vcpu_run(): C; [post_exit]; (svm: stgi)
 *            fastpath handler: re-enter (loop) or leave
 *     [xfeat_put]; local_irq_enable()
 *   exit handler: XSETBV -> __kvm_set_xcr(): kvm_update_xcr0_apx() (prep),
 *                 [xsetbv_exit]; next entry
 *                 MMIO emulation -> next entry; PIO -> userspace
 *   KVM_RUN returns:    kvm_put_guest_fpu()
 *   KVM_SET_XCRS ioctl: __kvm_set_xcr() [xsetbv_exit]
 *
 * Modelling choices, each a fact or a stated assumption:
 * - A -mapxf host kernel lets the compiler use R16-R31 in any C function
 *   (they are caller-saved in the APX psABI), so every C step needs
 *   XCR0.APX=1 (else #UD) and leaves scratch in R16-R31.  Entry code saves
 *   the interrupted context's R16-R31 like the legacy GPRs (Dave Hansen in
 *   the thread), so an NMI needs XCR0.APX=1 too but preserves the values.
 * - Without -mapxf, host kernel code never touches R16-R31; NMIs then
 *   cannot break anything here and are not explored.
 * - VMX: an NMI can hit at any host instruction, including the first one
 *   after VM-exit (Sean's "NMI that arrives after VM-Exit").  SVM: none
 *   between CLGI and STGI.
 * - Guest values must not be live in R16-R31 when -mapxf C code runs, for
 *   the reason KVM clears the legacy GPRs after VM-exit (speculative use).
 *   Without -mapxf no host instruction names them, so that is fine.
 * - Speculation: a runtime branch between VM-exit and the restore of the
 *   host's SPEC_CTRL is flagged (Andrew Cooper's "branch prior to regaining
 *   speculative safety"); strategies place that restore in their exit
 *   assembly with OP_SPEC_CTRL, or get it first thing after VM-exit.
 * - XSETBV clearing XCR0.APX leaves R16-R31 unchanged (the guest's values
 *   are retained while its APX is off, as Chang Bae describes for regs[]).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "model.h"

unsigned host_xcr0(const struct machine *m)
{
	return XCR0_AVX | (m->set.host_apx ? XCR0_APX : 0);
}

static unsigned early_xcr0(const struct machine *m, const struct mstate *s)
{
	return s->vcpu_xcr0 | (m->set.host_apx ? XCR0_APX : 0);
}

static int emit(struct machine *m, struct step s, const char *hook)
{
	if (m->nprog >= MAX_PROG)
		return -E2BIG;
	m->hook[m->nprog] = hook;
	m->prog[m->nprog++] = s;
	return 0;
}

static int emit_list(struct machine *m, const struct step *l, const char *hook)
{
	int ret;

	for (; l && l->text; l++) {
		if (l->op > OP_SPEC_CTRL)
			return -EINVAL;	/* run-loop ops are not for strategies */
		ret = emit(m, *l, hook);
		if (ret)
			return ret;
	}
	return 0;
}

/* prep, for every strategy: the byte the entry/exit assembly may test. */
static const struct step update_xcr0_apx =
	STEP_C("kvm_update_xcr0_apx(): vcpu->arch.xcr0_apx = !!(xcr0 & XFEATURE_MASK_APX)",
	       OP_SET_APX_FLAG, 0, C_ALWAYS, C_ALWAYS);

static bool has_op(const struct step *l, uint8_t op)
{
	for (; l && l->text; l++)
		if (l->op == op)
			return true;
	return false;
}

#define PICK(common, svm) ((vmx || !(svm)) ? (common) : (svm))

int machine_init(struct machine *m, const struct strategy *st, struct setting set)
{
	bool vmx = set.vendor == VMX;
	const char *run = vmx ? "vmx_vcpu_run" : "svm_vcpu_run";
	const char *asmrun = vmx ? "__vmx_vcpu_run" : "__svm_vcpu_run";
	int ret = 0;

	if (set.kernel_apx && !set.host_apx)
		return -EINVAL;	/* a -mapxf kernel does not boot without APX */
	memset(m, 0, sizeof(*m));
	m->st = st;
	m->set = set;

	m->l_run = m->nprog;
	ret |= emit(m, (struct step)STEP_C("kvm_load_guest_fpu()", OP_FPU_LOAD, 0, 0, 0),
		    "kvm_arch_vcpu_ioctl_run");
	m->l_xload = m->nprog;
	ret |= emit_list(m, st->xfeat_load, "kvm_load_xfeatures(guest)");
	m->l_pre = m->nprog;
	if (!vmx)
		ret |= emit(m, (struct step)STEP_C("clgi()", OP_CLGI, 0, 0, 0), run);
	ret |= emit(m, (struct step)STEP_C("C code before the world switch", OP_NOP, 0, 0, 0), run);
	ret |= emit_list(m, PICK(st->pre_entry, st->svm_pre_entry), run);
	ret |= emit_list(m, PICK(st->asm_entry, st->svm_asm_entry), asmrun);
	ret |= emit(m, vmx ? (struct step)STEP_ASM("VMRESUME", OP_VMENTER, 0, 0, 0)
			   : (struct step)STEP_ASM("VMRUN", OP_VMENTER, 0, 0, 0), asmrun);
	m->l_exit = m->nprog;
	/* Strategies that do not place it themselves get upstream's order. */
	if (!has_op(PICK(st->asm_exit, st->svm_asm_exit), OP_SPEC_CTRL))
		ret |= emit(m, (struct step)STEP_ASM("save guest GPRs; restore host SPEC_CTRL",
						     OP_SPEC_CTRL, 0, 0, 0), asmrun);
	ret |= emit_list(m, PICK(st->asm_exit, st->svm_asm_exit), asmrun);
	ret |= emit(m, (struct step)STEP_C("C code after the world switch", OP_NOP, 0, 0, 0), run);
	ret |= emit_list(m, st->post_exit, run);
	if (!vmx)
		ret |= emit(m, (struct step)STEP_C("stgi()", OP_STGI, 0, 0, 0), run);
	ret |= emit(m, (struct step)STEP_C("fastpath handler", OP_FASTPATH, 0, 0, 0),
		    "vcpu_enter_guest");
	ret |= emit_list(m, st->xfeat_put, "kvm_load_xfeatures(host)");
	ret |= emit(m, (struct step)STEP_C("local_irq_enable()", OP_IRQ_ON, 0, 0, 0),
		    "vcpu_enter_guest");
	ret |= emit(m, (struct step)STEP_C("exit handler", OP_HANDLE_EXIT, 0, 0, 0), "vcpu_run");
	ret |= emit(m, update_xcr0_apx, "__kvm_set_xcr");
	ret |= emit_list(m, PICK(st->xsetbv_exit, st->svm_xsetbv_exit), "__kvm_set_xcr");
	ret |= emit(m, (struct step)STEP_C("next vcpu_enter_guest()", OP_JUMP, 0, 0, 0), "vcpu_run");
	m->prog[m->nprog - 1].arg = (uint8_t)m->l_xload;
	m->l_out = m->nprog;
	ret |= emit(m, (struct step)STEP_C("kvm_put_guest_fpu()", OP_FPU_PUT, 0, 0, 0),
		    "kvm_arch_vcpu_ioctl_run");
	ret |= emit(m, (struct step)STEP_ASM("return to userspace", OP_TO_USER, 0, 0, 0), "entry code");
	/* KVM_SET_XCRS: __kvm_set_xcr() runs the same hook as an XSETBV exit. */
	m->l_xsetbv = m->nprog;
	ret |= emit(m, update_xcr0_apx, "__kvm_set_xcr");
	ret |= emit_list(m, PICK(st->xsetbv_exit, st->svm_xsetbv_exit), "__kvm_set_xcr");
	ret |= emit(m, (struct step)STEP_ASM("return to userspace", OP_TO_USER, 0, 0, 0), "entry code");
	return ret ? -E2BIG : 0;
}

void machine_reset(const struct machine *m, struct mstate *s)
{
	memset(s, 0, sizeof(*s));
	s->where = AT_USER;
	s->hw_xcr0 = host_xcr0(m);
	s->vcpu_xcr0 = 0;		/* x87 only after RESET */
	s->hw = m->set.host_apx ? VAL_HOST : VAL_ZERO;
	s->regs = VAL_GUEST;		/* the guest's (initial) R16-R31 */
	s->fps = VAL_GUEST;
	s->usr = VAL_JUNK;
	s->gif = 1;
	s->spec = 1;
}

/* Packing: field widths in bits, in struct order. */
static const struct { size_t off; unsigned bits; } fields[] = {
	{ offsetof(struct mstate, where), 2 },
	{ offsetof(struct mstate, pc), 7 },
	{ offsetof(struct mstate, reason), 3 },
	{ offsetof(struct mstate, hw_xcr0), 2 },
	{ offsetof(struct mstate, vcpu_xcr0), 2 },
	{ offsetof(struct mstate, hw), 3 },
	{ offsetof(struct mstate, regs), 3 },
	{ offsetof(struct mstate, fps), 3 },
	{ offsetof(struct mstate, usr), 3 },
	{ offsetof(struct mstate, flag), 1 },
	{ offsetof(struct mstate, exit_path), 1 },
	{ offsetof(struct mstate, gif), 1 },
	{ offsetof(struct mstate, spec), 1 },
};

uint64_t mstate_pack(const struct mstate *s)
{
	uint64_t k = 0;
	unsigned sh = 0;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		k |= (uint64_t)((const uint8_t *)s)[fields[i].off] << sh;
		sh += fields[i].bits;
	}
	return k;
}

void mstate_unpack(uint64_t k, struct mstate *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		((uint8_t *)s)[fields[i].off] = k & ((1u << fields[i].bits) - 1);
		k >>= fields[i].bits;
	}
}

static const char *const vio_names[NR_VIO_KINDS] = {
	"ud-egpr", "ud-host-c", "ud-nmi", "guest-xcr0", "host-xcr0",
	"guest-lost", "host-to-guest", "guest-to-host", "host-lost",
	"kvm-read", "uabi", "spec-branch",
};

static const char *const vio_whats[NR_VIO_KINDS] = {
	"#UD: R16-R31 accessed while XCR0.APX=0",
	"#UD: -mapxf host C code ran while XCR0.APX=0",
	"#UD: NMI entry (-mapxf kernel) saved R16-R31 while XCR0.APX=0",
	"guest ran with a hardware XCR0 that is not its own",
	"host ran with the guest's XCR0 outside the IRQs-off world switch",
	"guest R16-R31 not preserved",
	"host R16-R31 visible to the guest",
	"guest R16-R31 visible to the host",
	"host userspace R16-R31 not preserved across KVM_RUN",
	"KVM read a value that is not the guest's R16",
	"KVM_GET_XSAVE did not return the guest's R16-R31",
	"runtime branch after VM-exit before the host SPEC_CTRL is restored",
};

const char *vio_name(enum vio kind)
{
	return vio_names[vio_index(kind)];
}

const char *vio_what(enum vio kind)
{
	return vio_whats[vio_index(kind)];
}

const char *val_name(enum val v)
{
	static const char *const n[NR_VALS] = { "H", "G", "g", "0", "J" };

	return v < NR_VALS ? n[v] : "?";
}

const char *xcr0_name(unsigned x)
{
	static const char *const n[4] = { "x87", "AVX", "APX", "AVX+APX" };

	return n[x & 3];
}

const char *event_name(enum event ev)
{
	static const char *const n[NR_EVENTS] = {
		[EV_STEP] = "step", [EV_NMI] = "NMI",
		[EV_G_WRITE] = "guest writes new R16-R31 values",
		[EV_G_XSETBV_APX] = "guest XSETBV flips XCR0.APX (VM-exit)",
		[EV_G_XSETBV_AVX] = "guest XSETBV flips XCR0.AVX (VM-exit)",
		[EV_G_FAST] = "guest WRMSR TSC_DEADLINE (fastpath VM-exit)",
		[EV_G_FAST_RD] = "guest WRMSRNS $msr, %r16 (MSR_IMM, fastpath VM-exit)",
		[EV_G_FAST_WR] = "guest RDMSR $msr, %r16 (MSR_IMM, fastpath VM-exit)",
		[EV_G_EMUL_RD] = "guest MMIO store from %r16 (emulated, VM-exit)",
		[EV_G_USER] = "guest PIO (VM-exit to userspace)",
		[EV_U_RUN] = "userspace KVM_RUN",
		[EV_U_GET_XSAVE] = "userspace KVM_GET_XSAVE",
		[EV_U_SET_XSAVE] = "userspace KVM_SET_XSAVE (new R16-R31)",
		[EV_U_SET_XCRS] = "userspace KVM_SET_XCRS (flips XCR0.APX)",
	};

	return ev < NR_EVENTS ? n[ev] : "?";
}

bool cond_holds(const struct machine *m, const struct mstate *s, uint8_t c)
{
	bool neg = c & 0x80, r;

	switch (c & 0x7f) {
	case C_ALWAYS:		r = true; break;
	case C_HOST_APX:	r = m->set.host_apx; break;
	case C_KERNEL_APX:	r = m->set.kernel_apx; break;
	case C_EXIT_PATH_SAVE:	r = s->exit_path; break;
	case C_GUEST_APX:	r = s->vcpu_xcr0 & XCR0_APX; break;
	case C_APX_FLAG:	r = s->flag; break;
	case C_GUEST_NE_HOST:	r = s->vcpu_xcr0 != host_xcr0(m); break;
	case C_EARLY_NE_HOST:	r = early_xcr0(m, s) != host_xcr0(m); break;
	case C_EARLY_NE_GUEST:	r = early_xcr0(m, s) != s->vcpu_xcr0; break;
	default:		r = false; break;
	}
	return r != neg;
}

/*
 * Records a violation (the first one of a transition wins).  #UD stops the
 * machine; after any other violation the transition completes and the
 * search goes on, so that one bug does not hide the next.
 */
__attribute__((format(printf, 3, 4)))
static int fail(struct verdict *v, enum vio kind, const char *fmt, ...)
{
	bool fatal = kind & (VIO_UD_EGPR | VIO_UD_HOST_C | VIO_UD_NMI);
	va_list ap;

	if (!v->kind || (fatal && !v->fatal)) {
		v->kind = kind;
		va_start(ap, fmt);
		vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
		va_end(ap);
	}
	v->fatal |= fatal;
	return 1;
}

/* The guest's R16-R31 get new values in *loc; every old copy goes stale. */
static void new_guest_values(struct mstate *s, uint8_t *loc)
{
	uint8_t *all[] = { &s->hw, &s->regs, &s->fps, &s->usr };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i] == VAL_GUEST)
			*all[i] = VAL_STALE;
	*loc = VAL_GUEST;
}

static int need_apx(const struct mstate *s, struct verdict *v, const char *what)
{
	if (s->hw_xcr0 & XCR0_APX)
		return 0;
	return fail(v, VIO_UD_EGPR, "%s with XCR0=%s", what, xcr0_name(s->hw_xcr0));
}

/* KVM (fastpath handler or emulator) reads the guest's R16. */
static int kvm_read_r16(const struct machine *m, const struct mstate *s,
			struct verdict *v, const char *who)
{
	if (m->st->home == HOME_REGS) {
		if (s->regs != VAL_GUEST)
			fail(v, VIO_KVM_READ, "%s read regs[R16] = %s", who, val_name(s->regs));
		return 0;
	}
	if (need_apx(s, v, "reading live R16"))
		return 1;
	if (s->hw != VAL_GUEST)
		fail(v, VIO_KVM_READ, "%s read live R16 = %s", who, val_name(s->hw));
	return 0;
}

static int kvm_write_r16(const struct machine *m, struct mstate *s, struct verdict *v)
{
	if (m->st->home == HOME_REGS) {
		new_guest_values(s, &s->regs);
		return 0;
	}
	if (need_apx(s, v, "writing live R16"))
		return 1;
	new_guest_values(s, &s->hw);
	return 0;
}

/* The guest runs: what it can observe must be exactly its own. */
static int check_guest(const struct machine *m, const struct mstate *s, struct verdict *v)
{
	if (s->hw_xcr0 != s->vcpu_xcr0)
		return fail(v, VIO_GUEST_XCR0, "hardware XCR0=%s, guest's XCR0=%s%s",
			    xcr0_name(s->hw_xcr0), xcr0_name(s->vcpu_xcr0),
			    (s->hw_xcr0 & ~s->vcpu_xcr0 & XCR0_APX) ?
			    " (APX it never asked for)" : "");
	if (!(s->vcpu_xcr0 & XCR0_APX))
		return 0;	/* R16-R31 inaccessible to the guest */
	switch (s->hw) {
	case VAL_GUEST:
		return 0;
	case VAL_HOST:
	case VAL_JUNK:
		return fail(v, VIO_HOST_TO_GUEST, "guest (XCR0.APX=1) runs with R16-R31 = %s",
			    val_name(s->hw));
	default:
		return fail(v, VIO_GUEST_LOST, "guest (XCR0.APX=1) runs with R16-R31 = %s",
			    val_name(s->hw));
	}
}

static int check_user(const struct machine *m, const struct mstate *s, struct verdict *v)
{
	if (s->hw_xcr0 != host_xcr0(m))
		return fail(v, VIO_HOST_XCR0, "back in userspace with XCR0=%s",
			    xcr0_name(s->hw_xcr0));
	if (!m->set.host_apx || s->hw == VAL_HOST)
		return 0;
	if (s->hw == VAL_GUEST || s->hw == VAL_STALE)
		return fail(v, VIO_GUEST_TO_HOST, "host userspace sees R16-R31 = %s",
			    val_name(s->hw));
	return fail(v, VIO_HOST_LOST, "host userspace sees R16-R31 = %s", val_name(s->hw));
}

static int host_step(const struct machine *m, const struct mstate *s, struct mstate *o,
		     struct cost *cost, struct verdict *v, struct note *note)
{
	const struct step *st = &m->prog[s->pc];
	bool taken = true;

	/* -mapxf: the compiler may use R16-R31 anywhere in C code. */
	if (st->c && m->set.kernel_apx) {
		if (!(s->hw_xcr0 & XCR0_APX))
			return fail(v, VIO_UD_HOST_C, "C code in %s runs with XCR0=%s",
				    m->hook[s->pc], xcr0_name(s->hw_xcr0));
		if (s->hw == VAL_GUEST || s->hw == VAL_STALE)
			fail(v, VIO_GUEST_TO_HOST, "C code in %s runs with R16-R31 = %s",
			     m->hook[s->pc], val_name(s->hw));
		o->hw = VAL_JUNK;
	}
	for (int i = 0; i < 2 && taken; i++) {
		if ((st->cond[i] & 0x7f) >= C_RUNTIME) {
			cost->branches++;
			if (!s->spec)
				fail(v, VIO_SPEC_BRANCH, "%s: %s", m->hook[s->pc], st->text);
		}
		taken = cond_holds(m, s, st->cond[i]);
	}
	o->pc = s->pc + 1;
	if (!taken) {
		note->skipped = true;
		return v->kind ? 1 : 0;
	}
	cost->branches += st->branches;
	if (st->branches && !s->spec)
		fail(v, VIO_SPEC_BRANCH, "%s: %s", m->hook[s->pc], st->text);

	switch (st->op) {
	case OP_NOP:
		break;
	case OP_XSETBV:
		cost->xsetbv++;
		o->hw_xcr0 = st->arg == X_HOST ? host_xcr0(m) :
			     st->arg == X_GUEST ? s->vcpu_xcr0 : early_xcr0(m, s);
		break;
	case OP_EGPR_LOAD:
		if (need_apx(o, v, "loading R16-R31 from regs[]"))
			return 1;
		cost->egpr += 16;
		cost->loads++;
		o->hw = s->regs;
		break;
	case OP_EGPR_SAVE:
		if (need_apx(o, v, "saving R16-R31 to regs[]"))
			return 1;
		cost->egpr += 16;
		cost->stores++;
		o->regs = o->hw;
		if (st->arg == SAVE_CLEAR) {
			cost->egpr += 16;
			cost->clears++;
			o->hw = VAL_ZERO;
		}
		break;
	case OP_EGPR_CLEAR:
		if (need_apx(o, v, "clearing R16-R31"))
			return 1;
		cost->egpr += 16;
		cost->clears++;
		o->hw = VAL_ZERO;
		break;
	case OP_SET_APX_FLAG:
		o->flag = !!(s->vcpu_xcr0 & XCR0_APX);
		break;
	case OP_SET_EXIT_PATH:
		o->exit_path = s->flag;
		if (m->set.vendor == VMX && o->exit_path != s->exit_path)
			cost->vmwrite++;
		if (o->exit_path != s->exit_path)
			cost->path_switches++;
		break;
	case OP_FPU_LOAD:
		/* XSAVE of the user's state, XRSTOR of the guest's. */
		if (!(o->hw_xcr0 & XCR0_APX))
			break;
		if (!m->set.kernel_apx)
			o->usr = o->hw;
		if (m->st->fpstate_apx)
			o->hw = s->fps;
		break;
	case OP_FPU_PUT:
		if (!(o->hw_xcr0 & XCR0_APX))
			break;
		if (m->st->fpstate_apx)
			o->fps = o->hw;
		if (!m->set.kernel_apx)
			o->hw = s->usr;
		break;
	case OP_SPEC_CTRL:
		o->spec = 1;
		break;
	case OP_CLGI:
		o->gif = 0;
		break;
	case OP_STGI:
		o->gif = 1;
		break;
	case OP_VMENTER:
		check_guest(m, o, v);
		o->where = AT_GUEST;
		o->pc = m->l_exit;
		o->reason = RSN_NONE;
		o->spec = 0;	/* the guest's SPEC_CTRL until restored after exit */
		break;
	case OP_FASTPATH:
		if (s->reason == RSN_FAST_RD &&
		    kvm_read_r16(m, o, v, "fastpath WRMSR(MSR_IMM) handler"))
			return 1;
		if (s->reason == RSN_FAST_WR && kvm_write_r16(m, o, v))
			return 1;
		if (s->reason == RSN_FAST || s->reason == RSN_FAST_RD ||
		    s->reason == RSN_FAST_WR) {
			o->reason = RSN_NONE;
			o->pc = m->l_pre;
		}
		break;
	case OP_IRQ_ON:
		if (o->hw_xcr0 != host_xcr0(m))
			fail(v, VIO_HOST_XCR0, "IRQs enabled with XCR0=%s", xcr0_name(o->hw_xcr0));
		break;
	case OP_HANDLE_EXIT:
		o->reason = RSN_NONE;
		if (s->reason == RSN_USER) {
			o->pc = m->l_out;
		} else if (s->reason == RSN_EMUL_RD) {
			if (kvm_read_r16(m, o, v, "MMIO emulator"))
				return 1;
			o->pc = m->l_xload;
		} else {
			o->vcpu_xcr0 ^= s->reason == RSN_XSETBV_APX ? XCR0_APX : XCR0_AVX;
		}
		break;
	case OP_JUMP:
		o->pc = st->arg;
		break;
	case OP_TO_USER:
		/* -mapxf: entry code restores the user's R16-R31 from pt_regs. */
		if (m->set.kernel_apx) {
			if (need_apx(o, v, "entry code restoring user R16-R31"))
				return 1;
			o->hw = s->usr;
		}
		o->where = AT_USER;
		o->pc = 0;
		check_user(m, o, v);
		break;
	default:
		return fail(v, VIO_UD_EGPR, "bad step op %u", st->op);
	}
	return v->kind ? 1 : 0;
}

static int exit_to_host(struct mstate *o, enum reason r)
{
	o->where = AT_HOST;
	o->reason = r;
	return 0;
}

int machine_next(const struct machine *m, const struct mstate *s, enum event ev,
		 struct mstate *o, struct cost *cost, struct verdict *v,
		 struct note *note)
{
	bool apx_guest = s->vcpu_xcr0 & XCR0_APX;
	bool apx_uabi = (m->st->exposes_apx || m->set.standin) && m->set.host_apx;
	struct cost dummy;

	if (!cost)
		cost = &dummy;
	*o = *s;
	note->skipped = false;
	v->kind = 0;
	v->fatal = false;
	switch (s->where) {
	case AT_HOST:
		if (ev == EV_STEP)
			return host_step(m, s, o, cost, v, note);
		/* Only a -mapxf kernel's NMI entry touches R16-R31 (see top). */
		if (ev == EV_NMI && m->set.kernel_apx && s->gif) {
			if (!(s->hw_xcr0 & XCR0_APX))
				return fail(v, VIO_UD_NMI, "NMI arrives in %s with XCR0=%s",
					    m->hook[s->pc], xcr0_name(s->hw_xcr0));
		}
		return -1;
	case AT_GUEST:
		switch (ev) {
		case EV_G_WRITE:
			if (!apx_guest)
				return -1;
			new_guest_values(o, &o->hw);
			return 0;
		case EV_G_XSETBV_APX:
			return apx_uabi ? exit_to_host(o, RSN_XSETBV_APX) : -1;
		case EV_G_XSETBV_AVX:
			return exit_to_host(o, RSN_XSETBV_AVX);
		case EV_G_FAST:
			return exit_to_host(o, RSN_FAST);
		case EV_G_FAST_RD:
			return apx_guest ? exit_to_host(o, RSN_FAST_RD) : -1;
		case EV_G_FAST_WR:
			return apx_guest ? exit_to_host(o, RSN_FAST_WR) : -1;
		case EV_G_EMUL_RD:
			return apx_guest ? exit_to_host(o, RSN_EMUL_RD) : -1;
		case EV_G_USER:
			return exit_to_host(o, RSN_USER);
		default:
			return -1;
		}
	case AT_USER:
		switch (ev) {
		case EV_U_RUN:
		case EV_U_SET_XCRS:
			if (ev == EV_U_SET_XCRS) {
				if (!apx_uabi)
					return -1;
				o->vcpu_xcr0 ^= XCR0_APX;
			}
			/* -mapxf: syscall entry saves the user's R16-R31 in pt_regs. */
			if (m->set.kernel_apx)
				o->usr = s->hw;
			o->where = AT_HOST;
			o->pc = ev == EV_U_RUN ? m->l_run : m->l_xsetbv;
			return 0;
		case EV_U_GET_XSAVE:
			if (!apx_uabi)
				return -1;
			if ((m->st->home == HOME_REGS ? s->regs : s->fps) != VAL_GUEST)
				return fail(v, VIO_UABI, "KVM_GET_XSAVE returned R16-R31 = %s (from %s)",
					    val_name(m->st->home == HOME_REGS ? s->regs : s->fps),
					    m->st->home == HOME_REGS ? "regs[]" : "the guest FPU buffer");
			return -1;	/* correct and no state change: nothing to explore */
		case EV_U_SET_XSAVE:
			if (!apx_uabi)
				return -1;
			new_guest_values(o, m->st->home == HOME_REGS ? &o->regs : &o->fps);
			return 0;
		default:
			return -1;
		}
	}
	return -1;
}
