// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adaptive sampling; see adaptive.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adaptive.h"

static double monotonic(void *ctx)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double median_sorted(const uint64_t *x, size_t n)
{
	return n % 2 ? (double)x[n / 2] : ((double)x[n / 2 - 1] + x[n / 2]) / 2;
}

void eb_median_ci_sorted(const uint64_t *x, size_t n, double *lo, double *hi)
{
	double d = 1.959964 * sqrt((double)n) / 2;
	long j = (long)floor(n / 2.0 - d), k = (long)ceil(n / 2.0 + d);

	/* 1-based ranks j and k, clamped: tiny n gives the sample range. */
	if (j < 1)
		j = 1;
	if (k > (long)n)
		k = n;
	*lo = (double)x[j - 1];
	*hi = (double)x[k - 1];
}

/* Two-sided 97.5% quantile of Student's t with @df degrees of freedom. */
static double t975(size_t df)
{
	static const double t[] = {
		0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
		2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
	};

	if (df < sizeof(t) / sizeof(t[0]))
		return t[df];
	return 1.959964 + 2.4 / df;	/* within 0.5% of the exact value */
}

static double between_hw(const double *m, size_t k)
{
	double mean = 0, ss = 0;

	for (size_t i = 0; i < k; i++)
		mean += m[i];
	mean /= k;
	for (size_t i = 0; i < k; i++)
		ss += (m[i] - mean) * (m[i] - mean);
	return t975(k - 1) * sqrt(ss / (k - 1)) / sqrt((double)k);
}

/* Merge sorted @b (nb) into sorted @a (na), result in @tmp then @a. */
static void merge_into(uint64_t *a, size_t na, const uint64_t *b, size_t nb,
		       uint64_t *tmp)
{
	size_t i = 0, j = 0, o = 0;

	while (i < na && j < nb)
		tmp[o++] = a[i] <= b[j] ? a[i++] : b[j++];
	while (i < na)
		tmp[o++] = a[i++];
	while (j < nb)
		tmp[o++] = b[j++];
	memcpy(a, tmp, (na + nb) * sizeof(*a));
}

int eb_adaptive_run(const struct eb_adaptive_cfg *cfg, eb_round_fn fn, void *ctx,
		    struct eb_adaptive_result *res)
{
	eb_clock_fn clk = cfg->clock ? cfg->clock : monotonic;
	size_t r = cfg->round_samples, cap = cfg->max_samples;
	size_t max_rounds, min_rounds = cfg->min_rounds ? cfg->min_rounds : 3;
	uint64_t *all = NULL, *sorted = NULL, *tmp = NULL;
	double *medians = NULL, t0, lo, hi;
	int ret = -ENOMEM;

	memset(res, 0, sizeof(*res));
	if (!r || cap < r || cfg->precision < 0 ||
	    (cfg->precision > 0 && cfg->max_time <= 0 && cap == r))
		return -EINVAL;
	if (cfg->precision == 0)
		cap = r;
	max_rounds = cap / r;
	all = malloc(max_rounds * r * sizeof(*all));
	sorted = malloc(max_rounds * r * sizeof(*sorted));
	tmp = malloc(max_rounds * r * sizeof(*tmp));
	medians = malloc(max_rounds * sizeof(*medians));
	if (!all || !sorted || !tmp || !medians)
		goto err;

	t0 = clk(cfg->clock_ctx);
	for (;;) {
		uint64_t *round = all + res->n;

		ret = fn(ctx, round, r);
		if (ret)
			goto err;
		/* Sort this round alone (its median), then merge into the pool. */
		memcpy(tmp, round, r * sizeof(*tmp));
		qsort(tmp, r, sizeof(*tmp), cmp_u64);
		medians[res->rounds++] = median_sorted(tmp, r);
		memcpy(sorted + res->n, tmp, r * sizeof(*tmp));
		merge_into(sorted, res->n, sorted + res->n, r, tmp);
		res->n += r;
		res->elapsed = clk(cfg->clock_ctx) - t0;

		res->median = median_sorted(sorted, res->n);
		eb_median_ci_sorted(sorted, res->n, &lo, &hi);
		res->within_hw = (hi - lo) / 2;
		res->between_hw = res->rounds >= 3 ?
				  between_hw(medians, res->rounds) : NAN;
		res->rel_hw = res->median > 0 ?
			      fmax(res->within_hw, isnan(res->between_hw) ? 0 :
				   res->between_hw) / res->median : INFINITY;

		if (cfg->precision == 0) {
			res->stop = EB_STOP_ONE_ROUND;
			break;
		}
		if (res->rounds >= min_rounds && res->rel_hw <= cfg->precision) {
			res->stop = EB_STOP_PRECISION;
			break;
		}
		if (cfg->max_time > 0 && res->elapsed >= cfg->max_time) {
			res->stop = EB_STOP_MAX_TIME;
			break;
		}
		if (res->rounds == max_rounds) {
			res->stop = EB_STOP_MAX_SAMPLES;
			break;
		}
	}
	free(sorted);
	free(tmp);
	free(medians);
	res->samples = all;
	return 0;
err:
	free(all);
	free(sorted);
	free(tmp);
	free(medians);
	memset(res, 0, sizeof(*res));
	return ret;
}

const char *eb_stop_name(enum eb_stop stop)
{
	switch (stop) {
	case EB_STOP_ONE_ROUND:
		return "one-round";
	case EB_STOP_PRECISION:
		return "precision";
	case EB_STOP_MAX_TIME:
		return "max-time";
	case EB_STOP_MAX_SAMPLES:
		return "max-samples";
	}
	return "unknown";
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *eb_adaptive_json(const struct eb_adaptive_cfg *cfg,
			 const struct eb_adaptive_result *res)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:f, s:o, s:s, s:o, s:o, s:o, s:b, s:f}",
			 "stopped_by", eb_stop_name(res->stop),
			 "rounds", (json_int_t)res->rounds,
			 "round_samples", (json_int_t)cfg->round_samples,
			 "samples", (json_int_t)res->n,
			 "precision_goal", cfg->precision,
			 "precision_reached", real_or_null(res->rel_hw),
			 "precision_reached_method",
			 "the larger 95% half width of the median, relative to it: within (order-statistic CI of the pooled samples) or between rounds (Student t over the round medians, from 3 rounds); what show prints as +-ci",
			 "within_round_half_width", real_or_null(res->within_hw),
			 "between_rounds_half_width", real_or_null(res->between_hw),
			 "max_time", cfg->max_time > 0 ? json_real(cfg->max_time) :
				     json_null(),
			 "goal_met", res->stop == EB_STOP_PRECISION,
			 "elapsed_s", res->elapsed);
}
