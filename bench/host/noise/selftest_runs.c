// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run-level self-test: MDE by bisection over real runs compared as
 * compare does.  See selftest_runs.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runlevel.h"
#include "selftest.h"
#include "selftest_runs.h"

#define MAX_RUNS 64

void eb_str_defaults(struct eb_str_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->runs = 5;
	cfg->trials = 10;
	cfg->steps = 5;
	cfg->target = 0.9;
	cfg->resolve_pct = 1;
	cfg->run_samples = 2000;
}

void eb_clopper_pearson(unsigned int k, unsigned int n, double alpha,
			double *lo, double *hi)
{
	double a, b;

	*lo = 0;
	*hi = 1;
	if (!n)
		return;
	/* lo: P(X >= k | p) = alpha/2; hi: P(X <= k | p) = alpha/2. */
	if (k > 0) {
		a = 0;
		b = 1;
		for (int i = 0; i < 60; i++) {
			double m = (a + b) / 2;

			if (eb_binom_tail(k, n, m) < alpha / 2)
				a = m;
			else
				b = m;
		}
		*lo = (a + b) / 2;
	}
	if (k < n) {
		a = 0;
		b = 1;
		for (int i = 0; i < 60; i++) {
			double m = (a + b) / 2;

			if (1 - eb_binom_tail(k + 1, n, m) > alpha / 2)
				a = m;
			else
				b = m;
		}
		*hi = (a + b) / 2;
	}
}

static double mde_formula(double sd, unsigned int n)
{
	double df = 2.0 * n - 2;

	return (eb_t_quantile(0.975, df) + eb_t_quantile(0.90, df)) * sd *
	       sqrt(2.0 / n);
}

unsigned int eb_str_runs_needed(double sd, double effect)
{
	for (unsigned int n = 2; n <= 1000; n++)
		if (mde_formula(sd, n) <= effect)
			return n;
	return 0;
}

/* One trial: R runs per side, alternating A B B A ...; the verdict. */
static int trial(const struct eb_str_cfg *cfg, eb_str_run_fn fn, void *ctx,
		 double delay, double *a, double *b, enum eb_verdict *v)
{
	const struct eb_threshold thr = { .value = 0, .percent = false };
	struct eb_cmp c;
	int r;

	for (unsigned int k = 0; k < cfg->runs; k++) {
		bool a_first = k % 2 == 0;

		r = fn(ctx, a_first ? 0 : delay, a_first ? &a[k] : &b[k]);
		if (!r)
			r = fn(ctx, a_first ? delay : 0, a_first ? &b[k] : &a[k]);
		if (r)
			return r;
	}
	r = eb_runlevel_compare(a, cfg->runs, b, cfg->runs, cfg->tick, &thr, &c);
	*v = c.verdict;
	return r;
}

static int point(const struct eb_str_cfg *cfg, eb_str_run_fn fn, void *ctx,
		 double delay, struct eb_str_result *res,
		 void (*progress)(void *, const struct eb_str_point *))
{
	struct eb_str_point *p;
	double a[MAX_RUNS], b[MAX_RUNS];
	enum eb_verdict v;
	int r;

	if (res->npoints == EB_STR_MAX_POINTS)
		return -E2BIG;
	p = &res->pt[res->npoints];
	memset(p, 0, sizeof(*p));
	p->delay = delay;
	for (unsigned int t = 0; t < cfg->trials; t++) {
		r = trial(cfg, fn, ctx, delay, a, b, &v);
		if (r)
			return r;
		p->slower += v == EB_SLOWER;
		p->trials++;
	}
	eb_clopper_pearson(p->slower, p->trials, 0.05, &p->lo, &p->hi);
	res->npoints++;
	if (progress)
		progress(ctx, p);
	return 0;
}

static bool detected(const struct eb_str_cfg *cfg, const struct eb_str_point *p)
{
	return p->slower >= cfg->target * p->trials;
}

int eb_selftest_runs(const struct eb_str_cfg *cfg, eb_str_run_fn fn, void *ctx,
		     void (*progress)(void *ctx, const struct eb_str_point *pt),
		     struct eb_str_result *res)
{
	double a[MAX_RUNS], b[MAX_RUNS], all[2 * MAX_RUNS], lo, hi;
	struct eb_runs_summary s;
	enum eb_verdict v;
	int r, hi_idx = -1;

	memset(res, 0, sizeof(*res));
	if (cfg->runs < 2 || cfg->runs > MAX_RUNS || !cfg->trials ||
	    !(cfg->target > 0 && cfg->target <= 1))
		return -EINVAL;
	/* A/A control; its runs give the spread that seeds the bisection. */
	double ss = 0, sum = 0;
	unsigned int nss = 0;

