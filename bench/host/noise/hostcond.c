// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host condition checks; see hostcond.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostcond.h"

#define SYSCPU "/sys/devices/system/cpu"

__attribute__((format(printf, 4, 5)))
static int read_line(const char *root, char *buf, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX];
	va_list ap;
	FILE *f;
	char *nl;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

/* A file's first line as a JSON string, or "unknown" when it is missing. */
__attribute__((format(printf, 2, 3)))
static json_t *file_json(const char *root, const char *fmt, ...)
{
	char rel[PATH_MAX], buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (read_line(root, buf, sizeof(buf), "%s", rel))
		return json_string("unknown");
	return json_string(buf);
}

int eb_cpulist_has(const char *list, int cpu)
{
	const char *s = list;

	while (*s) {
		char *end;
		long lo, hi;

		while (isspace((unsigned char)*s) || *s == ',')
			s++;
		if (!*s)
			break;
		lo = strtol(s, &end, 10);
		if (end == s)
			return -EINVAL;
		hi = lo;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1)
				return -EINVAL;
			s = end;
		}
		/* "0-7:2/4" style strides are rare in sysfs; reject, don't guess. */
		if (*s && *s != ',' && !isspace((unsigned char)*s))
			return -EINVAL;
		if (cpu >= lo && cpu <= hi)
			return 1;
	}
	return 0;
}

/* Membership of @cpu in a sysfs cpulist file: true, false or "unknown". */
static json_t *in_list_json(const char *root, const char *file, int cpu,
			    json_t **list)
{
	char buf[1024];
	int r;

	if (read_line(root, buf, sizeof(buf), SYSCPU "/%s", file)) {
		*list = json_string("unknown");
		return json_string("unknown");
	}
	*list = json_string(buf);
	r = eb_cpulist_has(buf, cpu);
	return r < 0 ? json_string("unknown") : json_boolean(r);
}

static json_t *cpufreq_json(const char *root, int cpu)
{
	char buf[64];
	json_t *boost;

	/* intel_pstate says it backwards: no_turbo=1 means boost off. */
	if (!read_line(root, buf, sizeof(buf), SYSCPU "/intel_pstate/no_turbo"))
		boost = json_string(atoi(buf) ? "off" : "on");
	else if (!read_line(root, buf, sizeof(buf), SYSCPU "/cpu%d/cpufreq/boost", cpu) ||
		 !read_line(root, buf, sizeof(buf), SYSCPU "/cpufreq/boost"))
		boost = json_string(atoi(buf) ? "on" : "off");
	else
		boost = json_string("unknown");
	return json_pack("{s:o, s:o, s:o}",
			 "driver", file_json(root, SYSCPU "/cpu%d/cpufreq/scaling_driver", cpu),
			 "governor", file_json(root, SYSCPU "/cpu%d/cpufreq/scaling_governor", cpu),
			 "boost", boost);
}

static json_t *mitigations_json(const char *root)
{
	char path[PATH_MAX], buf[512];
	struct dirent *de;
	json_t *m;
	DIR *d;

	snprintf(path, sizeof(path), "%s" SYSCPU "/vulnerabilities", root);
	d = opendir(path);
	if (!d)
		return json_string("unknown");
	m = json_object();
	while (m && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (read_line(root, buf, sizeof(buf), SYSCPU "/vulnerabilities/%s",
			      de->d_name) == 0)
			json_object_set_new(m, de->d_name, json_string(buf));
	}
	closedir(d);
	return m;
}

/* The value of @param= on the kernel command line, or "" / "unknown". */
static json_t *cmdline_param_json(const char *root, const char *param)
{
	char buf[4096], *p = buf, *tok;
	size_t plen = strlen(param);

	if (read_line(root, buf, sizeof(buf), "/proc/cmdline"))
		return json_string("unknown");
	while ((tok = strsep(&p, " "))) {
		if (!strncmp(tok, param, plen) && tok[plen] == '=')
			return json_string(tok + plen + 1);
		if (!strcmp(tok, "--"))	/* the rest is for init */
			break;
	}
	return json_string("");
}

static json_t *loadavg_json(const char *root)
{
	double l1, l5, l15;
	char buf[128];

	if (read_line(root, buf, sizeof(buf), "/proc/loadavg") ||
	    sscanf(buf, "%lf %lf %lf", &l1, &l5, &l15) != 3)
		return json_string("unknown");
	return json_pack("[f, f, f]", l1, l5, l15);
}

static bool is_pid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Does process @pid hold /dev/kvm open?  1, 0, or -errno (unreadable). */
static int holds_kvm(const char *root, const char *pid)
{
	char path[PATH_MAX], link[PATH_MAX + 256], target[64];
	struct dirent *de;
	int found = 0;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc/%s/fd", root, pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found = !strcmp(target, "/dev/kvm");
		}
	}
	closedir(d);
	return found;
}

/*
 * Other VMs: processes other than us holding /dev/kvm, and KVM's per-VM
 * kernel threads (kvm-pit/<pid>, kvm-nx-lpage-recovery) as a cross-check
 * that works even when other processes' fds cannot be read.
 */
