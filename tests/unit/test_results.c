// SPDX-License-Identifier: GPL-2.0-only
/*
 * Results files: a written document loads back equal; truncated, foreign,
 * newer-schema and incomplete files are refused with the right error; a
 * failed write leaves no file behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#include "check.h"
#include "results.h"

static char dir[] = "/tmp/eb-test-results-XXXXXX";

static json_t *sample_doc(void)
{
	struct eb_host h;
	struct eb_stats s = {
		.n = 3, .min = 10, .p1 = 10.02, .p5 = 10.1, .p25 = 10.5,
		.median = 11, .p75 = 11.5, .p95 = 11.9, .p99 = 11.98,
		.max = 12, .mean = 11, .stddev = 1, .mad = 1,
		.median_ci_lo = 10, .median_ci_hi = 12,
	};
	static char a0[] = "exitbench", a1[] = "run";
	char *argv[] = { a0, a1, NULL };
	json_t *doc, *r;

	memset(&h, 0, sizeof(h));
	strcpy(h.hostname, "unit-host");
	strcpy(h.cpu_vendor, "GenuineIntel");
	strcpy(h.strategy, "unknown");
	h.flavor = EB_FLAVOR_VMX;
	h.flavor_source = "sysfs";
	h.tsc_khz = 2000000;
	h.tsc_khz_source = "KVM_GET_TSC_KHZ";
	doc = results_new(&h, 2, argv);
	results_set_vm_info(doc, &h);
	json_object_set_new(doc, "config", json_pack("{s:I}", "samples", 3));
	r = json_pack("{s:s, s:s, s:s, s:s, s:o, s:[i,i,i]}", "test", "cpuid",
		      "apx", "off", "xcr0", "host", "status", "ok",
		      "cycles", results_stats_json(&s), "raw", 10, 11, 12);
	json_object_set_new(doc, "results", json_pack("[o]", r));
	return doc;
}

static int load(const char *path, char *err, size_t len)
{
	json_t *doc = NULL;
	int r = results_load(path, &doc, err, len);

	CHECK((r == 0) == (doc != NULL));
	json_decref(doc);
	return r;
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fwrite(text, 1, len, f);
	fclose(f);
}

static int count_files(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *de;
	int n = 0;

	while (dh && (de = readdir(dh)))
		n += de->d_name[0] != '.';
	if (dh)
		closedir(dh);
	return n;
}

int main(void)
{
	char path[256], bad[256], err[512];
	json_t *doc, *back = NULL;
	char *text;
	size_t len;

	CHECK(mkdtemp(dir) != NULL);
	doc = sample_doc();

	/* Round trip. */
	snprintf(path, sizeof(path), "%s/sub/dir/r.json", dir);
	CHECK(results_write(doc, path, true, err, sizeof(err)) == 0 || !fprintf(stderr, "%s\n", err));
	CHECK(results_load(path, &back, err, sizeof(err)) == 0);
	CHECK(back && json_equal(doc, back));
	CHECK(back && !strcmp(json_string_value(json_object_get(back, "schema")),
			      "exitbench-result/1"));
	json_decref(back);
	snprintf(bad, sizeof(bad), "%s/sub/dir", dir);
	CHECK(count_files(bad) == 1);	/* no temporary left behind */

	/* Truncated: every proper prefix is refused as not JSON. */
	text = json_dumps(doc, JSON_INDENT(1));
	len = strlen(text);
	snprintf(bad, sizeof(bad), "%s/trunc.json", dir);
	for (size_t cut = 0; cut < len; cut += len / 7 + 1) {
		write_text(bad, text, cut);
		CHECK(load(bad, err, sizeof(err)) == -EINVAL);
		CHECK(strstr(err, "truncated") != NULL);
		CHECK(strchr(err, '\n') == NULL);
	}
	free(text);

	/* Foreign, newer, malformed. */
	snprintf(bad, sizeof(bad), "%s/other.json", dir);
	write_text(bad, "{\"schema\": \"perf-result/1\"}", 27);
	CHECK(load(bad, err, sizeof(err)) == -EPROTO);
	CHECK(strstr(err, "foreign schema") != NULL);
	write_text(bad, "[1, 2]", 6);
	CHECK(load(bad, err, sizeof(err)) == -EPROTO);
	write_text(bad, "{\"results\": []}", 15);
	CHECK(load(bad, err, sizeof(err)) == -EPROTO);
	CHECK(strstr(err, "no \"schema\"") != NULL);

	json_object_set_new(doc, "schema", json_string("exitbench-result/2"));
	CHECK(results_write(doc, bad, false, err, sizeof(err)) == 0);
	CHECK(load(bad, err, sizeof(err)) == -EPROTONOSUPPORT);
	CHECK(strstr(err, "newer") != NULL);

	json_object_set_new(doc, "schema", json_string("exitbench-result/1"));
	json_object_del(json_array_get(json_object_get(doc, "results"), 0),
			"cycles");
	CHECK(results_write(doc, bad, false, err, sizeof(err)) == 0);
	CHECK(load(bad, err, sizeof(err)) == -EPROTO);
	CHECK(strstr(err, "cycles") != NULL);

	json_object_del(doc, "kvm");
	CHECK(results_write(doc, bad, false, err, sizeof(err)) == 0);
	CHECK(load(bad, err, sizeof(err)) == -EPROTO);
	CHECK(strstr(err, "kvm: missing") != NULL);

	/* Missing file. */
	snprintf(bad, sizeof(bad), "%s/none.json", dir);
	CHECK(load(bad, err, sizeof(err)) == -ENOENT);

	/* A failed write (no such directory, no mkdirs) leaves nothing. */
	snprintf(bad, sizeof(bad), "%s/missing/r.json", dir);
	CHECK(results_write(doc, bad, false, err, sizeof(err)) < 0);
	CHECK(strstr(err, "cannot write") != NULL);
	snprintf(bad, sizeof(bad), "%s/missing", dir);
	CHECK(access(bad, F_OK) != 0);

	json_decref(doc);
	if (!check_failures) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	CHECK_DONE();
}
