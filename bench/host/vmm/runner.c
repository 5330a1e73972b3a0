// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run loop and its watchdog.
 *
 * The vCPU runs in its own thread (pinned with --cpu) so that the main
 * thread can enforce a deadline: when it passes, the main thread sets
 * kvm_run->immediate_exit and sends SIGUSR1 to the vCPU thread.  The
 * signal makes a KVM_RUN in progress return -EINTR; immediate_exit covers
 * the window where the thread is between two KVM_RUNs.  A thread that
 * still does not come back (a vCPU wedged inside the kernel) is abandoned
 * and the VM marked dead: the caller creates a new one for the next test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "runner.h"

#define GRACE_S	2.0	/* how long a kicked vCPU may take to come back */

/*
 * The run loop tells the guest's ports apart by number, and a port given
 * to KVM_IOEVENTFD never reaches it: two names on one port would swallow
 * one (the marks once shared 0xeb03 with pio_user_ioeventfd).
 */
_Static_assert(EB_PORT_DONE != EB_PORT_USER && EB_PORT_DONE != EB_PORT_EVENTFD &&
	       EB_PORT_DONE != EB_PORT_MARK && EB_PORT_DONE != EB_PORT_APX_UABI &&
	       EB_PORT_USER != EB_PORT_EVENTFD && EB_PORT_USER != EB_PORT_MARK &&
	       EB_PORT_USER != EB_PORT_APX_UABI && EB_PORT_EVENTFD != EB_PORT_MARK &&
	       EB_PORT_EVENTFD != EB_PORT_APX_UABI && EB_PORT_MARK != EB_PORT_APX_UABI,
	       "every guest port has its own number");

struct vcpu_ctx {
	struct eb_vm *vm;
	const struct eb_cmd *cmd;
	struct eb_outcome *out;
	volatile int stop;	/* set by the watchdog */
	uint64_t cap;		/* capacity of host_exit/host_entry */
};

/* Host TSC read, fenced like the guest's closing read (processor.h). */
static inline uint64_t host_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void sigusr1_nop(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN with -EINTR */
}

static void __attribute__((format(printf, 2, 3)))
fail(struct eb_outcome *out, const char *fmt, ...)
{
	va_list ap;

	out->status = EB_OUT_FAILED;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* An exit to the VMM that the running test expects: stamp and go on. */
static bool vmm_exit_expected(struct vcpu_ctx *c)
{
	struct kvm_run *run = c->vm->run;
	/* The selftest's delayed variant exits like the test it wraps. */
	enum eb_test_id id = c->cmd->id == EB_T_DELAYED ?
			     (enum eb_test_id)c->cmd->delay_test : c->cmd->id;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return id == EB_T_PIO_USER &&
		       run->io.port == EB_PORT_USER &&
		       run->io.direction == KVM_EXIT_IO_OUT;
	case KVM_EXIT_MMIO:
		return id == EB_T_MMIO_USER &&
		       run->mmio.phys_addr == EB_GPA_MMIO_USER &&
		       run->mmio.is_write;
	}
	return false;
}

