// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run-time glue: option parsing, one-line errors that name the bad
 * option, and the "noise" JSON a run records (XML topology from argv[1],
 * empty sysroot so the host part is all "unknown").
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "noise.h"

int main(int argc, char **argv)
{
	struct eb_noise_opts o = { .topology_xml = argv[1], .sysroot = "/nonexistent" };
	struct eb_noise n;
	char err[256];
	double p;
	int cpu, ret;
	json_t *j;

	if (argc < 2)
		return 2;
	CHECK(eb_parse_cpu("auto", &cpu) == 0 && cpu == EB_CPU_AUTO, "--cpu auto");
	CHECK(eb_parse_cpu("12", &cpu) == 0 && cpu == 12, "--cpu 12");
	CHECK(eb_parse_cpu("1x", &cpu) == -EINVAL && eb_parse_cpu("-1", &cpu) == -EINVAL &&
	      eb_parse_cpu("", &cpu) == -EINVAL, "bad --cpu values refused");
	CHECK(eb_parse_precision("0.2%", &p) == 0 && p == 0.002, "0.2%% is 0.002");
	CHECK(eb_parse_precision("0.01", &p) == 0 && p == 0.01, "0.01 is 0.01");
	CHECK(eb_parse_precision("2", &p) == -EINVAL && eb_parse_precision("x%", &p) == -EINVAL &&
	      eb_parse_precision("-1%", &p) == -EINVAL, "bad --precision refused");

	o.cpu = "7";
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	CHECK(ret == -ENODEV && !strcmp(err, "--cpu 7: CPU 7 is offline (online CPUs: 0-6)"),
	      "offline CPU: %s", err);
	eb_noise_free(&n);
	o.cpu = "9";
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	CHECK(ret == -ENOENT && !strcmp(err, "--cpu 9: no such CPU (online CPUs: 0-6)"),
	      "non-existent CPU: %s", err);
	eb_noise_free(&n);
	o.cpu = "one";
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "--cpu 'one'"), "malformed --cpu: %s", err);
	eb_noise_free(&n);
	o.cpu = "3";
	o.events = "cycles,bogus_event";
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	CHECK(ret == -ENOENT && !strcmp(err, "--events: unknown event 'bogus_event' (libpfm4: event not found)"),
	      "unknown event: %s", err);
	eb_noise_free(&n);

	o.events = "cycles";
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	CHECK(ret == 0 && eb_noise_cpu(&n) == 3, "--cpu 3 placed (%d)", ret);
	eb_noise_finish(&n);
	j = eb_noise_json(&n);
	CHECK(j && json_integer_value(json_object_get(json_object_get(j, "placement"), "cpu")) == 3,
	      "JSON placement.cpu 3");
	CHECK(j && json_integer_value(json_object_get(json_object_get(j, "topology"), "numa_nodes")) == 2,
	      "JSON topology.numa_nodes 2");
	CHECK(j && !strcmp(json_string_value(json_object_get(json_object_get(json_object_get(j, "host"),
		"cpufreq"), "governor")), "unknown"), "JSON host.cpufreq.governor unknown");
	CHECK(j && !strcmp(json_string_value(json_object_get(json_object_get(j, "counters"),
		"events")), "cycles"), "JSON counters.events");
	json_decref(j);
	eb_noise_free(&n);

	/* No usable hwloc topology (a bare initramfs): pin by affinity mask. */
	o.topology_xml = "/nonexistent/topology.xml";
	o.events = NULL;
	o.cpu = "auto";
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	CHECK(ret == 0 && eb_noise_cpu(&n) >= 0 &&
	      strstr(json_string_value(json_array_get(n.warnings, 0)), "hwloc could not read"),
	      "without hwloc, auto still pins (CPU %d) and warns", eb_noise_cpu(&n));
	j = eb_noise_json(&n);
	CHECK(j && json_object_get(json_object_get(j, "topology"), "unavailable") &&
	      json_integer_value(json_object_get(json_object_get(j, "placement"), "cpu")) ==
	      eb_noise_cpu(&n), "JSON: topology unavailable, placement recorded");
	json_decref(j);
	eb_noise_free(&n);
	o.cpu = "100000";
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	CHECK(ret == -ENOENT && strstr(err, "--cpu 100000: not one of this process's CPUs"),
	      "without hwloc, a CPU outside the mask is refused: %s", err);
	eb_noise_free(&n);
	o.topology_xml = argv[1];

	o.cpu = NULL;
	ret = eb_noise_setup(&n, &o, err, sizeof(err));
	eb_noise_finish(&n);
	CHECK(ret == 0 && eb_noise_cpu(&n) == -1 &&
	      strstr(json_string_value(json_array_get(n.warnings, 0)), "not pinned"),
	      "unpinned run is warned about");
	/* --cpu auto is the default: only --cpu none leaves the vCPU unpinned. */
	j = eb_noise_json(&n);
	CHECK(j && !strcmp(json_string_value(json_object_get(
		json_object_get(j, "placement"), "unpinned")) ?: "", "--cpu none"),
	      "JSON: placement says the run was unpinned by --cpu none");
	json_decref(j);
	eb_noise_free(&n);
	return check_done();
}
