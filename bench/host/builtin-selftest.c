// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench selftest: the host's minimum detectable effect (MDE).  Runs
 * exit tests with a calibrated delay of D cycles inside the timed region
 * (guest EB_T_DELAYED) and reports the smallest D that the comparison
 * detects in >= 95% of trials while A/A stays at its 5% false-alarm level
 * (selftest.h has the design).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "results.h"
#include "run.h"
#include "runner.h"
#include "runlevel.h"
#include "selftest.h"
#include "selftest_runs.h"

#define MSR_IA32_CR_PAT		0x277
#define DEFAULT_TESTS		"pio_kernel,mmio_kernel"
#define DEFAULT_WARMUP		100
#define DEFAULT_TIMEOUT		30.0

/* Exit tests that have a delayed variant in the guest (tests.c). */
static const enum eb_test_id delayable[] = {
	EB_T_CPUID, EB_T_RDMSR, EB_T_PIO_KERNEL, EB_T_PIO_USER,
	EB_T_MMIO_KERNEL, EB_T_MMIO_USER,
};

struct st_opts {
	const struct eb_test *tests[16];
	unsigned int ntests;
	bool blocks;			/* --method blocks: the older paired design */
	bool trials_set;
	struct eb_str_cfg rcfg;		/* --method runs (the default) */
	struct eb_selftest_cfg cfg;
	uint64_t warmup;
	double timeout_s;
	const char *out;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: exitbench selftest [options]\n"
"\n"
"Measure this host's minimum detectable effect (MDE) the way compare\n"
"decides: R runs of an exit test (each a fresh VM, --run-samples each)\n"
"against R runs of the same with a known delay of D cycles in the timed\n"
"region (a TSC spin), compared by Welch's t on the run medians; D found\n"
"by bisection, the detection rate over --trials with its 95%% CI, the A/A\n"
"control (D = 0), and a sizing line: to resolve --resolve %% of the\n"
"median here, use N runs of M samples.\n"
"\n"
"  --runs R          runs per side (default 5, run's --repeat)\n"
"  --run-samples M   samples per run (default 2000)\n"
"  --steps N         bisection steps (default 5)\n"
"  --resolve P       the sizing line's effect, %% of the median (default 1)\n"
"  --method blocks   the older design instead: interleaved block pairs\n"
"                    in one VM, sign test, fixed --deltas grid\n"
"  --tests a,b,...   exit tests (cpuid, rdmsr, pio_kernel, pio_user,\n"
"                    mmio_kernel, mmio_user; default pio_kernel,mmio_kernel)\n"
"  --deltas a,b,...  blocks: delays in %% of each exit's median, 0 = A/A\n"
"                    (default 0,0.25,0.5,1,2,5,10,20)\n"
"  --trials N        trials per delay (default 10; blocks: 20)\n"
"  --blocks N        blocks: block pairs per trial, >= 6 (default 12)\n"
"  --block-samples N blocks: samples per block (default 300)\n"
"  --warmup W        discarded samples before each block (default %d)\n"
"  --cpu N|auto      vCPU placement (default auto)\n"
"  --wait            wait for a CPU another exitbench holds\n"
"  --out FILE        also write the report as JSON (exitbench-selftest/1);\n"
"                    - for stdout (the rest then goes to stderr)\n"
"  --timeout SEC     watchdog per block (default %.0f)\n"
"  --kvm-dev PATH    KVM device (default $" EB_KVM_DEV_ENV " or " EB_DEFAULT_KVM_DEV ")\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 done (whatever the MDE), 1 a test could not run,\n"
"2 bad usage.\n", DEFAULT_WARMUP, DEFAULT_TIMEOUT);
}

static bool is_delayable(enum eb_test_id id)
{
	for (size_t i = 0; i < sizeof(delayable) / sizeof(delayable[0]); i++)
		if (delayable[i] == id)
			return true;
	return false;
}

