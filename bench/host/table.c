// SPDX-License-Identifier: GPL-2.0-only
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "table.h"

#define WIDTH	72

static const char *str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/*
 * Cycles in at most @w characters: one decimal when small, integers when
 * large, and k/M/G only for values that would not fit (PVM's millions).
 */
static const char *fmt(char *buf, size_t len, double v, int w)
{
	static const char suffix[] = "kMG";
	int n;

	if (isnan(v))
		return snprintf(buf, len, "-"), buf;
	n = fabs(v) >= 100 ? snprintf(buf, len, "%.0f", v) :
			     snprintf(buf, len, "%.1f", v);
	for (int i = 0; n > w && i < 3; i++) {
		v /= 1000;
		n = snprintf(buf, len, fabs(v) >= 100 ? "%.0f%c" : "%.1f%c", v,
			     suffix[i]);
	}
	return buf;
}

void table_wrap(FILE *f, const char *first, const char *text, int indent)
{
	size_t fl = strlen(first);
	int col = fprintf(f, "%s", first);
	int space = fl && first[fl - 1] != ' ';
	const char *p = text;

	while (*p == ' ')
		p++;
	while (*p) {
		int w = (int)strcspn(p, " ");

		if (col > indent && col + space + w > WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			space = 0;
		}
		col += fprintf(f, "%s%.*s", space ? " " : "", w, p);
		space = 1;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

enum { CI_SAMPLES, CI_ROUNDS, CI_RUNS };

/*
 * The CI the table shows, the one that was actually reached: between
 * runs when there are several, else what --precision reached between
 * rounds, else the one run's bootstrap CI of its median.
 */
static double ci_half_width(json_t *r, json_t *cy, json_t *ci, int *kind)
{
	json_t *br = json_object_get(r, "between_runs");
	json_t *sm = json_object_get(r, "sampling");

	if (json_is_number(json_object_get(br, "half_width"))) {
		*kind = CI_RUNS;
		return num(br, "half_width");
	}
	if (json_is_number(json_object_get(sm, "precision_reached"))) {
		*kind = CI_ROUNDS;
		return num(sm, "precision_reached") * num(cy, "median");
	}
	*kind = CI_SAMPLES;
	if (json_array_size(ci) != 2)
		return NAN;
	return (json_number_value(json_array_get(ci, 1)) -
		json_number_value(json_array_get(ci, 0))) / 2;
}

static const char *tick_str(json_t *doc, char *buf, size_t len)
{
	json_t *t = json_object_get(json_object_get(doc, "tsc_tick"), "cycles");

	if (json_is_number(t))
		snprintf(buf, len, "%g", json_number_value(t));
	else
		snprintf(buf, len, "unknown");
	return buf;
}

static void header(FILE *f, json_t *doc)
{
	json_t *eb = json_object_get(doc, "exitbench");
	json_t *host = json_object_get(doc, "host");
	json_t *kvm = json_object_get(doc, "kvm");
	json_t *cpu = json_object_get(host, "cpu");
	json_t *cfg = json_object_get(doc, "config");
	json_t *kern = json_object_get(host, "kernel");
	char line[512];

	fprintf(f, "exitbench %s (%s), %s\n", str(eb, "version", "?"),
		str(eb, "commit", "?"), str(doc, "date", "?"));
	snprintf(line, sizeof(line), "host %s, kernel %s, KVM %s, strategy %s",
		 str(host, "hostname", "?"), str(kern, "release", "?"),
		 str(kvm, "flavor", "?"), str(kvm, "strategy", "unknown"));
	table_wrap(f, "", line, 2);
	table_wrap(f, "", str(cpu, "model_name", "unknown CPU"), 2);
	if (json_is_number(json_object_get(host, "tsc_khz")))
		fprintf(f, "TSC %.0f kHz (%s); ", num(host, "tsc_khz"),
			str(host, "tsc_khz_source", "?"));
	else
		fprintf(f, "TSC frequency unknown: no ns; ");
	fprintf(f, "samples %.0f, warm-up %.0f, batch %.0f\n",
		num(cfg, "samples"), num(cfg, "warmup"), num(cfg, "batch"));
	if (json_is_number(json_object_get(cfg, "repeat")))
		fprintf(f, "runs %.0f per test (each a fresh VM); TSC tick %s cycles\n",
			num(cfg, "repeat"), tick_str(doc, line, sizeof(line)));
	if (json_object_get(doc, "inject_delay"))
		fprintf(f, "TEST AID: --inject-delay %.0f cycles added to every timed exit\n",
			num(json_object_get(doc, "inject_delay"), "requested_cycles"));
	if (json_object_get(cfg, "apx"))
		fprintf(f, "guest: --apx %s, --xcr0 %s\n",
			str(cfg, "apx", "?"), str(cfg, "xcr0", "?"));
	if (json_is_true(json_object_get(json_object_get(json_object_get(doc, "apx"),
							 "standin"), "used"))) {
		json_t *sd = json_object_get(json_object_get(doc, "apx"), "standin");

		snprintf(line, sizeof(line), "APX stand-in %s %s (%s): /si1 rows set those XCR0 bits, /si0 rows clear them; not real APX",
			 str(sd, "name", "?"), str(sd, "mask", "?"),
			 str(sd, "param", "?"));
		table_wrap(f, "", line, 2);
	}
	if (str(json_object_get(doc, "apx"), "on_skipped", NULL)) {
		snprintf(line, sizeof(line), "apx on not run: %s",
			 str(json_object_get(doc, "apx"), "on_skipped", "?"));
		table_wrap(f, "", line, 2);
	}
}

const char *table_mode_suffix(const char *apx)
{
	if (!strcmp(apx, "on"))
		return "/apx";
	if (!strcmp(apx, "standin"))
		return "/si1";
	if (!strcmp(apx, "standin-off"))
		return "/si0";
	return "";
}

void table_print(FILE *f, json_t *doc)
{
	json_t *results = json_object_get(doc, "results"), *r;
	bool any_emulated = false, any_notok = false, below_tick = false;
	double emu_lo = INFINITY, emu_hi = -INFINITY;
	unsigned int kinds = 0;
	char b[8][32], group[160] = "", g[160];
	size_t i;

	header(f, doc);
	fprintf(f, "\n%-17s%4s %7s %5s %7s %7s %6s %6s %6s\n",
		"test", "cpl", "median", "+-ci", "p1", "p99", "loop", "net",
		"ns");
	json_array_foreach(results, i, r) {
		json_t *cy = json_object_get(r, "cycles");
		const char *apx = str(r, "apx", "off");
		json_t *ns = json_object_get(r, "ns");
		json_t *ci = json_object_get(cy, "median_ci");
		bool emu = json_is_true(json_object_get(r, "emulated"));
		char cpl[8];
		double half = NAN, tick = num(json_object_get(r, "tsc_tick"), "per_exit");
		int ci_kind;

		if (strcmp(str(r, "status", "?"), "ok")) {
			any_notok = true;
			continue;
		}
		/* run --strategies: a heading per (round, strategy). */
		snprintf(g, sizeof(g), "round %lld: %s",
			 (long long)json_integer_value(json_object_get(r, "round")),
			 str(r, "strategy", "?"));
		if (json_object_get(r, "round") && strcmp(g, group)) {
			fprintf(f, "%s\n", g);
			snprintf(group, sizeof(group), "%s", g);
		}
		half = ci_half_width(r, cy, ci, &ci_kind);
		kinds |= 1u << ci_kind;
		any_emulated |= emu;
		/*
		 * The empty loop at the emulated CPL, measured in this run:
		 * what emulation costs here, quoted instead of a constant.
		 */
		if (emu && num(r, "overhead_cpl") == 0 && isfinite(num(r, "overhead_cycles"))) {
			emu_lo = fmin(emu_lo, num(r, "overhead_cycles"));
			emu_hi = fmax(emu_hi, num(r, "overhead_cycles"));
		}
		below_tick |= tick > 0 && half < tick;
		snprintf(cpl, sizeof(cpl), "%.0f%s", num(r, "cpl"),
			 emu ? "e" : "");
		{
			/* 17 columns keep the row in 72: a longer name ends in "~" */
			const char *t = str(r, "test", "?"), *sfx = table_mode_suffix(apx);
			int room = 17 - (int)strlen(sfx);

			if ((int)strlen(t) > room && room > 1)
				snprintf(b[7], 32, "%.*s~%s", room - 1, t, sfx);
			else
				snprintf(b[7], 32, "%s%s", t, sfx);
		}
		fprintf(f, "%-17s%4s %7s %5s %7s %7s %6s %6s %6s\n",
			b[7], cpl,
			fmt(b[0], 32, ci_kind == CI_RUNS ? num(json_object_get(r, "between_runs"),
				"mean_of_medians") : num(cy, "median"), 7),
			tick > 0 && half < tick ? "<tick" : fmt(b[1], 32, half, 5),
			fmt(b[2], 32, num(cy, "p1"), 7),
			fmt(b[3], 32, num(cy, "p99"), 7),
			fmt(b[4], 32, num(r, "overhead_cycles"), 6),
			fmt(b[5], 32, num(r, "net_median_cycles"), 6),
			fmt(b[6], 32, num(ns, "median"), 6));
	}
	fprintf(f, "\nTSC cycles per exit.  loop: the empty timed loop at the same CPL and\n"
		"batch (nop); net = median - loop.  ns: median in ns.\n");
	if (kinds & (1u << CI_RUNS))
		fprintf(f, "median, +-ci: the mean of the run medians and the half width of\n"
			"its 95%% CI (Student t over the runs: the spread between runs, what\n"
			"compare decides on); net uses the median of all samples.\n");
	if (kinds & (1u << CI_ROUNDS))
		fprintf(f, "+-ci%s: the 95%% half width --precision reached (the larger of the\n"
			"pooled order-statistic and the between-rounds Student t CI).\n",
			kinds & (1u << CI_RUNS) ? " (one run)" : "");
	if (kinds & (1u << CI_SAMPLES))
		fprintf(f, "+-ci%s: half width of the bootstrap 95%% CI of the median: the\n"
			"sampling noise within one run only; run --repeat N to see more.\n",
			kinds & ~(1u << CI_SAMPLES) ? " (one run)" : "");
	if (below_tick)
		fprintf(f, "<tick: narrower than one TSC tick (%s cycles): not resolvable.\n",
			tick_str(doc, b[0], 32));
	if (any_emulated && isfinite(emu_lo) && emu_lo == emu_hi)
		fprintf(f, "cpl 0e: guest CPL0 is software-emulated on this host (PVM): the\n"
			"empty CPL0 loop (loop column) took %.0f cycles per iteration in\n"
			"this run, emulation cost that every 0e median includes.\n", emu_lo);
	else if (any_emulated && isfinite(emu_lo))
		fprintf(f, "cpl 0e: guest CPL0 is software-emulated on this host (PVM): the\n"
			"empty CPL0 loop (loop column) took %.0f-%.0f cycles per iteration\n"
			"in this run, emulation cost that every 0e median includes.\n",
			emu_lo, emu_hi);
	else if (any_emulated)
		fprintf(f, "cpl 0e: guest CPL0 is software-emulated on this host (PVM):\n"
			"emulation cost, not exit timing (no CPL0 loop measured here).\n");

	json_array_foreach(results, i, r) {
		json_t *ow = json_object_get(r, "oneway");
		char line[512];

		if (!ow)
			continue;
		if (json_object_get(ow, "unavailable"))
			snprintf(line, sizeof(line), "unavailable: %s",
				 str(ow, "unavailable", "?"));
		else
			snprintf(line, sizeof(line),
				 "exit %s, entry %s cycles (medians)",
				 fmt(b[0], 32, num(json_object_get(ow, "exit"), "median"), 12),
				 fmt(b[1], 32, num(json_object_get(ow, "entry"), "median"), 12));
		snprintf(b[7], 32, "one-way %s: ", str(r, "test", "?"));
		table_wrap(f, b[7], line, 4);
	}
	table_counts_print(f, doc);
	json_array_foreach(results, i, r) {
		char first[64];

		if (!json_is_string(json_object_get(r, "warning")))
			continue;
		snprintf(first, sizeof(first), "warning %s:", str(r, "test", "?"));
		table_wrap(f, first, str(r, "warning", ""), 4);
	}
	if (!any_notok)
		return;
	fputc('\n', f);
	json_array_foreach(results, i, r) {
		const char *status = str(r, "status", "?");
		char first[64];

		if (!strcmp(status, "ok"))
			continue;
		snprintf(first, sizeof(first), "%s %s%s:", status,
			 str(r, "test", "?"),
			 table_mode_suffix(str(r, "apx", "off")));
		table_wrap(f, first, str(r, "reason", "no reason given"), 4);
	}
}