static void describe_unexpected(struct vcpu_ctx *c)
{
	struct kvm_run *run = c->vm->run;
	struct eb_outcome *out = c->out;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		fail(out, "guest %s unexpected port %#x (size %u)",
		     run->io.direction == KVM_EXIT_IO_OUT ? "wrote" : "read",
		     run->io.port, run->io.size);
		break;
	case KVM_EXIT_MMIO:
		fail(out, "guest %s unexpected MMIO address %#llx (len %u)",
		     run->mmio.is_write ? "wrote" : "read",
		     (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fail(out, "KVM_EXIT_INTERNAL_ERROR, suberror %u%s",
		     run->internal.suberror,
		     run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
		     " (KVM could not emulate an instruction)" : "");
		break;
	case KVM_EXIT_SHUTDOWN:
		fail(out, "guest shut down (triple fault)");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		fail(out, "VM entry failed, hardware reason %#llx",
		     (unsigned long long)
		     run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_HLT:
		fail(out, "unexpected HLT exit to the VMM");
		break;
	default:
		fail(out, "unexpected KVM exit reason %u", run->exit_reason);
	}
}

/*
 * KVM completes an OUT/MMIO only on the next KVM_RUN: do that with
 * immediate_exit so the vCPU state is consistent before it is reset.
 */
static void vcpu_complete_pending(struct eb_vm *vm)
{
	vm->run->immediate_exit = 1;
	ioctl(vm->vcpu_fd, KVM_RUN, 0);
	vm->run->immediate_exit = 0;
}

static void vcpu_loop(struct vcpu_ctx *c);

static void *vcpu_thread(void *arg)
{
	struct vcpu_ctx *c = arg;

	if (c->cmd->vcpu_begin)
		c->cmd->vcpu_begin(c->cmd->hook_arg);
	vcpu_loop(c);
	if (c->cmd->vcpu_end)
		c->cmd->vcpu_end(c->cmd->hook_arg);
	return NULL;
}

static void vcpu_loop(struct vcpu_ctx *c)
{
	struct eb_vm *vm = c->vm;
	struct kvm_run *run = vm->run;
	struct eb_outcome *out = c->out;
	uint64_t pending = UINT64_MAX;	/* VMM exit awaiting its entry stamp */
	bool stamp = c->cmd->oneway;

	for (;;) {
		uint64_t t_entry, t_exit;
		int r;

		/* Stamp as late as possible before entry, as early after. */
		t_entry = host_rdtsc();
		if (pending != UINT64_MAX) {
			out->host_entry[pending] = t_entry;
			pending = UINT64_MAX;
		}
		r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
		t_exit = host_rdtsc();

		if (r < 0) {
			if (errno != EINTR && errno != EAGAIN) {
				fail(out, "KVM_RUN: %s", strerror(errno));
				return;
			}
			if (c->stop) {
				out->status = EB_OUT_TIMEOUT;
				return;
			}
			continue;
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == EB_PORT_DONE) {
			out->status = EB_OUT_OK;
			vcpu_complete_pending(vm);
			return;
		}
		/* counters around the timed loop: not one of the test's exits */
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == EB_PORT_MARK &&
		    run->io.direction == KVM_EXIT_IO_OUT &&
		    (c->cmd->flags & EB_F_MARKS)) {
			if (out->nmarks < 2 &&
			    !vcpu_stats_counts(vm, &out->mark[out->nmarks]))
				out->nmarks++;
			else
				out->nmarks = 3;	/* read failed or a third mark */
			continue;
		}
		/* the APX uABI exit; test-only register corruption */
		if (apx_vcpu_exit(vm->vcpu_fd, run, &c->cmd->apx,
				  out->n_vmm_exits, c->cmd->id, &out->apx))
			continue;
		if (!vmm_exit_expected(c)) {
			describe_unexpected(c);
			return;
		}
		if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		if (stamp && out->n_vmm_exits < c->cap) {
			out->host_exit[out->n_vmm_exits] = t_exit;
			pending = out->n_vmm_exits;
		}
		out->n_vmm_exits++;
	}
}

static int install_sigusr1(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigusr1_nop;	/* no SA_RESTART: KVM_RUN -> EINTR */
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL) ? -errno : 0;
}