static int parse_tests(struct st_opts *o, const char *arg)
{
	char *dup = strdup(arg), *save = NULL, *name;

	if (!dup)
		return -ENOMEM;
	o->ntests = 0;
	for (name = strtok_r(dup, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		const struct eb_test *t = eb_test_find(name);

		if (!t || !is_delayable(t->id)) {
			eb_error("selftest: %s test '%s' (delayed variants: cpuid, rdmsr, pio_kernel, pio_user, mmio_kernel, mmio_user)",
				 t ? "no delayed variant of" : "unknown", name);
			free(dup);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < o->ntests; i++)
			if (o->tests[i] == t) {
				eb_error("selftest: test '%s' given twice in --tests",
					 name);
				free(dup);
				return -EINVAL;
			}
		if (o->ntests == sizeof(o->tests) / sizeof(o->tests[0])) {
			free(dup);
			return -E2BIG;
		}
		o->tests[o->ntests++] = t;
	}
	free(dup);
	return o->ntests ? 0 : -EINVAL;
}

static int parse_deltas(struct eb_selftest_cfg *cfg, const char *arg)
{
	char *dup = strdup(arg), *save = NULL, *tok;
	double prev = -1, v;

	if (!dup)
		return -ENOMEM;
	cfg->ndeltas = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t len = strlen(tok);

		if (len && tok[len - 1] == '%')
			tok[len - 1] = '\0';
		if (eb_parse_double(tok, 0, 1000, &v) || v <= prev ||
		    cfg->ndeltas == EB_SELFTEST_MAX_DELTAS) {
			free(dup);
			return -EINVAL;
		}
		cfg->deltas_pct[cfg->ndeltas++] = prev = v;
	}
	free(dup);
	return cfg->ndeltas ? 0 : -EINVAL;
}

static int parse_args(struct st_opts *o, struct eb_run_config *rc, int argc, char **argv)
{
	enum { O_TESTS = 256, O_DELTAS, O_TRIALS, O_BLOCKS, O_BSAMPLES, O_WARMUP,
	       O_CPU, O_OUT, O_TIMEOUT, O_KVM_DEV, O_WAIT, O_METHOD, O_RUNS,
	       O_RSAMPLES, O_STEPS, O_RESOLVE };
	static const struct option opts[] = {
		{ "tests", required_argument, NULL, O_TESTS },
		{ "deltas", required_argument, NULL, O_DELTAS },
		{ "trials", required_argument, NULL, O_TRIALS },
		{ "blocks", required_argument, NULL, O_BLOCKS },
		{ "block-samples", required_argument, NULL, O_BSAMPLES },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "out", required_argument, NULL, O_OUT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "kvm-dev", required_argument, NULL, O_KVM_DEV },
		{ "wait", no_argument, NULL, O_WAIT },
		{ "method", required_argument, NULL, O_METHOD },
		{ "runs", required_argument, NULL, O_RUNS },
		{ "run-samples", required_argument, NULL, O_RSAMPLES },
		{ "steps", required_argument, NULL, O_STEPS },
		{ "resolve", required_argument, NULL, O_RESOLVE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, cpu;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_TESTS:
			if (parse_tests(o, optarg))
				return EB_EXIT_USAGE;
			break;
		case O_DELTAS:
			if (parse_deltas(&o->cfg, optarg))
				return eb_bad_value("selftest", "--deltas", optarg,
						    "increasing percentages from 0 to 1000, at most 16");
			break;
		case O_TRIALS:
			if (eb_parse_u64(optarg, 1, 1000, &v))
				return eb_bad_value("selftest", "--trials", optarg,
						    "a number from 1 to 1000");
			o->cfg.trials = v;
			o->rcfg.trials = v;
			o->trials_set = true;
			break;
		case O_METHOD:
			if (strcmp(optarg, "runs") && strcmp(optarg, "blocks"))
				return eb_bad_value("selftest", "--method", optarg,
						    "runs or blocks");
			o->blocks = !strcmp(optarg, "blocks");
			break;
		case O_RUNS:
			if (eb_parse_u64(optarg, 2, 64, &v))
				return eb_bad_value("selftest", "--runs", optarg,
						    "a number from 2 to 64");
			o->rcfg.runs = v;
			break;
		case O_RSAMPLES:
			if (eb_parse_u64(optarg, 10, 1000000, &v))
				return eb_bad_value("selftest", "--run-samples", optarg,
						    "a number from 10 to 1000000");
			o->rcfg.run_samples = v;
			break;
		case O_STEPS:
			if (eb_parse_u64(optarg, 0, 10, &v))
				return eb_bad_value("selftest", "--steps", optarg,
						    "a number from 0 to 10");
			o->rcfg.steps = v;
			break;
		case O_RESOLVE:
			if (eb_parse_double(optarg, 0.001, 100, &o->rcfg.resolve_pct))
				return eb_bad_value("selftest", "--resolve", optarg,
						    "a percentage from 0.001 to 100");
			break;
		case O_BLOCKS:
			if (eb_parse_u64(optarg, 6, 1000, &v))
				return eb_bad_value("selftest", "--blocks", optarg,
						    "a number from 6 to 1000");
			o->cfg.blocks = v;
			break;
		case O_BSAMPLES:
			if (eb_parse_u64(optarg, 10, 1000000, &v))
				return eb_bad_value("selftest", "--block-samples", optarg,
						    "a number from 10 to 1000000");
			o->cfg.block_samples = v;
			break;
		case O_WARMUP:
			if (eb_parse_u64(optarg, 0, 1000000, &o->warmup))
				return eb_bad_value("selftest", "--warmup", optarg,
						    "a number from 0 to 10^6");
			break;
		case O_CPU:
			if (eb_parse_cpu(optarg, &cpu))
				return eb_bad_value("selftest", "--cpu", optarg,
						    "a CPU number or 'auto'");
			rc->noise.cpu = optarg;
			break;
		case O_OUT:
			/* Checked with the rest of the path: eb_check_out(). */
			o->out = optarg;
			break;
		case O_TIMEOUT:
			if (eb_parse_double(optarg, 0.1, 86400, &o->timeout_s))
				return eb_bad_value("selftest", "--timeout", optarg,
						    "seconds, from 0.1 to 86400");
			break;
		case O_KVM_DEV:
			rc->kvm_dev = optarg;
			break;
		case O_WAIT:
			rc->noise.wait = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return eb_usage_error("selftest", argv, c);
		}
	}
	if (eb_no_operands("selftest", argc, argv))
		return EB_EXIT_USAGE;
	return 0;
}