static json_t *other_vms_json(const char *root)
{
	char path[PATH_MAX], comm[64], self[32];
	json_t *pids = json_array();
	int kthreads = 0, unreadable = 0, r;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/proc", root);
	d = opendir(path);
	if (!d || !pids) {
		if (d)
			closedir(d);
		json_decref(pids);
		return json_string("unknown");
	}
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((de = readdir(d))) {
		if (!is_pid(de->d_name) || !strcmp(de->d_name, self))
			continue;
		if (read_line(root, comm, sizeof(comm), "/proc/%s/comm", de->d_name))
			continue;	/* exited meanwhile */
		if (!strncmp(comm, "kvm-nx-lpage-re", 15) ||
		    (!strncmp(comm, "kvm-pit/", 8) && strcmp(comm + 8, self))) {
			kthreads++;
			continue;
		}
		r = holds_kvm(root, de->d_name);
		if (r > 0)
			json_array_append_new(pids, json_pack("{s:i, s:s}", "pid",
							      atoi(de->d_name), "comm", comm));
		else if (r == -EACCES || r == -EPERM)
			unreadable++;
	}
	closedir(d);
	return json_pack("{s:o, s:i, s:i}", "processes", pids,
			 "kvm_kernel_threads", kthreads,
			 "unreadable_processes", unreadable);
}

json_t *eb_hostcond_collect(const char *root, int cpu)
{
	json_t *iso_list = NULL, *nohz_list = NULL, *iso, *nohz;

	if (!root)
		root = "";
	iso = in_list_json(root, "isolated", cpu, &iso_list);
	nohz = in_list_json(root, "nohz_full", cpu, &nohz_list);
	return json_pack("{s:i, s:o, s:{s:o, s:o, s:o, s:o}, s:{s:o, s:o}, s:o, s:{s:o, s:o}, s:o}",
			 "cpu", cpu,
			 "cpufreq", cpufreq_json(root, cpu),
			 "isolation", "isolated", iso_list, "nohz_full", nohz_list,
			 "cpu_isolated", iso, "cpu_nohz_full", nohz,
			 "smt",
			 "control", file_json(root, SYSCPU "/smt/control"),
			 "active", file_json(root, SYSCPU "/smt/active"),
			 "other_vms", other_vms_json(root),
			 "mitigations",
			 "cmdline", cmdline_param_json(root, "mitigations"),
			 "vulnerabilities", mitigations_json(root),
			 "loadavg_before", loadavg_json(root));
}

void eb_hostcond_after(json_t *hc, const char *root)
{
	json_object_set_new(hc, "loadavg_after", loadavg_json(root ? root : ""));
}

__attribute__((format(printf, 2, 3)))
static int warn(json_t *warnings, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_array_append_new(warnings, json_string(buf)) == 0;
}

static const char *str_at(const json_t *hc, const char *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(json_object_get(hc, obj), key));

	return s ? s : "unknown";
}

static double load1(const json_t *hc, const char *key)
{
	json_t *l = json_object_get(hc, key);

	return json_is_array(l) ? json_real_value(json_array_get(l, 0)) : -1;
}

int eb_hostcond_warn(const json_t *hc, json_t *warnings)
{
	int cpu = json_integer_value(json_object_get(hc, "cpu")), n = 0;
	const char *gov = str_at(hc, "cpufreq", "governor");
	json_t *iso = json_object_get(hc, "isolation");
	json_t *vms = json_object_get(hc, "other_vms");
	double before = load1(hc, "loadavg_before"), after = load1(hc, "loadavg_after");

	if (strcmp(gov, "unknown") && strcmp(gov, "performance"))
		n += warn(warnings, "CPU %d runs the '%s' cpufreq governor, not 'performance': the core clock moves against the TSC",
			  cpu, gov);
	if (!strcmp(str_at(hc, "cpufreq", "boost"), "on"))
		n += warn(warnings, "turbo/boost is on: the core clock depends on temperature and on the other cores' load");
	/* A kernel without NO_HZ_FULL has no nohz_full file: not nohz_full. */
	if (json_is_false(json_object_get(iso, "cpu_isolated")) &&
	    !json_is_true(json_object_get(iso, "cpu_nohz_full")))
		n += warn(warnings, "CPU %d is in neither isolcpus= nor nohz_full=: the tick and other tasks can land in timed regions",
			  cpu);
	if (json_is_object(vms)) {
		size_t nvm = json_array_size(json_object_get(vms, "processes"));
		json_int_t kt = json_integer_value(json_object_get(vms, "kvm_kernel_threads"));

		if (nvm)
			n += warn(warnings, "%zu other process(es) hold /dev/kvm: other VMs compete for CPUs and caches",
				  nvm);
		else if (kt)
			n += warn(warnings, "%lld KVM per-VM kernel thread(s) of other VMs are running",
				  (long long)kt);
	}
	if (before >= 0.5)
		n += warn(warnings, "load average was %.2f before the run: other work is runnable", before);
	/* Our own vCPU thread adds up to 1.0; only more than that is news. */
	if (after >= 0 && before >= 0 && after - before > 1.25)
		n += warn(warnings, "load average rose from %.2f to %.2f during the run, more than exitbench's own vCPU thread explains",
			  before, after);
	return n;
}
