// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench run: time every selected exit test on /dev/kvm, write one
 * results file, print a table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "results.h"
#include "run.h"
#include "switch.h"
#include "table.h"
#include "unitcost.h"

#define DEFAULT_SAMPLES	10000
#define DEFAULT_WARMUP	1000
/*
 * Watchdog: a test is hung once it has gone this long without finishing a
 * sample: 10 s plus 10 ms per exit of a sample (PVM's slowest exit, a
 * self-IPI waiting for injection, takes ~0.4 ms unloaded).
 */
#define DEFAULT_TIMEOUT_BASE	10.0
#define DEFAULT_TIMEOUT_PER_EXIT 10e-3
#define DEFAULT_SEED	0x65786974ull	/* "exit" */
/*
 * Runs per test: the default run of every test (scripts/run) takes about
 * a minute on the 2-core development hosts with 5, and 5 runs per side
 * give Welch's between-run interval ~8 degrees of freedom.
 */
#define DEFAULT_REPEAT	5

static void usage(FILE *f)
{
	fprintf(f,
"usage: exitbench run [options]\n"
"\n"
"Time VM exit round trips on /dev/kvm with a tiny guest, write a results\n"
"file (schema exitbench-result/1) and print a table.\n"
"\n"
"  --tests a,b,...   tests to run (default: all; see 'exitbench list')\n"
"  --repeat N        runs per test, each in a fresh VM with its own\n"
"                    warm-up (default %d); compare/gate decide on the\n"
"                    spread between runs, so a verdict needs >= 2\n"
"  --samples N       kept samples per test and run (default %d)\n"
"  --batch K         exits per sample (default 1)\n"
"  --warmup W        discarded samples run first (default %d)\n"
"  --cpu N|auto|none pin the vCPU thread to CPU N, let hwloc choose an\n"
"                    idle core away from CPU 0 (default: auto), or none\n"
"                    (a CPU another exitbench holds is refused, or\n"
"                    passed over by auto: see README, \"CPU locks\")\n"
"  --wait            wait for a CPU another exitbench holds (default with\n"
"                    $EXITBENCH_WAIT=1) instead of refusing\n"
"  --events a,b,...  libpfm4 events counted on the vCPU thread, split host\n"
"                    and guest where the PMU can (e.g. cycles,instructions)\n"
"  --precision P     repeat rounds of --samples until the median's 95%% CI\n"
"                    half-width is below P (e.g. 0.2%%) or --max-time\n"
"  --max-time SEC    time budget per test for --precision (default 10)\n"
"  --cpl 0|3         run every test at this guest CPL instead of its\n"
"                    default for the KVM flavor (see 'exitbench list')\n"
"  --out FILE        results file (default results/local/<UTC>-<host>.json),\n"
"                    a new or regular file, or - for stdout (the table\n"
"                    then goes to stderr)\n"
"  --raw             keep every sample in the results file\n"
"  --timeout SEC     watchdog: a test that completes no sample for this\n"
"                    long is ended as timed out (default %.0f s + 10 ms\n"
"                    per exit of a sample)\n"
"  --seed N          bootstrap seed (default %#llx)\n"
"  --kvm-dev PATH    KVM device (default $" EB_KVM_DEV_ENV " or " EB_DEFAULT_KVM_DEV ")\n"
"  --apx MODE        guest APX: off, on, both (or off,on), standin, or auto\n"
"                    (the default: both where KVM offers APX to guests,\n"
"                    else the kernel's APX stand-in off and on where it\n"
"                    has one, else off, saying why); both modes\n"
"                    interleave over the runs.  standin: the guest\n"
"                    sets/clears the XCR0 bits that the kernel's\n"
"                    measurement-only stand-in takes for XCR0.APX\n"
"  --inject-delay C  test aid: add a calibrated delay of about C cycles\n"
"                    to every timed exit (tests with a delayed variant;\n"
"                    the others are skipped); the results say so\n"
"  --xcr0 MODE       guest XCR0: host (as the host's) or reduced (without\n"
"                    AVX-512 state: KVM switches XCR0 around every exit)\n"
"  --check-egprs     check the guest's registers across every exit in an\n"
"                    extra pass after each timed loop (default with APX on)\n"
"  --no-check-egprs  skip that pass, with APX on too\n"
"  --strategies a,b  switchable kernel only: run every test under each APX\n"
"                    strategy, a fresh VM per strategy and round, in ABBA\n"
"                    order, into one results file (the first is the\n"
"                    baseline of 'exitbench compare FILE')\n"
"  --rounds R        rounds with --strategies (even, default 8)\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 all tests ok or skipped, 1 a test failed or timed out\n"
"or the run could not start, 2 bad usage.\n",
		DEFAULT_REPEAT, DEFAULT_SAMPLES, DEFAULT_WARMUP, DEFAULT_TIMEOUT_BASE,
		(unsigned long long)DEFAULT_SEED);
}

