// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench run --strategies: select each strategy through the switchable
 * kernel's writable kvm.apx_strategy, create a fresh VM per (round,
 * strategy) in ABBA order, and tag every result.  See switch.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "switch.h"

const char *switch_param_path(void)
{
	const char *p = getenv(EB_APX_STRATEGY_PARAM_ENV);

	return p && *p ? p : EB_APX_STRATEGY_PARAM;
}

int switch_read(const char *path, char *val, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -errno;
	if (!fgets(val, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	n = strcspn(val, "\n");
	val[n] = '\0';
	return 0;
}

int switch_write(const char *path, const char *name)
{
	size_t n = strlen(name);
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, name, n);
	if (w < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (close(fd))
		return -errno;
	return (size_t)w == n ? 0 : -EIO;
}

int switch_probe(const char *path, char *val, size_t len, char *err,
		 size_t errlen)
{
	struct stat sb;

	val[0] = '\0';
	if (stat(path, &sb)) {
		snprintf(err, errlen,
			 "--strategies needs a switchable kernel: %s is absent (%s; kvm not loaded, or a kernel without the APX series)",
			 path, strerror(errno));
		return -ENOENT;
	}
	if (switch_read(path, val, len))
		snprintf(val, len, "unreadable");
	if (!(sb.st_mode & 0222) || access(path, W_OK)) {
		snprintf(err, errlen,
			 "--strategies needs a switchable kernel: %s is read-only (value '%s'): this kernel implements one strategy",
			 path, val);
		return -EACCES;
	}
	return 0;
}

/* Select @name and check it stuck; the reported name goes to @got. */
static int select_strategy(const char *path, const char *name, char *got,
			   size_t len, char *err, size_t errlen)
{
	int r = switch_write(path, name);

	if (r) {
		snprintf(err, errlen, "cannot select strategy '%s' in %s: %s%s",
			 name, path, strerror(-r),
			 r == -EINVAL ? " (the kernel does not carry it)" : "");
		return r;
	}
	r = switch_read(path, got, len);
	if (r) {
		snprintf(err, errlen, "cannot read back %s: %s", path,
			 strerror(-r));
		return r;
	}
	return 0;
}

static void tag_result(json_t *e, const char *reported, const char *req,
		       unsigned int round, unsigned int pos)
{
	json_object_set_new(e, "strategy", json_string(reported));
	json_object_set_new(e, "strategy_requested", json_string(req));
	json_object_set_new(e, "round", json_integer(round));
	json_object_set_new(e, "position", json_integer(pos));
}

json_t *switch_run_rounds(struct eb_run_state *st, const char *path,
			  const char *orig, json_t *results, char *err,
			  size_t errlen)
{
	const struct eb_run_config *cfg = st->cfg;
	unsigned int ns = cfg->nstrategies, *order;
	json_t *info, *sched, *names;
	char got[128], before[128];
	bool modes[2];
	unsigned int nmodes = apx_run_modes(&st->apx, modes);
	int r;

	order = calloc((size_t)ns * cfg->rounds, sizeof(*order));
	if (!order) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (eb_rounds_schedule(ns, cfg->rounds, order)) {
		free(order);
		snprintf(err, errlen, "bad --strategies/--rounds");
		return NULL;
	}
	names = json_array();
	for (unsigned int i = 0; i < ns; i++)
		json_array_append_new(names, json_string(cfg->strategies[i]));
	sched = json_array();
	info = json_pack("{s:s, s:o, s:I, s:s, s:o, s:s}",
			 "param", path, "strategies", names,
			 "rounds", (json_int_t)cfg->rounds,
			 "order", "abba", "schedule", sched,
			 "original", orig);

	for (unsigned int round = 0; round < cfg->rounds; round++) {
		for (unsigned int k = 0; k < ns; k++) {
			const char *req = cfg->strategies[order[round * ns + k]];

			if (st->vm_live) {
				vm_destroy(&st->vm);
				st->vm_live = false;
			}
			r = select_strategy(path, req, before, sizeof(before),
					    err, errlen);
			if (r)
				goto err;
			r = run_ensure_vm(st);
			if (r) {
				snprintf(err, errlen, "%s", st->vm.err);
				goto err;
			}
			/*
			 * The VM took the strategy selected when it was
			 * created: read the parameter again to catch anyone
			 * else switching it in between.
			 */
			r = switch_read(path, got, sizeof(got));
			if (r) {
				snprintf(err, errlen, "cannot read back %s: %s",
					 path, strerror(-r));
				goto err;
			}
			if (strcmp(got, before) || strcmp(got, req)) {
				snprintf(err, errlen,
					 "asked %s for '%s', it reported '%s' before and '%s' after KVM_CREATE_VM",
					 path, req, before, got);
				goto err;
			}
			json_array_append_new(sched, json_pack("{s:I, s:I, s:s}",
				"round", (json_int_t)round, "position", (json_int_t)k,
				"strategy", got));
			for (unsigned int m = 0; m < nmodes * cfg->nxcr0; m++) {
				st->apx_on = modes[m / cfg->nxcr0];
				st->apx.xcr0_mode = cfg->xcr0_modes[m % cfg->nxcr0];
				for (unsigned int i = 0; i < cfg->ntests; i++) {
					json_t *e = repeat_single(st,
						run_test(st, cfg->tests[i]),
						round * ns + k);

					if (!e) {
						snprintf(err, errlen, "out of memory");
						goto err;
					}
					tag_result(e, got, req, round, k);
					json_array_append_new(results, e);
				}
			}
		}
	}
	free(order);
	r = switch_write(path, orig);
	json_object_set_new(info, "restored", json_boolean(!r));
	return info;
err:
	free(order);
	json_decref(info);
	switch_write(path, orig);
	return NULL;
}