struct sampler {
	struct eb_run_state *st;
	const struct st_opts *o;
	const struct eb_test *t;
	int cpl;
	double tick;		/* TSC tick of the first run's samples */
	char why[320];		/* why a block failed */
};

/* One block: a fresh command (own warm-up) of the delayed variant. */
static int sample_block(void *ctx, enum eb_st_what what, uint64_t iters,
			uint64_t *buf, size_t n)
{
	struct sampler *s = ctx;
	struct eb_run_state *st = s->st;
	struct eb_outcome out;
	struct eb_cmd c;
	int r;

	r = run_ensure_vm(st);
	if (r) {
		snprintf(s->why, sizeof(s->why), "%s", st->vm.err);
		return -EIO;
	}
	memset(&c, 0, sizeof(c));
	c.id = EB_T_DELAYED;
	c.delay_test = what == EB_ST_CALIBRATE ? EB_T_NOP : s->t->id;
	c.delay_iters = iters;
	c.cpl = s->cpl;
	c.x2apic = s->t->x2apic;
	c.samples = n;
	c.warmup = s->o->warmup;
	c.batch = 1;
	c.cpu = st->cfg->cpu;
	c.timeout_s = s->o->timeout_s;
	c.msr = MSR_IA32_CR_PAT;
	c.xcr0 = st->vm.xcr0;
	r = vm_run_cmd(&st->vm, &c, &out);
	if (r) {
		snprintf(s->why, sizeof(s->why), "could not run: %s", strerror(-r));
		return r;
	}
	if (out.status != EB_OUT_OK || out.n != n) {
		snprintf(s->why, sizeof(s->why), "%s",
			 out.reason[0] ? out.reason : "the guest returned too few samples");
		r = -EIO;
	} else {
		memcpy(buf, out.samples, n * sizeof(*buf));
	}
	if (out.vm_dead) {
		if (!out.vm_wedged)
			vm_destroy(&st->vm);
		st->vm_live = false;
	}
	eb_outcome_free(&out);
	return r;
}