/* --tests a,b: names from the table (hidden test-only ones included). */
static int parse_tests(struct eb_run_config *cfg, const char *arg)
{
	char *dup = strdup(arg), *save = NULL, *name;

	if (!dup)
		return -ENOMEM;
	cfg->ntests = 0;
	for (name = strtok_r(dup, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		const struct eb_test *t = eb_test_find(name);

		if (!t) {
			eb_error("run: unknown test '%s' (see 'exitbench list')",
				 name);
			free(dup);
			return -EINVAL;
		}
		for (unsigned int i = 0; i < cfg->ntests; i++)
			if (cfg->tests[i] == t) {
				/* compare, gate and plot refuse such a file. */
				eb_error("run: test '%s' given twice in --tests",
					 name);
				free(dup);
				return -EINVAL;
			}
		if (cfg->ntests == EB_MAX_TESTS) {
			eb_error("run: too many tests (at most %d)", EB_MAX_TESTS);
			free(dup);
			return -E2BIG;
		}
		cfg->tests[cfg->ntests++] = t;
	}
	free(dup);
	if (!cfg->ntests) {
		eb_error("run: --tests needs at least one test name");
		return -EINVAL;
	}
	return 0;
}

/* --strategies a,b[,c]: distinct names, checked by the kernel later. */
static int parse_strategies(struct eb_run_config *cfg, const char *arg)
{
	char *save = NULL, *name;

	free(cfg->strategies_buf);
	cfg->strategies_buf = strdup(arg);
	if (!cfg->strategies_buf)
		return -ENOMEM;
	cfg->nstrategies = 0;
	for (name = strtok_r(cfg->strategies_buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (unsigned int i = 0; i < cfg->nstrategies; i++)
			if (!strcmp(cfg->strategies[i], name)) {
				eb_error("run: strategy '%s' given twice in --strategies",
					 name);
				return -EINVAL;
			}
		if (cfg->nstrategies == EB_MAX_STRATEGIES) {
			eb_error("run: too many strategies (at most %d)",
				 EB_MAX_STRATEGIES);
			return -E2BIG;
		}
		cfg->strategies[cfg->nstrategies++] = name;
	}
	if (cfg->nstrategies < 2) {
		eb_error("run: --strategies needs two or more names, e.g. baseline,cond-swap");
		return -EINVAL;
	}
	return 0;
}

/* --xcr0 host | reduced | host,reduced | reduced,host */
static int parse_xcr0(struct eb_run_config *cfg, const char *arg)
{
	const char *comma = strchr(arg, ',');
	char first[16];

	if (!comma) {
		cfg->nxcr0 = 1;
		return apx_parse_xcr0_mode(arg, &cfg->xcr0_modes[0]);
	}
	if ((size_t)(comma - arg) >= sizeof(first))
		return -EINVAL;
	snprintf(first, sizeof(first), "%.*s", (int)(comma - arg), arg);
	cfg->nxcr0 = 2;
	if (apx_parse_xcr0_mode(first, &cfg->xcr0_modes[0]) ||
	    apx_parse_xcr0_mode(comma + 1, &cfg->xcr0_modes[1]) ||
	    cfg->xcr0_modes[0] == cfg->xcr0_modes[1])
		return -EINVAL;
	return 0;
}

static int parse_args(struct eb_run_config *cfg, int argc, char **argv)
{
	enum { O_TESTS = 256, O_SAMPLES, O_BATCH, O_WARMUP, O_CPU, O_OUT,
	       O_RAW, O_TIMEOUT, O_SEED, O_KVM_DEV, O_APX, O_XCR0,
	       O_CHECK_EGPRS, O_NO_CHECK_EGPRS, O_DEBUG_CORRUPT, O_DEBUG_FORCE_APX, O_DEBUG_MARKS, O_CPL,
	       O_EVENTS, O_PRECISION, O_MAX_TIME, O_STRATEGIES, O_ROUNDS, O_WAIT,
	       O_REPEAT, O_INJECT };
	static const struct option opts[] = {
		{ "tests", required_argument, NULL, O_TESTS },
		{ "samples", required_argument, NULL, O_SAMPLES },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "out", required_argument, NULL, O_OUT },
		{ "raw", no_argument, NULL, O_RAW },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "kvm-dev", required_argument, NULL, O_KVM_DEV },
		{ "apx", required_argument, NULL, O_APX },
		{ "xcr0", required_argument, NULL, O_XCR0 },
		{ "check-egprs", no_argument, NULL, O_CHECK_EGPRS },
		{ "no-check-egprs", no_argument, NULL, O_NO_CHECK_EGPRS },
		/* test-only, not in --help: see tests/apx/test_apx_kvm.py */
		{ "debug-corrupt-reg", required_argument, NULL, O_DEBUG_CORRUPT },
		{ "debug-force-apx-on", no_argument, NULL, O_DEBUG_FORCE_APX },
		{ "debug-marks", no_argument, NULL, O_DEBUG_MARKS },
		{ "cpl", required_argument, NULL, O_CPL },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "precision", required_argument, NULL, O_PRECISION },
		{ "max-time", required_argument, NULL, O_MAX_TIME },
		{ "strategies", required_argument, NULL, O_STRATEGIES },
		{ "rounds", required_argument, NULL, O_ROUNDS },
		{ "wait", no_argument, NULL, O_WAIT },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "inject-delay", required_argument, NULL, O_INJECT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const uint64_t max_samples = EB_SAMPLES_BYTES / 2 / sizeof(uint64_t);
	int c, cpu;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_TESTS:
			if (parse_tests(cfg, optarg))
				return EB_EXIT_USAGE;
			break;
		case O_SAMPLES:
			if (eb_parse_u64(optarg, 1, max_samples, &cfg->samples)) {
				/* Half the guest sample area: the other half holds stamps. */
				eb_error("run: bad value '%s' for --samples: a number from 1 to %llu",
					 optarg, (unsigned long long)max_samples);
				return EB_EXIT_USAGE;
			}
			break;
		case O_BATCH:
			if (eb_parse_u64(optarg, 1, 1000000, &cfg->batch))
				return eb_bad_value("run", "--batch", optarg,
						    "a number from 1 to 1000000");
			break;
		case O_WARMUP:
			if (eb_parse_u64(optarg, 0, 1000000000, &cfg->warmup))
				return eb_bad_value("run", "--warmup", optarg,
						    "a number from 0 to 10^9");
			break;
		case O_CPU:
			/* An unpinned run is allowed, and warned about. */
			if (!strcmp(optarg, "none")) {
				cfg->noise.cpu = NULL;
				break;
			}
			/* Whether the CPU exists and is online: eb_noise_setup(). */
			if (eb_parse_cpu(optarg, &cpu))
				return eb_bad_value("run", "--cpu", optarg,
						    "a CPU number, 'auto' or 'none'");
			cfg->noise.cpu = optarg;
			break;
		case O_EVENTS:
			cfg->noise.events = optarg;
			break;
		case O_PRECISION:
			if (eb_parse_precision(optarg, &cfg->noise.precision))
				return eb_bad_value("run", "--precision", optarg,
						    "a fraction like 0.2% or 0.002");
			break;
		case O_MAX_TIME:
			if (eb_parse_double(optarg, 0.1, 86400, &cfg->noise.max_time))
				return eb_bad_value("run", "--max-time", optarg,
						    "seconds, from 0.1 to 86400");
			break;
		case O_CPL:
			if (strcmp(optarg, "0") && strcmp(optarg, "3"))
				return eb_bad_value("run", "--cpl", optarg, "0 or 3");
			cfg->cpl = optarg[0] - '0';
			break;
		case O_OUT:
			/* Checked with the rest of the path: eb_check_out(). */
			cfg->out = optarg;
			break;
		case O_RAW:
			cfg->raw = true;
			break;
		case O_TIMEOUT:
			if (eb_parse_double(optarg, 0.1, 86400, &cfg->timeout_s))
				return eb_bad_value("run", "--timeout", optarg,
						    "seconds, from 0.1 to 86400");
			break;
		case O_SEED:
			if (eb_parse_u64_hex(optarg, 0, UINT64_MAX, &cfg->seed))
				return eb_bad_value("run", "--seed", optarg,
						    "a decimal or 0x-hex number");
			break;
		case O_KVM_DEV:
			cfg->kvm_dev = optarg;
			break;
		case O_APX:
			/* off,on: both modes, as --xcr0 host,reduced names its two */
			if (!strcmp(optarg, "off,on") || !strcmp(optarg, "on,off"))
				optarg = (char *)"both";
			if (apx_parse_request(optarg, &cfg->apx_req))
				return eb_bad_value("run", "--apx", optarg,
						    "one of off, on, both, standin, auto");
			cfg->apx = optarg;
			break;
		case O_XCR0:
			if (parse_xcr0(cfg, optarg))
				return eb_bad_value("run", "--xcr0", optarg,
						    "host, reduced, host,reduced or reduced,host");
			cfg->xcr0 = optarg;
			break;
		case O_REPEAT: {
			uint64_t v;

			if (eb_parse_u64(optarg, 1, EB_MAX_ROUNDS, &v))
				return eb_bad_value("run", "--repeat", optarg,
						    "a number from 1 to 1000");
			cfg->repeat = (unsigned int)v;
			break;
		}
		case O_INJECT:
			if (eb_parse_double(optarg, 1, 1e9, &cfg->inject_delay))
				return eb_bad_value("run", "--inject-delay", optarg,
						    "cycles, from 1 to 10^9");
			break;
		case O_CHECK_EGPRS:
		case O_NO_CHECK_EGPRS:
			cfg->check_egprs = c == O_CHECK_EGPRS;
			break;
		case O_DEBUG_CORRUPT:
			if (apx_parse_corrupt(optarg, &cfg->corrupt_reg,
					      &cfg->corrupt_uabi))
				return eb_bad_value("run", "--debug-corrupt-reg", optarg,
						    "[uabi:]REG, REG a legacy GPR other than rsp");
			break;
		case O_DEBUG_MARKS:
			cfg->debug_marks = true;
			break;
		case O_DEBUG_FORCE_APX:
			cfg->force_apx_on = true;
			break;
		case O_STRATEGIES:
			if (parse_strategies(cfg, optarg))
				return EB_EXIT_USAGE;
			break;
		case O_ROUNDS: {
			uint64_t v;

			if (eb_parse_u64(optarg, 2, EB_MAX_ROUNDS, &v) || v % 2)
				return eb_bad_value("run", "--rounds", optarg,
						    "an even number from 2 to 1000 (ABBA needs pairs of rounds)");
			cfg->rounds = (unsigned int)v;
			break;
		}
		case O_WAIT:
			cfg->noise.wait = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return eb_usage_error("run", argv, c);
		}
	}
	if (eb_no_operands("run", argc, argv))
		return EB_EXIT_USAGE;
	if (cfg->rounds && !cfg->nstrategies) {
		eb_error("run: --rounds needs --strategies");
		return EB_EXIT_USAGE;
	}
	if (cfg->nstrategies && cfg->repeat) {
		eb_error("run: --strategies repeats by --rounds (each round a fresh VM per strategy); --repeat is for one strategy");
		return EB_EXIT_USAGE;
	}
	if (cfg->nstrategies && !cfg->rounds)
		cfg->rounds = 8;
	if (!cfg->repeat)
		cfg->repeat = cfg->nstrategies ? 1 : DEFAULT_REPEAT;
	if (cfg->samples * cfg->batch > 100000000ull) {
		eb_error("run: --samples x --batch must stay below 10^8");
		return EB_EXIT_USAGE;
	}
	return 0;
}

