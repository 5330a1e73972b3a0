// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host conditions: read from a fake /sys + /proc tree (every condition
 * set to something worth a warning), from an empty tree (everything
 * "unknown", no failure: the initramfs case), and from this host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "check.h"
#include "hostcond.h"

static char root[256];

__attribute__((format(printf, 2, 3)))
static void put(const char *content, const char *fmt, ...)
{
	char rel[1024], path[PATH_MAX], cmd[PATH_MAX + 16];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	*strrchr(cmd, '/') = '\0';
	strcat(cmd, "'");
	if (system(cmd))
		abort();
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(content, f);
	fclose(f);
}

static const char *str(json_t *j, const char *a, const char *b)
{
	json_t *o = json_object_get(j, a);
	const char *s = json_string_value(b ? json_object_get(o, b) : o);

	return s ? s : "(missing)";
}

static bool has_warning(json_t *w, const char *needle)
{
	size_t i;
	json_t *s;

	json_array_foreach(w, i, s)
		if (strstr(json_string_value(s), needle))
			return true;
	return false;
}

static void fake_tree(void)
{
	const char *cpu = "/sys/devices/system/cpu";
	char link[PATH_MAX];
	json_t *hc, *w = json_array();
	int n;

	put("powersave\n", "%s/cpu3/cpufreq/scaling_governor", cpu);
	put("intel_pstate\n", "%s/cpu3/cpufreq/scaling_driver", cpu);
	put("0\n", "%s/intel_pstate/no_turbo", cpu);
	put("2-3\n", "%s/isolated", cpu);
	put("\n", "%s/nohz_full", cpu);
	put("on\n", "%s/smt/control", cpu);
	put("1\n", "%s/smt/active", cpu);
	put("Mitigation: Retpolines\n", "%s/vulnerabilities/spectre_v2", cpu);
	put("Not affected\n", "%s/vulnerabilities/meltdown", cpu);
	put("quiet mitigations=off -- mitigations=ignored\n", "/proc/cmdline");
	put("1.50 0.80 0.30 2/100 123\n", "/proc/loadavg");
	put("qemu-system-x86\n", "/proc/4242/comm");
	put("kvm-pit/4242\n", "/proc/4243/comm");
	put("bash\n", "/proc/4244/comm");
	snprintf(link, sizeof(link), "%s/proc/4242/fd", root);
	mkdir(link, 0755);
	strcat(link, "/7");
	CHECK(symlink("/dev/kvm", link) == 0, "fake VM holds /dev/kvm");
	snprintf(link, sizeof(link), "%s/proc/4244/fd", root);
	mkdir(link, 0755);
	strcat(link, "/0");
	symlink("/dev/null", link);

	hc = eb_hostcond_collect(root, 3);
	CHECK(hc != NULL, "collect from fake tree");
	if (!hc)
		return;
	CHECK(!strcmp(str(hc, "cpufreq", "governor"), "powersave"), "governor read");
	CHECK(!strcmp(str(hc, "cpufreq", "boost"), "on"), "no_turbo=0 means boost on");
	CHECK(json_is_true(json_object_get(json_object_get(hc, "isolation"), "cpu_isolated")),
	      "CPU 3 is in isolated 2-3");
	CHECK(!strcmp(str(hc, "smt", "control"), "on"), "SMT control read");
	CHECK(!strcmp(str(json_object_get(hc, "mitigations"), "vulnerabilities", "spectre_v2"),
		      "Mitigation: Retpolines"), "mitigation strings read");
	CHECK(!strcmp(str(hc, "mitigations", "cmdline"), "off"),
	      "mitigations= from the kernel's part of the cmdline");
	CHECK(json_array_size(json_object_get(json_object_get(hc, "other_vms"), "processes")) == 1 &&
	      json_integer_value(json_object_get(json_object_get(hc, "other_vms"),
						 "kvm_kernel_threads")) == 1,
	      "one other VM process and one kvm-pit thread found");
	put("3.00 1.00 0.50 2/100 123\n", "/proc/loadavg");
	eb_hostcond_after(hc, root);
	n = eb_hostcond_warn(hc, w);
	CHECK(n == 5 && (int)json_array_size(w) == n, "5 warnings (got %d)", n);
	CHECK(has_warning(w, "'powersave'") && has_warning(w, "turbo") &&
	      has_warning(w, "hold /dev/kvm") && has_warning(w, "was 1.50") &&
	      has_warning(w, "rose from 1.50 to 3.00"),
	      "warnings name governor, turbo, other VMs, load before, load rise");
	json_decref(hc);

	/* CPU 1 is not isolated: one more warning, no governor file for it. */
	json_array_clear(w);
	hc = eb_hostcond_collect(root, 1);
	n = eb_hostcond_warn(hc, w);
	CHECK(has_warning(w, "CPU 1 is in neither isolcpus") &&
	      !strcmp(str(hc, "cpufreq", "governor"), "unknown") && !has_warning(w, "governor"),
	      "non-isolated CPU warned, its unknown governor is not (%d warnings)", n);
	json_decref(hc);
	json_decref(w);
}

static void empty_tree(void)
{
	char empty[PATH_MAX];
	json_t *hc, *w = json_array();

	snprintf(empty, sizeof(empty), "%s/empty", root);
	mkdir(empty, 0755);
	hc = eb_hostcond_collect(empty, 0);
	CHECK(hc != NULL, "collect from an empty tree succeeds");
	if (!hc)
		return;
	CHECK(!strcmp(str(hc, "cpufreq", "governor"), "unknown") &&
	      !strcmp(str(hc, "cpufreq", "boost"), "unknown") &&
	      !strcmp(str(hc, "smt", "control"), "unknown") &&
	      !strcmp(str(hc, "mitigations", "vulnerabilities"), "unknown") &&
	      !strcmp(str(hc, "other_vms", NULL), "unknown") &&
	      !strcmp(str(hc, "loadavg_before", NULL), "unknown"),
	      "every missing file is 'unknown'");
	CHECK(eb_hostcond_warn(hc, w) == 0, "unknown conditions give no warning");
	json_decref(hc);
	json_decref(w);
}

static void this_host(void)
{
	json_t *hc = eb_hostcond_collect(NULL, 0), *w = json_array();
	char *s;

	CHECK(hc && json_is_array(json_object_get(hc, "loadavg_before")),
	      "this host: load average read");
	CHECK(hc && json_is_object(json_object_get(json_object_get(hc, "mitigations"),
						   "vulnerabilities")),
	      "this host: vulnerabilities read");
	eb_hostcond_warn(hc, w);
	s = json_dumps(w, 0);
	printf("# this host's warnings: %s\n", s);
	free(s);
	json_decref(hc);
	json_decref(w);
}

int main(void)
{
	snprintf(root, sizeof(root), "%s/eb-hostcond-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		CHECK_SKIP_ALL("cannot create a temporary directory");

	CHECK(eb_cpulist_has("0-3,8", 2) == 1 && eb_cpulist_has("0-3,8", 8) == 1 &&
	      eb_cpulist_has("0-3,8", 5) == 0 && eb_cpulist_has("", 0) == 0 &&
	      eb_cpulist_has("x", 1) == -EINVAL && eb_cpulist_has("2:1", 1) == -EINVAL,
	      "cpulist membership");
	fake_tree();
	empty_tree();
	this_host();

	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			printf("# could not remove %s\n", root);
	}
	return check_done();
}