/* One run of the runs method: a fresh VM, its own warm-up, the median. */
static int sample_run(void *ctx, double delay, double *median)
{
	struct sampler *s = ctx;
	struct eb_run_state *st = s->st;
	struct eb_outcome out;
	struct eb_cmd c;
	double *d = NULL;
	int r;

	if (st->vm_live) {
		vm_destroy(&st->vm);
		st->vm_live = false;
	}
	r = run_ensure_vm(st);
	if (r) {
		snprintf(s->why, sizeof(s->why), "%s", st->vm.err);
		return -EIO;
	}
	memset(&c, 0, sizeof(c));
	c.id = EB_T_DELAYED;
	c.delay_test = s->t->id;
	/* Both sides spin (1 cycle for A): the spin's overshoot cancels. */
	c.delay_iters = 1 + (uint64_t)llround(delay);
	c.flags = EB_F_DELAY_TSC;
	c.cpl = s->cpl;
	c.x2apic = s->t->x2apic;
	c.samples = s->o->rcfg.run_samples;
	c.warmup = s->o->warmup;
	c.batch = 1;
	c.cpu = st->cfg->cpu;
	c.timeout_s = s->o->timeout_s;
	c.msr = MSR_IA32_CR_PAT;
	c.xcr0 = st->vm.xcr0;
	r = vm_run_cmd(&st->vm, &c, &out);
	if (r) {
		snprintf(s->why, sizeof(s->why), "could not run: %s", strerror(-r));
		return r;
	}
	if (out.status != EB_OUT_OK || out.n != c.samples) {
		snprintf(s->why, sizeof(s->why), "%s",
			 out.reason[0] ? out.reason : "the guest returned too few samples");
		r = -EIO;
	} else {
		d = malloc(out.n * sizeof(*d));
		if (!d) {
			r = -ENOMEM;
		} else {
			if (!s->tick)
				s->tick = (double)eb_tsc_tick(out.samples, out.n, NULL);
			for (uint64_t i = 0; i < out.n; i++)
				d[i] = (double)out.samples[i];
			*median = eb_median_d(d, out.n);
			free(d);
		}
	}
	if (out.vm_dead) {
		if (!out.vm_wedged)
			vm_destroy(&st->vm);
		st->vm_live = false;
	}
	eb_outcome_free(&out);
	return r;
}

static void progress_runs(void *ctx, const struct eb_str_point *p)
{
	const struct sampler *s = ctx;

	fprintf(stderr, "exitbench: selftest %s: D = %.0f cycles: slower in %u/%u trials\n",
		s->t->name, p->delay, p->slower, p->trials);
}

static void print_runs(const struct eb_test *t, const struct eb_str_cfg *cfg,
		       const struct eb_str_result *r)
{
	printf("\n%s: %u runs per side x %zu samples, %u trials per delay\n",
	       t->name, cfg->runs, cfg->run_samples, cfg->trials);
	printf("  run medians: mean %.0f, SD %.0f cycles (%.2f%%)\n", r->median, r->sd,
	       100 * r->sd / r->median);
	printf("  %10s %8s %18s\n", "D cycles", "slower", "rate, 95% CI");
	printf("  %10s %5u/%-2u %5.0f%% [%3.0f%%, %3.0f%%]  (A/A: slower or faster)\n", "0",
	       r->aa_alarms, r->aa_trials, 100.0 * r->aa_alarms / r->aa_trials,
	       100 * r->aa_lo, 100 * r->aa_hi);
	for (unsigned int i = 0; i < r->npoints; i++) {
		const struct eb_str_point *p = &r->pt[i];

		printf("  %10.0f %5u/%-2u %5.0f%% [%3.0f%%, %3.0f%%]\n", p->delay, p->slower,
		       p->trials, 100.0 * p->slower / p->trials, 100 * p->lo, 100 * p->hi);
	}
	if (r->found)
		printf("  MDE: %.0f cycles = %.2f%% of the median (detected %.0f%%, 95%% CI %.0f-%.0f%%)\n",
		       r->mde, 100 * r->mde / r->median, 100 * r->mde_rate,
		       100 * r->mde_lo, 100 * r->mde_hi);
	else
		printf("  MDE: not resolved (no delay up to 32x the predicted one was detected)\n");
	if (r->size_runs)
		printf("  to resolve %g%% on this host, use %u runs of %zu samples per side\n",
		       cfg->resolve_pct, r->size_runs, cfg->run_samples);
	else
		printf("  to resolve %g%% on this host: more than 1000 runs of %zu samples per side\n",
		       cfg->resolve_pct, cfg->run_samples);
}