/* Every reader refuses a file with more samples (results.h): say so now. */
static int check_raw_size(const struct eb_run_config *cfg)
{
	unsigned long long per = cfg->samples * cfg->repeat * 2 *
		(cfg->nxcr0 ? cfg->nxcr0 : 1) *
		(cfg->nstrategies ? cfg->nstrategies * cfg->rounds : 1);

	if (!cfg->raw || per * cfg->ntests <= EB_LOAD_MAX_VALUES)
		return 0;
	eb_error("run: --raw would keep up to %llu samples (%u tests x %llu), more than the %u a results file may hold; use fewer --samples, --repeat or --tests",
		 per * cfg->ntests, cfg->ntests, per, EB_LOAD_MAX_VALUES);
	return -1;
}

static json_t *config_json(const struct eb_run_config *cfg)
{
	json_t *tests = json_array();

	for (unsigned int i = 0; i < cfg->ntests; i++)
		json_array_append_new(tests, json_string(cfg->tests[i]->name));
	return json_pack("{s:o, s:I, s:f, s:I, s:I, s:I, s:i, s:i, s:b, s:f, s:I, s:s, s:s, s:s}",
			 "tests", tests,
			 "repeat", (json_int_t)cfg->repeat,
			 "inject_delay_cycles", cfg->inject_delay,
			 "samples", (json_int_t)cfg->samples,
			 "batch", (json_int_t)cfg->batch,
			 "warmup", (json_int_t)cfg->warmup,
			 "cpu", cfg->cpu,
			 "cpl", cfg->cpl,
			 "raw", cfg->raw,
			 "timeout_s", cfg->timeout_s,
			 "seed", (json_int_t)cfg->seed,
			 "apx", cfg->apx,
			 "xcr0", cfg->xcr0,
			 "kvm_dev", cfg->kvm_dev);
}

