// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkresults: write a synthetic, seeded results file (exitbench-result/1)
 * for the analysis tests: known distributions, known shifts, chosen host.
 *
 *   mkresults OUT [--seed N] [--strategy S] [--host H] [--cpu MODEL]
 *             [--tsc-khz K] [--flavor F] [--samples N] [--no-raw]
 *             [--shift TEST=CYCLES]... [--skip TEST] [--fail TEST]
 *             [--schema STRING] [--emulated TEST] [--runs N]
 *
 * --runs N writes N runs per entry (as `exitbench run --repeat N`): each
 * run's samples carry a per-run offset (normal, SD a third of the row's
 * noise scale), the run-to-run spread real hosts show.
 */
#include <getopt.h>
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rng.h"
#include "stats.h"

/* name, apx, xcr0, typical per-exit cycles, noise scale */
static const struct {
	const char *test, *apx, *xcr0;
	double base, noise;
} rows[] = {
	{ "cpuid", "off", "host", 1000, 15 },
	{ "cpuid", "on", "host", 1010, 15 },
	{ "cpuid", "on", "reduced", 1100, 15 },
	{ "pio-user", "off", "host", 63000, 900 },
	{ "mmio-kernel", "off", "host", 6000, 90 },
	{ "hlt", "off", "host", 35000, 600 },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static json_t *stats_json(const struct eb_stats *s)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:[f,f], s:I, s:I}",
			 "n", (json_int_t)s->n, "min", s->min, "p1", s->p1, "p5", s->p5,
			 "p25", s->p25, "median", s->median, "p75", s->p75, "p95", s->p95,
			 "p99", s->p99, "max", s->max, "mean", s->mean, "stddev", s->stddev,
			 "mad", s->mad, "median_ci", s->median_ci_lo, s->median_ci_hi,
			 "outliers_low", (json_int_t)s->outliers_low,
			 "outliers_high", (json_int_t)s->outliers_high);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "host", required_argument, NULL, 'H' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "tsc-khz", required_argument, NULL, 'T' },
		{ "flavor", required_argument, NULL, 'f' },
		{ "samples", required_argument, NULL, 'n' },
		{ "no-raw", no_argument, NULL, 'R' },
		{ "shift", required_argument, NULL, 'x' },
		{ "skip", required_argument, NULL, 'k' },
		{ "fail", required_argument, NULL, 'F' },
		{ "schema", required_argument, NULL, 'Z' },
		{ "emulated", required_argument, NULL, 'E' },
		{ "runs", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *strategy = "baseline", *host = "testhost", *flavor = "pvm";
	const char *cpu = "Synthetic CPU @ 2.60GHz", *schema = "exitbench-result/1";
	const char *skip = "", *failt = "", *emulated = "";
	double tsc_khz = 2600000, shift[NROWS] = { 0 };
	unsigned long long seed = 1;
	size_t samples = 3000, i, j, nruns = 1;
	bool raw = true;
	json_t *root, *results;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'S': strategy = optarg; break;
		case 'H': host = optarg; break;
		case 'C': cpu = optarg; break;
		case 'T': tsc_khz = atof(optarg); break;
		case 'f': flavor = optarg; break;
		case 'n': samples = strtoul(optarg, NULL, 0); break;
		case 'R': raw = false; break;
		case 'k': skip = optarg; break;
		case 'F': failt = optarg; break;
		case 'Z': schema = optarg; break;
		case 'E': emulated = optarg; break;
		case 'r': nruns = strtoul(optarg, NULL, 0); break;
		case 'x': {
			char *eq = strchr(optarg, '=');

			if (!eq)
				return 2;
			*eq = '\0';
			for (i = 0; i < NROWS; i++)
				if (!strcmp(rows[i].test, optarg))
					shift[i] = atof(eq + 1);
			break;
		}
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: mkresults OUT [options]\n");
		return 2;
	}
	root = json_pack("{s:s, s:{s:s, s:s}, s:[s,s], s:s, s:s, "
			 "s:{s:s, s:{s:s, s:s, s:i, s:i, s:i, s:s}, s:{s:s, s:s}, s:I, s:s}, "
			 "s:{s:s, s:s, s:{}, s:s, s:n}, s:{s:I, s:i, s:i, s:b, s:I}, s:[]}",
			 "schema", schema, "exitbench", "version", "0.1.0", "commit", "synthetic",
			 "command_line", "mkresults", argv[optind], "date", "2026-11-21T12:00:00Z",
			 "status", "ok",
			 "host", "hostname", host, "cpu", "vendor", "GenuineIntel",
			 "model_name", cpu, "family", 6, "model", 143, "stepping", 8,
			 "microcode", "0x2b000181", "kernel", "release", strategy,
			 "version", "#1 SMP", "tsc_khz", (json_int_t)tsc_khz, "tsc_khz_source", "synthetic",
			 "kvm", "flavor", flavor, "module", "kvm_pvm", "params", "strategy",
			 strategy, "emulated",
			 "config", "samples", (json_int_t)samples, "batch", 1, "warmup", 100,
			 "raw", raw, "seed", (json_int_t)seed, "results");
	if (root && nruns > 1)
		json_object_set_new(json_object_get(root, "config"), "repeat",
				    json_integer((json_int_t)nruns));
	if (!root)
		return 3;
	results = json_object_get(root, "results");
	for (i = 0; i < NROWS; i++) {
		uint64_t *v = malloc(samples * nruns * sizeof(*v));
		json_t *runs = json_array();
		struct eb_rng rng;
		struct eb_stats s;
		json_t *r, *a;

		eb_rng_seed(&rng, seed * 1000 + i);
		r = json_pack("{s:s, s:s, s:s, s:b}", "test", rows[i].test, "apx", rows[i].apx,
			      "xcr0", rows[i].xcr0, "emulated", !strcmp(emulated, rows[i].test));
		json_array_append_new(results, r);
		if (!strcmp(skip, rows[i].test)) {
			json_object_set_new(r, "status", json_string("skipped"));
			json_object_set_new(r, "reason", json_string("not supported by this synthetic host"));
			json_decref(runs);
			free(v);
			continue;
		}
		if (!strcmp(failt, rows[i].test)) {
			json_object_set_new(r, "status", json_string("timeout"));
			json_object_set_new(r, "reason", json_string("watchdog fired after 10 s"));
			json_decref(runs);
			free(v);
			continue;
		}
		/* Skewed cycle counts with rare interrupt spikes, as on real hosts. */
		for (size_t k = 0; k < nruns; k++) {
			double off = nruns > 1 ? rows[i].noise / 3 * eb_rng_normal(&rng) : 0;

			for (j = k * samples; j < (k + 1) * samples; j++) {
				double x = rows[i].base + shift[i] + off +
					rows[i].noise * exp(0.6 * eb_rng_normal(&rng));

				if (eb_rng_below(&rng, 200) == 0)
					x += 20 * rows[i].base;
				v[j] = (uint64_t)x;
			}
			if (nruns == 1)
				break;
			if (eb_stats_compute(v + k * samples, samples, 0, seed, &s))
				return 3;
			json_array_append_new(runs, json_pack("{s:I, s:I, s:s, s:o, s:[I, I]}",
				"run", (json_int_t)k, "seq", (json_int_t)k, "status", "ok",
				"cycles", stats_json(&s), "raw_range",
				(json_int_t)(k * samples), (json_int_t)samples));
		}
		if (eb_stats_compute(v, samples * nruns, 0, seed, &s))
			return 3;
		if (nruns > 1) {
			/* Without raw, raw_range would point at nothing. */
			for (j = 0; !raw && j < nruns; j++)
				json_object_del(json_array_get(runs, j), "raw_range");
			json_object_set(r, "runs", runs);
		}
		json_decref(runs);
		json_object_set_new(r, "status", json_string("ok"));
		json_object_set_new(r, "batch", json_integer(1));
		json_object_set_new(r, "warmup", json_integer(100));
		json_object_set_new(r, "cycles", stats_json(&s));
		if (raw) {
			a = json_array();
			for (j = 0; j < samples * nruns; j++)
				json_array_append_new(a, json_integer((json_int_t)v[j]));
			json_object_set_new(r, "raw", a);
		}
		free(v);
	}
	if (json_dump_file(root, argv[optind], JSON_INDENT(1)))
		return 3;
	json_decref(root);
	return 0;
}