static void progress(void *ctx, const struct eb_selftest_point *p,
		     unsigned int trials)
{
	const struct sampler *s = ctx;

	fprintf(stderr, "exitbench: selftest %s: D = %.2f%% (%.0f cycles): slower in %u/%u trials\n",
		s->t->name, p->delta_pct, p->delta_cycles, p->slower, trials);
}

static void print_result(const struct eb_test *t, const struct eb_selftest_cfg *cfg,
			 const struct eb_selftest_result *r)
{
	printf("\n%s: median %.0f cycles, delay loop %.3f cycles/iteration\n",
	       t->name, r->median, r->cycles_per_iter);
	printf("  %8s %10s %8s %8s %8s %12s\n", "D %", "D cycles", "slower", "same",
	       "faster", "shift (med)");
	for (unsigned int i = 0; i < r->npoints; i++) {
		const struct eb_selftest_point *p = &r->pt[i];

		printf("  %8.2f %10.1f %5u/%-2u %5u/%-2u %5u/%-2u %12.1f%s\n",
		       p->delta_pct, p->delta_cycles, p->slower, cfg->trials,
		       p->same, cfg->trials, p->faster, cfg->trials, p->shift_median,
		       p->iters == 0 ? "  (A/A)" : "");
	}
	if (r->has_aa)
		printf("  A/A: %s (%u of %u trials not 'same', P = %.3f under a 5%% level)\n",
		       r->aa_ok ? "same" : "different", r->aa_alarms, cfg->trials, r->aa_p);
	if (r->mde >= 0)
		printf("  MDE: %.1f cycles = %.2f%% of the median\n",
		       r->pt[r->mde].delta_cycles,
		       100 * r->pt[r->mde].delta_cycles / r->median);
	else
		printf("  MDE: not resolved (%s)\n", r->has_aa && !r->aa_ok ?
		       "A/A control failed" : "no tested delay detected in 95% of trials");
}

static int run_all(struct eb_run_state *st, struct st_opts *o, json_t *list)
{
	int ret = EB_EXIT_OK;

	for (unsigned int i = 0; i < o->ntests; i++) {
		const struct eb_test *t = o->tests[i];
		struct sampler s = { .st = st, .o = o, .t = t };
		struct eb_selftest_result res;
		char buf[256];
		const char *why = eb_test_skip_reason(t, &st->host, buf, sizeof(buf));
		int r;

		if (why) {
			printf("\n%s: skipped: %s\n", t->name, why);
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "test",
				t->name, "status", "skipped", "reason", why));
			continue;
		}
		s.cpl = t->mode[st->host.flavor].cpl;
		if (!o->blocks) {
			struct eb_str_result rr;
			double m;

			/* One run first: the tick the comparisons use. */
			r = sample_run(&s, 0, &m);
			o->rcfg.tick = s.tick;
			if (!r)
				r = eb_selftest_runs(&o->rcfg, sample_run, &s,
						     progress_runs, &rr);
			if (r) {
				eb_error("selftest: %s: %s", t->name,
					 s.why[0] ? s.why : strerror(-r));
				json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "test",
					t->name, "status", "failed", "reason",
					s.why[0] ? s.why : strerror(-r)));
				ret = EB_EXIT_FAIL;
				continue;
			}
			print_runs(t, &o->rcfg, &rr);
			json_t *j = eb_selftest_runs_json(&o->rcfg, &rr);

			json_object_set_new(j, "test", json_string(t->name));
			json_object_set_new(j, "status", json_string("ok"));
			json_object_set_new(j, "cpl", json_integer(s.cpl));
			json_object_set_new(j, "tsc_tick", json_real(s.tick));
			json_array_append_new(list, j);
			continue;
		}
		fprintf(stderr, "exitbench: selftest %s: %u delays x %u trials...\n",
			t->name, o->cfg.ndeltas, o->cfg.trials);
		r = eb_selftest_run(&o->cfg, sample_block, &s, progress, &res);
		if (r) {
			eb_error("selftest: %s: %s", t->name, s.why[0] ? s.why :
				 r == -EINVAL ? "the delay loop's cost could not be measured" :
				 strerror(-r));
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "test",
				t->name, "status", "failed", "reason",
				s.why[0] ? s.why : strerror(-r)));
			ret = EB_EXIT_FAIL;
			continue;
		}
		print_result(t, &o->cfg, &res);
		{
			json_t *j = eb_selftest_json(&o->cfg, &res);

			json_object_set_new(j, "test", json_string(t->name));
			json_object_set_new(j, "status", json_string("ok"));
			json_object_set_new(j, "cpl", json_integer(s.cpl));
			json_array_append_new(list, j);
		}
	}
	return ret;
}