static void deadline_after(struct timespec *ts, double s)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)s;
	ts->tv_nsec += (long)((s - (time_t)s) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * The watchdog: wait for the vCPU thread, but give up once the guest has
 * made no progress (mailbox.progress, bumped after every sample) for
 * @timeout_s.  Progress rather than a total deadline: a long run of a slow
 * exit is not a hang, a loop that stopped sampling is.  Returns 0 once the
 * thread is joined, ETIMEDOUT when it must be kicked.
 */
static int watch(struct eb_vm *vm, pthread_t thread, double timeout_s)
{
	const volatile unsigned long long *progress = &vm_mailbox(vm)->progress;
	const double slice = timeout_s < 0.5 ? timeout_s : 0.5;
	uint64_t last = *progress;
	double idle = 0;
	struct timespec ts;

	for (;;) {
		deadline_after(&ts, slice);
		if (pthread_timedjoin_np(thread, NULL, &ts) != ETIMEDOUT)
			return 0;
		if (*progress != last) {
			last = *progress;
			idle = 0;
		} else {
			idle += slice;
			if (idle >= timeout_s)
				return ETIMEDOUT;
		}
	}
}

static void mailbox_write_cmd(struct eb_vm *vm, const struct eb_cmd *cmd)
{
	struct eb_mailbox *mb = vm_mailbox(vm);
	uint64_t half = EB_SAMPLES_BYTES / 2;

	memset(mb, 0, sizeof(*mb));
	mb->magic = EB_MAILBOX_MAGIC;
	mb->abi_version = EB_ABI_VERSION;
	mb->test_id = cmd->id;
	mb->flags = cmd->flags | (cmd->x2apic ? EB_F_X2APIC : 0) |
		    (cmd->oneway ? EB_F_STAMPS : 0);
	mb->samples = cmd->samples;
	mb->warmup = cmd->warmup;
	mb->batch = cmd->batch;
	mb->samples_gpa = EB_GPA_SAMPLES;
	mb->stamps_gpa = EB_GPA_SAMPLES + half;
	mb->msr = cmd->msr;
	mb->hypercall_nr = cmd->hypercall_nr;
	mb->xcr0 = cmd->xcr0;
	mb->xcr0_alt = cmd->xcr0_alt;
	mb->set_xcr0 = cmd->set_xcr0;
	mb->delay_iters = cmd->delay_iters;
	mb->delay_test = cmd->delay_test;
}

/* Copy the guest's report and samples out of guest memory. */
static void collect(struct eb_vm *vm, const struct eb_cmd *cmd,
		    struct eb_outcome *out)
{
	const struct eb_mailbox *mb = vm_mailbox(vm);
	uint64_t n = mb->done;

	out->guest_cpl = mb->cpl;
	out->irqs = mb->irqs;
	out->last_value = mb->last_value;
	out->warmup_done = mb->warmup_done;
	apx_collect(vm->vcpu_fd,
		    vm_gpa_to_hva(vm, EB_GPA_MAILBOX + EB_APX_MAILBOX_OFFSET),
		    &cmd->apx, &out->apx);
	if (mb->status == EB_RES_EXCEPTION) {
		out->status = EB_OUT_EXCEPTION;
		out->exc = mb->exc;
		snprintf(out->reason, sizeof(out->reason),
			 "guest exception: vector %llu, error code %#llx, RIP %#llx",
			 mb->exc.vector, mb->exc.error_code, mb->exc.rip);
		return;
	}
	if (mb->status != EB_RES_OK) {
		fail(out, "guest reported status %u (%s)", mb->status,
		     mb->status == EB_RES_BAD_COMMAND ? "bad command" :
		     mb->status == EB_RES_BAD_MAILBOX ? "bad mailbox" :
		     "no report");
		return;
	}
	if (n != cmd->samples) {
		fail(out, "guest stored %llu samples, %llu asked",
		     (unsigned long long)n, (unsigned long long)cmd->samples);
		return;
	}
	memcpy(out->samples, vm_gpa_to_hva(vm, mb->samples_gpa),
	       n * sizeof(uint64_t));
	if (cmd->oneway)
		memcpy(out->stamps, vm_gpa_to_hva(vm, mb->stamps_gpa),
		       n * sizeof(uint64_t));
	out->n = n;
}

int vm_run_cmd(struct eb_vm *vm, const struct eb_cmd *cmd,
	       struct eb_outcome *out)
{
	struct vcpu_ctx *ctx;
	pthread_attr_t attr;
	struct timespec ts;
	pthread_t thread;
	cpu_set_t set;
	uint64_t exits0 = 0;
	bool exits_ok;
	int r;

	memset(out, 0, sizeof(*out));
	if (cmd->samples * sizeof(uint64_t) > EB_SAMPLES_BYTES / 2)
		return -E2BIG;
	r = install_sigusr1();
	if (r)
		return r;
	/* Heap, not stack: a wedged vCPU thread may outlive this call. */
	ctx = calloc(1, sizeof(*ctx) + sizeof(*ctx->cmd));
	if (!ctx)
		return -ENOMEM;
	ctx->vm = vm;
	ctx->cmd = memcpy(ctx + 1, cmd, sizeof(*cmd));
	ctx->out = out;
	out->samples = calloc(cmd->samples + 1, sizeof(uint64_t));
	if (cmd->oneway) {
		ctx->cap = (cmd->samples + cmd->warmup) * cmd->batch;
		out->stamps = calloc(cmd->samples + 1, sizeof(uint64_t));
		out->host_exit = calloc(ctx->cap + 1, sizeof(uint64_t));
		out->host_entry = calloc(ctx->cap + 1, sizeof(uint64_t));
	}
	if (!out->samples || (cmd->oneway && (!out->stamps ||
	    !out->host_exit || !out->host_entry))) {
		eb_outcome_free(out);
		free(ctx);
		return -ENOMEM;
	}

	r = vcpu_reset(vm, cmd->cpl, cmd->x2apic);
	if (r) {
		fail(out, "resetting the vCPU: %s", vm->err);
		out->vm_dead = true;
		free(ctx);
		return 0;
	}
	mailbox_write_cmd(vm, cmd);
	apx_vcpu_prepare(vm->vcpu_fd,
			 vm_gpa_to_hva(vm, EB_GPA_MAILBOX + EB_APX_MAILBOX_OFFSET),
			 &cmd->apx, &out->apx);
	vm->run->immediate_exit = 0;

	pthread_attr_init(&attr);
	if (cmd->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cmd->cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	exits_ok = !vcpu_stats_exits(vm, &exits0);
	vm_ioeventfd_take(vm, cmd->id, &out->ioeventfd_signals);	/* reset */
	r = pthread_create(&thread, &attr, vcpu_thread, ctx);
	pthread_attr_destroy(&attr);
	if (r) {
		eb_outcome_free(out);
		free(ctx);
		return -r;
	}

	r = watch(vm, thread, cmd->timeout_s);
	if (r == ETIMEDOUT) {
		ctx->stop = 1;
		vm->run->immediate_exit = 1;
		pthread_kill(thread, SIGUSR1);
		deadline_after(&ts, GRACE_S);
		r = pthread_timedjoin_np(thread, NULL, &ts);
		if (r == ETIMEDOUT) {
			/*
			 * Wedged in the kernel.  The thread may still come
			 * back and write to its context and outcome buffers,
			 * so hand it a detached copy and leak that on
			 * purpose; the caller abandons the VM.
			 */
			struct eb_outcome *orphan = malloc(sizeof(*orphan));

			if (orphan)
				*orphan = *out;
			ctx->out = orphan ? orphan : out;
			pthread_detach(thread);
			memset(out, 0, sizeof(*out));
			out->status = EB_OUT_TIMEOUT;
			snprintf(out->reason, sizeof(out->reason),
				 "no progress for %.1f s, and the vCPU did not leave KVM_RUN when kicked (VM abandoned)",
				 cmd->timeout_s);
			out->vm_dead = true;
			out->vm_wedged = true;
			return 0;
		}
		out->status = EB_OUT_TIMEOUT;
		snprintf(out->reason, sizeof(out->reason),
			 "no progress for %.1f s: the watchdog kicked the vCPU out",
			 cmd->timeout_s);
		vm->run->immediate_exit = 0;
	}
	free(ctx);
	if (exits_ok && !vcpu_stats_exits(vm, &out->kvm_exits)) {
		out->kvm_exits -= exits0;
		out->kvm_exits_valid = true;
	}
	out->ioeventfd_valid = !vm_ioeventfd_take(vm, cmd->id,
						  &out->ioeventfd_signals);
	if (out->status == EB_OUT_OK)
		collect(vm, cmd, out);
	/* A test that did not finish cleanly may leave the vCPU odd. */
	if (out->status != EB_OUT_OK)
		out->vm_dead = true;
	return 0;
}

void eb_outcome_free(struct eb_outcome *out)
{
	free(out->samples);
	free(out->stamps);
	free(out->host_exit);
	free(out->host_entry);
	out->samples = out->stamps = out->host_exit = out->host_entry = NULL;
}
