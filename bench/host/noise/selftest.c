// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known-effect self-test; see selftest.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "paired.h"
#include "selftest.h"

/* A/A false-alarm count is "consistent with 5%" above this tail probability. */
#define AA_TAIL_MIN 0.01
/* Reliable detection: the fraction of trials that must say "slower". */
#define DETECT_RATE 0.95

void eb_selftest_defaults(struct eb_selftest_cfg *cfg)
{
	static const double d[] = { 0, 0.25, 0.5, 1, 2, 5, 10, 20 };

	memset(cfg, 0, sizeof(*cfg));
	cfg->block_samples = 300;
	cfg->blocks = 12;
	cfg->trials = 20;
	cfg->ndeltas = sizeof(d) / sizeof(d[0]);
	memcpy(cfg->deltas_pct, d, sizeof(d));
	cfg->calib_iters = 0;	/* auto */
}

double eb_binom_tail(unsigned int k, unsigned int n, double p)
{
	double sum = 0;

	for (unsigned int i = k; i <= n; i++)
		sum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) +
			   i * log(p) + (n - i) * log1p(-p));
	return fmin(sum, 1.0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Median of @n samples (sorts @buf in place). */
static double median_of(uint64_t *buf, size_t n)
{
	qsort(buf, n, sizeof(*buf), cmp_u64);
	return n % 2 ? (double)buf[n / 2] : ((double)buf[n / 2 - 1] + buf[n / 2]) / 2;
}

static int block_median(eb_st_sample_fn fn, void *ctx, enum eb_st_what what,
			uint64_t iters, uint64_t *buf, size_t n, double *med)
{
	int ret = fn(ctx, what, iters, buf, n);

	if (ret)
		return ret;
	*med = median_of(buf, n);
	return 0;
}

/*
 * Cycles per delay iteration: median of the delay loop with N iterations
 * minus with 0, over N.  Blocks alternate so both sides see the same host.
 */
static int calibrate(const struct eb_selftest_cfg *cfg, eb_st_sample_fn fn,
		     void *ctx, uint64_t *buf, double median, double *cpi)
{
	uint64_t iters = cfg->calib_iters;
	double m0[4], m1[4], d[4];
	int ret;

	/*
	 * Auto: a rough cost from 64 iterations, then calibrate over a delay
	 * of about 20% of the exit, the largest effect the test injects, so
	 * the calibration's own error is far below the effects it scales
	 * (and an emulated loop does not take minutes).
	 */
	if (!iters) {
		ret = block_median(fn, ctx, EB_ST_CALIBRATE, 0, buf,
				   cfg->block_samples, &m0[0]);
		if (!ret)
			ret = block_median(fn, ctx, EB_ST_CALIBRATE, 64, buf,
					   cfg->block_samples, &m1[0]);
		if (ret)
			return ret;
		d[0] = (m1[0] - m0[0]) / 64;
		iters = (uint64_t)llround(0.2 * median / (d[0] > 0.1 ? d[0] : 0.1));
		if (iters < 64)
			iters = 64;
	}
	for (int i = 0; i < 4; i++) {
		ret = block_median(fn, ctx, EB_ST_CALIBRATE, 0, buf,
				   cfg->block_samples, &m0[i]);
		if (!ret)
			ret = block_median(fn, ctx, EB_ST_CALIBRATE, iters,
					   buf, cfg->block_samples, &m1[i]);
		if (ret)
			return ret;
		d[i] = (m1[i] - m0[i]) / iters;
	}
	/* Median of 4: mean of the middle two. */
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			if (d[j] < d[i]) {
				double t = d[i];

				d[i] = d[j];
				d[j] = t;
			}
	*cpi = (d[1] + d[2]) / 2;
	return *cpi > 0 ? 0 : -EINVAL;
}

static enum eb_verdict verdict_of(double p, double lo, double hi)
{
	if (p < EB_CMP_ALPHA && lo > 0)
		return EB_SLOWER;
	if (p < EB_CMP_ALPHA && hi < 0)
		return EB_FASTER;
	return EB_SAME;
}

/*
 * One trial: @blocks pairs of adjacent A and A+D blocks.  The verdict is
 * the paired test on the pair differences (paired.h says why); the
 * unpaired Mann-Whitney of the stats library on the same block medians
 * is kept beside it, to show what ignoring the pairing costs.
 */
static int run_trial(const struct eb_selftest_cfg *cfg, eb_st_sample_fn fn,
		     void *ctx, uint64_t iters, unsigned int trial, uint64_t *buf,
		     double *ma, double *mb, enum eb_verdict *paired_v,
		     enum eb_verdict *unpaired_v, double *shift)
{
	const struct eb_threshold zero = { 0, false };
	struct eb_paired pr;
	struct eb_cmp cmp;
	int ret;

	for (unsigned int b = 0; b < cfg->blocks; b++) {
		/* ABAB on even trials, BABA on odd ones. */
		bool a_first = (b + trial) % 2 == 0;

		ret = block_median(fn, ctx, EB_ST_EXIT, a_first ? 0 : iters, buf,
				   cfg->block_samples, a_first ? &ma[b] : &mb[b]);
		if (!ret)
			ret = block_median(fn, ctx, EB_ST_EXIT, a_first ? iters : 0, buf,
					   cfg->block_samples, a_first ? &mb[b] : &ma[b]);
		if (ret)
			return ret;
	}
	ret = eb_compare_raw(ma, cfg->blocks, mb, cfg->blocks, &zero, &cmp);
	if (ret)
		return ret;
	*unpaired_v = cmp.verdict;
	for (unsigned int b = 0; b < cfg->blocks; b++)
		mb[b] -= ma[b];		/* the pair differences */
	ret = eb_sign_test(mb, cfg->blocks, EB_CMP_ALPHA, &pr);
	if (ret == -EINVAL) {		/* every pair identical */
		*paired_v = EB_SAME;
		*shift = 0;
		return 0;
	}
	if (ret)
		return ret;
	*paired_v = verdict_of(pr.p, pr.lo, pr.hi);
	*shift = pr.est;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int eb_selftest_run(const struct eb_selftest_cfg *cfg, eb_st_sample_fn fn,
		    void *ctx, eb_st_progress_fn progress,
		    struct eb_selftest_result *res)
{
	double *ma = NULL, *mb = NULL, *shifts = NULL, meds[4];
	uint64_t *buf = NULL;
	int ret = -ENOMEM;

	memset(res, 0, sizeof(*res));
	res->mde = -1;
	if (!cfg->block_samples || cfg->blocks < 6 || !cfg->trials ||
	    !cfg->ndeltas || cfg->ndeltas > EB_SELFTEST_MAX_DELTAS)
		return -EINVAL;
	buf = malloc(cfg->block_samples * sizeof(*buf));
	ma = malloc(cfg->blocks * sizeof(*ma));
	mb = malloc(cfg->blocks * sizeof(*mb));
	shifts = malloc(cfg->trials * sizeof(*shifts));
	if (!buf || !ma || !mb || !shifts)
		goto out;

	for (int i = 0; i < 4; i++) {
		ret = block_median(fn, ctx, EB_ST_EXIT, 0, buf, cfg->block_samples,
				   &meds[i]);
		if (ret)
			goto out;
	}
	qsort(meds, 4, sizeof(meds[0]), cmp_double);
	res->median = (meds[1] + meds[2]) / 2;
	ret = calibrate(cfg, fn, ctx, buf, res->median, &res->cycles_per_iter);
	if (ret)
		goto out;

	for (unsigned int d = 0; d < cfg->ndeltas; d++) {
		struct eb_selftest_point *pt = &res->pt[res->npoints++];
		double want = cfg->deltas_pct[d] / 100 * res->median;

		pt->delta_pct = cfg->deltas_pct[d];
		pt->iters = (uint64_t)llround(want / res->cycles_per_iter);
		if (cfg->deltas_pct[d] > 0 && !pt->iters)
			pt->iters = 1;	/* smaller than one iteration: say so */
		pt->delta_cycles = pt->iters * res->cycles_per_iter;
		for (unsigned int t = 0; t < cfg->trials; t++) {
			enum eb_verdict v, uv;

			ret = run_trial(cfg, fn, ctx, pt->iters, t, buf, ma, mb,
					&v, &uv, &shifts[t]);
			if (ret)
				goto out;
			if (v == EB_SLOWER)
				pt->slower++;
			else if (v == EB_FASTER)
				pt->faster++;
			else
				pt->same++;
			pt->unpaired_slower += uv == EB_SLOWER;
			pt->unpaired_alarms += uv != EB_SAME;
		}
		qsort(shifts, cfg->trials, sizeof(*shifts), cmp_double);
		pt->shift_median = cfg->trials % 2 ? shifts[cfg->trials / 2] :
				   (shifts[cfg->trials / 2 - 1] + shifts[cfg->trials / 2]) / 2;
		pt->detect_rate = (double)pt->slower / cfg->trials;
		if (progress)
			progress(ctx, pt, cfg->trials);
		if (pt->iters == 0) {
			res->has_aa = true;
			res->aa_alarms = pt->slower + pt->faster;
			res->aa_p = eb_binom_tail(res->aa_alarms, cfg->trials, EB_CMP_ALPHA);
			res->aa_ok = res->aa_p >= AA_TAIL_MIN;
		}
	}

	/* MDE: smallest D from which on every larger D is detected reliably. */
	for (int i = (int)res->npoints - 1; i >= 0; i--) {
		if (res->pt[i].iters == 0 || res->pt[i].detect_rate < DETECT_RATE)
			break;
		res->mde = i;
	}
	if (res->has_aa && !res->aa_ok)
		res->mde = -1;	/* detections mean nothing if A/A alarms too */
	ret = 0;
out:
	free(buf);
	free(ma);
	free(mb);
	free(shifts);
	return ret;
}

json_t *eb_selftest_json(const struct eb_selftest_cfg *cfg,
			 const struct eb_selftest_result *res)
{
	json_t *pts = json_array(), *mde;

	if (!pts)
		return NULL;
	for (unsigned int i = 0; i < res->npoints; i++) {
		const struct eb_selftest_point *p = &res->pt[i];

		json_array_append_new(pts, json_pack(
			"{s:f, s:I, s:f, s:i, s:i, s:i, s:f, s:f, s:{s:i, s:i}}",
			"delta_pct", p->delta_pct, "iters", (json_int_t)p->iters,
			"delta_cycles", p->delta_cycles, "slower", p->slower,
			"faster", p->faster, "same", p->same,
			"detect_rate", p->detect_rate,
			"shift_median_cycles", p->shift_median,
			"unpaired", "slower", p->unpaired_slower,
			"not_same", p->unpaired_alarms));
	}
	if (res->mde >= 0)
		mde = json_pack("{s:f, s:f}", "cycles", res->pt[res->mde].delta_cycles,
				"pct", 100 * res->pt[res->mde].delta_cycles / res->median);
	else
		mde = json_pack("{s:s}", "unresolved", res->has_aa && !res->aa_ok ?
				"A/A control failed: comparisons are not valid on this host" :
				"no tested delay was detected in 95% of trials");
	return json_pack("{s:f, s:f, s:{s:I, s:i, s:i, s:s}, s:o, s:o, s:o}",
			 "median_cycles", res->median,
			 "cycles_per_delay_iter", res->cycles_per_iter,
			 "design", "block_samples", (json_int_t)cfg->block_samples,
			 "blocks_per_arm", cfg->blocks, "trials", cfg->trials,
			 "statistic", "sign test + median difference (binomial CI) on adjacent A/A+D block-median pairs, alpha 0.05",
			 "points", pts,
			 "aa", res->has_aa ?
			       json_pack("{s:i, s:i, s:f, s:s}", "alarms", res->aa_alarms,
					 "trials", cfg->trials, "p", res->aa_p,
					 "verdict", res->aa_ok ? "same" : "different") :
			       json_null(),
			 "mde", mde);
}