int cmd_selftest(int argc, char **argv)
{
	struct eb_run_config rc = { .cpu = -1, .noise = { .cpu = "auto" } };
	struct st_opts o = { .warmup = DEFAULT_WARMUP, .timeout_s = DEFAULT_TIMEOUT };
	struct eb_run_state *st;
	char err[512], path[4096];
	json_t *doc, *list;
	int r;

	eb_selftest_defaults(&o.cfg);
	rc.noise.wait = eb_env_wait();
	rc.noise.waiting = eb_say_waiting;
	eb_str_defaults(&o.rcfg);
	r = parse_tests(&o, DEFAULT_TESTS);
	if (!r)
		r = parse_args(&o, &rc, argc, argv);
	if (r)
		return r < 0 ? EB_EXIT_OK : r;
	if (eb_check_args_text("selftest", argc + 1, argv - 1) ||
	    (o.out && eb_check_out("selftest", o.out, false, true)))
		return EB_EXIT_USAGE;
	rc.kvm_dev = kvm_dev_path(rc.kvm_dev);
	if (eb_check_text("selftest", "KVM device path", rc.kvm_dev))
		return EB_EXIT_USAGE;

	st = calloc(1, sizeof(*st));
	if (!st) {
		eb_error("selftest: out of memory");
		return EB_EXIT_FAIL;
	}
	st->cfg = &rc;
	r = eb_noise_setup(&st->noise, &rc.noise, err, sizeof(err));
	if (r) {
		eb_error("selftest: %s", err);
		eb_noise_free(&st->noise);
		free(st);
		return r == -ENOMEM ? EB_EXIT_FAIL : EB_EXIT_USAGE;
	}
	rc.cpu = eb_noise_cpu(&st->noise);
	hostinfo_probe(&st->host);
	if (run_ensure_vm(st)) {
		eb_error("selftest: %s", st->vm.err);
		eb_noise_free(&st->noise);
		free(st);
		return EB_EXIT_FAIL;
	}
	if (o.out) {
		snprintf(path, sizeof(path), "%s", o.out);
		if (results_check_writable(path, false, err, sizeof(err))) {
			eb_error("selftest: %s", err);
			r = EB_EXIT_USAGE;
			goto out;
		}
	}
	if (o.blocks)
		printf("exitbench selftest: %u trials x %u blocks x %zu samples per delay, vCPU on CPU %d\n",
		       o.cfg.trials, o.cfg.blocks, o.cfg.block_samples, rc.cpu);
	else
		printf("exitbench selftest: %u trials x %u+%u runs x %zu samples per delay, vCPU on CPU %d\n",
		       o.rcfg.trials, o.rcfg.runs, o.rcfg.runs, o.rcfg.run_samples, rc.cpu);
	list = json_array();
	r = run_all(st, &o, list);
	eb_noise_finish(&st->noise);
	if (o.out) {
		doc = results_new(&st->host, argc + 1, argv - 1);
		results_set_vm_info(doc, &st->host);
		json_object_set_new(doc, "schema", json_string("exitbench-selftest/1"));
		json_object_set_new(doc, "method", json_string(o.blocks ? "blocks" : "runs"));
		json_object_set_new(doc, "selftest", list);
		json_object_set_new(doc, "noise", eb_noise_json(&st->noise));
		if (results_write(doc, path, false, err, sizeof(err))) {
			eb_error("selftest: %s", err);
			r = EB_EXIT_FAIL;
		} else {
			printf("\nreport: %s\n", path);
		}
		json_decref(doc);
	} else {
		json_decref(list);
	}
out:
	if (st->vm_live)
		vm_destroy(&st->vm);
	eb_noise_free(&st->noise);
	free(st);
	return r;
}