	for (unsigned int t = 0; t < cfg->trials; t++) {
		r = trial(cfg, fn, ctx, 0, a, b, &v);
		if (r)
			return r;
		res->aa_alarms += v == EB_SLOWER || v == EB_FASTER;
		res->aa_trials++;
		memcpy(all, a, cfg->runs * sizeof(*a));
		memcpy(all + cfg->runs, b, cfg->runs * sizeof(*b));
		eb_runs_summarize(a, cfg->runs, 0.05, &s);
		ss += s.sd * s.sd;
		sum += s.mean;
		eb_runs_summarize(b, cfg->runs, 0.05, &s);
		ss += s.sd * s.sd;
		sum += s.mean;
		nss += 2;
	}
	eb_clopper_pearson(res->aa_alarms, res->aa_trials, 0.05, &res->aa_lo,
			   &res->aa_hi);
	/* Pooled within-side SD: what Welch sees in one comparison. */
	res->sd = sqrt(ss / nss);
	res->median = sum / nss;
	res->size_runs = eb_str_runs_needed(res->sd,
					    cfg->resolve_pct / 100 * res->median);

	lo = 0;
	hi = fmax(2 * mde_formula(res->sd, cfg->runs), 2 * cfg->tick);
	if (!(hi > 0))
		hi = 0.01 * res->median;
	for (int i = 0; i < 5; i++) {
		r = point(cfg, fn, ctx, hi, res, progress);
		if (r)
			return r;
		if (detected(cfg, &res->pt[res->npoints - 1])) {
			hi_idx = (int)res->npoints - 1;
			break;
		}
		lo = hi;
		hi *= 2;
	}
	if (hi_idx < 0)
		return 0;	/* not found: res->found stays false */
	for (unsigned int i = 0; i < cfg->steps; i++) {
		double mid = (lo + hi) / 2;

		r = point(cfg, fn, ctx, mid, res, progress);
		if (r)
			return r;
		if (detected(cfg, &res->pt[res->npoints - 1])) {
			hi = mid;
			hi_idx = (int)res->npoints - 1;
		} else {
			lo = mid;
		}
	}
	res->found = true;
	res->mde = res->pt[hi_idx].delay;
	res->mde_rate = (double)res->pt[hi_idx].slower / res->pt[hi_idx].trials;
	res->mde_lo = res->pt[hi_idx].lo;
	res->mde_hi = res->pt[hi_idx].hi;
	return 0;
}

json_t *eb_selftest_runs_json(const struct eb_str_cfg *cfg,
			      const struct eb_str_result *res)
{
	json_t *pts = json_array();

	for (unsigned int i = 0; i < res->npoints; i++) {
		const struct eb_str_point *p = &res->pt[i];

		json_array_append_new(pts, json_pack("{s:f, s:I, s:I, s:f, s:[f, f]}",
			"delay_cycles", p->delay, "slower", (json_int_t)p->slower,
			"trials", (json_int_t)p->trials,
			"detect_rate", (double)p->slower / p->trials,
			"detect_rate_ci", p->lo, p->hi));
	}
	return json_pack("{s:s, s:{s:I, s:I, s:I, s:I, s:f, s:s}, s:f, s:f, "
			 "s:{s:I, s:I, s:[f, f]}, s:o, s:o, s:{s:f, s:I, s:I}}",
		"method", "runs",
		"design", "runs_per_side", (json_int_t)cfg->runs,
		"run_samples", (json_int_t)cfg->run_samples,
		"trials", (json_int_t)cfg->trials, "steps", (json_int_t)cfg->steps,
		"target", cfg->target,
		"statistic", "as compare: Welch t on the run medians, alpha 0.05, tick rule; A and A+D runs alternate, each a fresh VM; the delay is a TSC spin",
		"mean_median_cycles", res->median, "sd_run_medians", res->sd,
		"aa", "alarms", (json_int_t)res->aa_alarms, "trials",
		(json_int_t)res->aa_trials, "rate_ci", res->aa_lo, res->aa_hi,
		"points", pts,
		"mde", res->found ? json_pack("{s:f, s:f, s:f, s:[f, f]}", "cycles", res->mde,
			"pct", 100 * res->mde / res->median, "detect_rate", res->mde_rate,
			"detect_rate_ci", res->mde_lo, res->mde_hi) :
			json_pack("{s:s}", "unresolved", "no delay up to 32x the predicted MDE was detected"),
		"sizing", "resolve_pct", cfg->resolve_pct,
		"runs_per_side", (json_int_t)res->size_runs,
		"run_samples", (json_int_t)cfg->run_samples);
}