int cmd_run(int argc, char **argv)
{
	struct eb_run_config cfg = {
		.samples = DEFAULT_SAMPLES, .warmup = DEFAULT_WARMUP,
		.batch = 1, .cpu = -1, .cpl = -1, .timeout_s = 0,
		.seed = DEFAULT_SEED, .apx = "auto", .xcr0 = "host",
		.nxcr0 = 1, .xcr0_modes = { APX_XCR0_HOST },
		.check_egprs = -1, .corrupt_reg = -1,
		/* Pinned by default: migrations are noise nobody wants. */
		.noise.cpu = "auto",
	};
	struct eb_run_state *st;
	char path[4096], err[512], orig[128] = "";
	const char *param = switch_param_path();
	json_t *doc, *results;
	int r, ret = EB_EXIT_FAIL;

	cfg.noise.wait = eb_env_wait();
	cfg.noise.waiting = eb_say_waiting;
	r = parse_args(&cfg, argc, argv);
	if (r) {
		free(cfg.strategies_buf);
		return r < 0 ? EB_EXIT_OK : r;
	}
	/* Before anything else: can this kernel switch strategies at all? */
	if (cfg.nstrategies &&
	    switch_probe(param, orig, sizeof(orig), err, sizeof(err))) {
		eb_error("run: %s", err);
		free(cfg.strategies_buf);
		return EB_EXIT_USAGE;
	}
	/* Everything recorded must be storable, and the output writable. */
	if (eb_check_args_text("run", argc + 1, argv - 1) ||
	    (cfg.out && eb_check_out("run", cfg.out, false, true))) {
		free(cfg.strategies_buf);
		return EB_EXIT_USAGE;
	}
	cfg.kvm_dev = kvm_dev_path(cfg.kvm_dev);
	if (eb_check_text("run", "KVM device path", cfg.kvm_dev)) {
		free(cfg.strategies_buf);
		return EB_EXIT_USAGE;
	}
	if (!cfg.timeout_s)
		cfg.timeout_s = DEFAULT_TIMEOUT_BASE +
				DEFAULT_TIMEOUT_PER_EXIT * cfg.batch;
	if (!cfg.ntests)
		for (unsigned int i = 0; i < eb_tests_count; i++)
			if (!eb_tests[i].hidden)
				cfg.tests[cfg.ntests++] = &eb_tests[i];
	if (check_raw_size(&cfg)) {
		free(cfg.strategies_buf);
		return EB_EXIT_USAGE;
	}

	st = calloc(1, sizeof(*st));
	if (!st) {
		eb_error("run: out of memory");
		free(cfg.strategies_buf);
		return EB_EXIT_FAIL;
	}
	st->cfg = &cfg;
	for (int i = 0; i < 4; i++)
		st->nop_cycles[i] = -1;
	/* Placement and host snapshot come before any VM exists. */
	r = eb_noise_setup(&st->noise, &cfg.noise, err, sizeof(err));
	if (r) {
		eb_error("run: %s", err);
		ret = r == -ENOMEM ? EB_EXIT_FAIL : EB_EXIT_USAGE;
		goto err_noise;
	}
	cfg.cpu = eb_noise_cpu(&st->noise);
	hostinfo_probe(&st->host);

	/* Fail early, before anything is written, if KVM is unusable. */
	r = run_ensure_vm(st);
	if (r) {
		eb_error("run: %s", st->vm.err);
		goto err_noise;
	}

	if (cfg.out)
		snprintf(path, sizeof(path), "%s", cfg.out);
	else
		results_default_path(path, sizeof(path), st->host.hostname);

	/* Refuse before anything is written: never an "apx on" number without APX. */
	apx_run_init(&st->apx);
	st->apx.request = cfg.apx_req;
	st->apx.xcr0_mode = cfg.xcr0_modes[0];
	/* A pooled entry needs every run's samples; "raw" leaves with --raw off. */
	st->want_raw = true;
	st->apx.check_egprs = cfg.check_egprs;
	st->apx.corrupt = cfg.corrupt_reg >= 0;
	st->apx.corrupt_reg = cfg.corrupt_reg;
	st->apx.corrupt_uabi = cfg.corrupt_uabi;
	st->apx.force_on = cfg.force_apx_on;
	st->apx.tcg = st->host.emulated != NULL;
	/* Every --xcr0 mode must be possible; the first stays set. */
	for (unsigned int x = cfg.nxcr0; x-- > 0 && !r; ) {
		st->apx.xcr0_mode = cfg.xcr0_modes[x];
		r = apx_run_prepare(&st->apx, st->vm.kvm_fd,
				    st->host.flavor == EB_FLAVOR_PVM, err,
				    sizeof(err));
	}
	if (r) {
		eb_error("run: %s", err);
		ret = EB_EXIT_USAGE;
		goto err_vm;
	}

	r = results_check_writable(path, cfg.out == NULL, err, sizeof(err));
	if (r) {
		eb_error("run: %s", err);
		ret = EB_EXIT_USAGE;
		goto err_vm;
	}

	doc = results_new(&st->host, argc + 1, argv - 1);
	results_set_vm_info(doc, &st->host);
	/* A file without "config" is one no reader accepts: never write it. */
	if (json_object_set_new(doc, "config", config_json(&cfg))) {
		eb_error("run: cannot record the configuration");
		goto err_doc;
	}
	json_object_set_new(doc, "apx", apx_run_json(&st->apx));
	/* With event counts: what one event costs here, where measurable. */
	if (st->vm.napx_stats || cfg.debug_marks) {
		struct unitcost u;

		if (!unitcost_measure(&u))
			json_object_set_new(doc, "unit_costs",
					    unitcost_json(&u, sched_getcpu(), st->host.emulated));
	}
	results = json_array();
	json_object_set_new(doc, "results", results);

	/* Each result is keyed by (test, apx, xcr0[, strategy, round]). */
	if (cfg.nstrategies) {
		json_t *sw = switch_run_rounds(st, param, orig, results, err,
					       sizeof(err));

		if (!sw) {
			eb_error("run: %s", err);
			goto err_doc;
		}
		json_object_set_new(doc, "switch", sw);
	} else if (repeat_run(st, results, err, sizeof(err))) {
		eb_error("run: %s", err);
		goto err_doc;
	}
	json_object_set_new(doc, "tsc_tick", repeat_tick_json(results));
	if (cfg.inject_delay > 0)
		json_object_set_new(doc, "inject_delay", inject_json(st));

	json_object_set_new(doc, "status",
			    json_string(st->failed ? "failed" : "ok"));
	json_object_set_new(doc, "vms_created",
			    json_integer(st->vms_created));
	eb_noise_finish(&st->noise);
	json_object_set_new(doc, "noise", eb_noise_json(&st->noise));
	r = results_write(doc, path, cfg.out == NULL, err, sizeof(err));
	if (r) {
		eb_error("run: %s", err);
		goto err_doc;
	}
	table_print(stdout, doc);
	{
		json_t *w = json_object_get(json_object_get(doc, "noise"), "warnings");
		size_t i;
		json_t *s;

		json_array_foreach(w, i, s)
			eb_warn("%s", json_string_value(s));
	}
	if (cfg.nstrategies && strcmp(param, EB_APX_STRATEGY_PARAM))
		eb_warn("strategies were selected through %s ($%s), not the kernel's parameter: a test of the plumbing, not a comparison",
			param, EB_APX_STRATEGY_PARAM_ENV);
	printf("results: %s\n", path);
	ret = st->failed ? EB_EXIT_FAIL : EB_EXIT_OK;
err_doc:
	json_decref(doc);
err_vm:
	if (st->vm_live)
		vm_destroy(&st->vm);
err_noise:
	eb_noise_free(&st->noise);
	free(st);
	free(cfg.strategies_buf);
	return ret;
}
