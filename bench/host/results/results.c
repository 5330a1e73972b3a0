// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing results files: the envelope (provenance) and the atomic write.
 * Per-test entries are built by measure.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eb_config.h"
#include "outfile.h"
#include "results.h"

/* UTC now, ISO 8601 (@compact: for file names, no separators). */
static void utc_now(char *buf, size_t len, bool compact)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (compact)
		strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *results_new(const struct eb_host *h, int argc, char **argv)
{
	json_t *doc, *cmdline, *params;
	char date[32];

	utc_now(date, sizeof(date), false);
	cmdline = json_array();
	for (int i = 0; i < argc; i++)
		json_array_append_new(cmdline, json_string(argv[i]));
	params = json_object();
	for (unsigned int i = 0; i < h->nparams; i++)
		json_object_set_new(params, h->params[i].name,
				    json_string(h->params[i].value));

	doc = json_pack("{s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:{s:s, s:{s:s, s:s, s:i, s:i, s:i, s:s}, s:{s:s, s:s}}, s:{s:s, s:s, s:s, s:o, s:s}}",
		"schema", EB_SCHEMA,
		"exitbench",
			"version", EB_VERSION,
			"commit", EB_GIT_COMMIT,
		"command_line", cmdline,
		"date", date,
		"status", "ok",
		"host",
			"hostname", h->hostname,
			"cpu",
				"vendor", h->cpu_vendor,
				"model_name", h->cpu_model_name,
				"family", (int)h->family,
				"model", (int)h->model,
				"stepping", (int)h->stepping,
				"microcode", h->microcode,
			"kernel",
				"release", h->kernel_release,
				"version", h->kernel_version,
		"kvm",
			"flavor", eb_flavor_name(h->flavor),
			"flavor_source", h->flavor_source,
			"module", h->kvm_module,
			"params", params,
			"strategy", h->strategy);
	json_object_set_new(json_object_get(doc, "kvm"), "emulated",
			    h->emulated ? json_string(h->emulated) : json_null());
	json_object_set_new(json_object_get(doc, "host"), "hypervisor",
			    json_string(h->hypervisor));
	return doc;
}

void results_set_vm_info(json_t *doc, const struct eb_host *h)
{
	json_t *host = json_object_get(doc, "host");
	json_t *kvm = json_object_get(doc, "kvm");
	char xcr0[32];

	if (h->tsc_khz)
		json_object_set_new(host, "tsc_khz", json_integer(h->tsc_khz));
	else
		json_object_set_new(host, "tsc_khz", json_null());
	json_object_set_new(host, "tsc_khz_source",
			    json_string(h->tsc_khz_source ?
					h->tsc_khz_source : "unavailable"));
	snprintf(xcr0, sizeof(xcr0), "%#llx", (unsigned long long)h->guest_xcr0);
	json_object_set_new(kvm, "guest", json_pack(
		"{s:b, s:b, s:b, s:b, s:s, s:b}",
		"irqchip", h->irqchip,
		"x2apic", h->guest_x2apic,
		"tsc_deadline", h->guest_tsc_deadline,
		"xsave", h->guest_xsave,
		"xcr0", xcr0,
		"tsc_offset_zeroed", h->tsc_offset_zeroed));
	json_object_set_new(json_object_get(kvm, "guest"), "cpuid_fixups",
			    json_string(h->cpuid_fixups));
	/* what the wr_spec_ctrl, wr_pred_cmd and *_ioeventfd tests need */
	json_object_set_new(json_object_get(kvm, "guest"), "spec_ctrl",
			    json_boolean(h->guest_spec_ctrl));
	json_object_set_new(json_object_get(kvm, "guest"), "pred_cmd",
			    json_boolean(h->guest_pred_cmd));
	json_object_set_new(json_object_get(kvm, "guest"), "ioeventfd",
			    json_boolean(h->ioeventfd));
}

json_t *results_stats_json(const struct eb_stats *s)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:[f, f], s:I, s:I}",
		"n", (json_int_t)s->n,
		"min", s->min, "p1", s->p1, "p5", s->p5, "p25", s->p25,
		"median", s->median, "p75", s->p75, "p95", s->p95,
		"p99", s->p99, "max", s->max, "mean", s->mean,
		"stddev", s->stddev, "mad", s->mad,
		"median_ci", s->median_ci_lo, s->median_ci_hi,
		"outliers_low", (json_int_t)s->outliers_low,
		"outliers_high", (json_int_t)s->outliers_high);
}

void results_default_path(char *buf, size_t len, const char *hostname)
{
	char ts[32];

	utc_now(ts, sizeof(ts), true);
	snprintf(buf, len, "results/local/%s-%s.json", ts, hostname);
}

int results_write(json_t *doc, const char *path, bool mkdirs,
		  char *err, size_t errlen)
{
	struct eb_outfile of;
	int r;

	if (mkdirs) {
		r = eb_outfile_check(path, true, err, errlen);
		if (r)
			return r;
	}
	r = eb_outfile_open(&of, path, err, errlen);
	if (r)
		return r;
	r = json_dumpf(doc, of.f, JSON_INDENT(1) | JSON_SORT_KEYS |
		       JSON_REAL_PRECISION(10)) || fputc('\n', of.f) == EOF ?
	    -EIO : 0;
	return eb_outfile_finish(&of, r, err, errlen);
}

int results_check_writable(const char *path, bool mkdirs, char *err,
			   size_t errlen)
{
	return eb_outfile_check(path, mkdirs, err, errlen);
}
