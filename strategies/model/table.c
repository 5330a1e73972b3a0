// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost table and the checker's verdicts (markdown), and their places in
 * strategies/README.md between marker lines.  Regenerating rewrites only
 * those sections, atomically (temporary file + rename).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table.h"

static const char *const ek_names[NR_EXIT_KINDS] = {
	"fastpath re-entry", "full exit (userspace)", "XSETBV exit",
};

static void cell(FILE *f, const struct strategy *st, struct setting set, bool gapx,
		 enum exit_kind ek)
{
	struct cost c;
	int ret = cost_of(st, set, gapx, ek, &c);

	if (ret) {
		fprintf(f, " %s |", ret == -ENOENT ? "n/a" : "(model error)");
		return;
	}
	fprintf(f, " %u / %u / %u", c.xsetbv, c.egpr, c.branches);
	if (c.vmwrite)
		fprintf(f, " +%u VMWRITE", c.vmwrite);
	fprintf(f, " |");
}

int table_write(FILE *f)
{
	static const char *const vname[NR_VENDORS] = { "VMX", "SVM" };

	fprintf(f, "Counted by `strategies/model/table` from the same step lists the\n"
		"checker explores (`strategies/<name>/model.c`); each cell is\n"
		"**XSETBV / EGPR register moves / runtime branches** that the strategy's\n"
		"steps execute from one VM-exit to the next VM-entry (the run loop common\n"
		"to all strategies is not counted, so `baseline` shows upstream's XCR0\n"
		"switch alone).  Static branches (alternatives, build options) and the\n"
		"HOST_RIP jump cost nothing here.  The guest's XCR0 equals the host's\n"
		"except for APX.  XSETBV exit: the guest's XSETBV that switches XCR0.APX\n"
		"to the row's setting (hosts without APX, or strategies that do not\n"
		"expose APX: one that sets the other XCR0 bits to the host's).  n/a: the\n"
		"guest cannot have APX there.  These are counts of modelled instructions,\n"
		"not cycles: the harness measures the cycles.\n");
	for (int v = 0; v < NR_VENDORS; v++) {
		fprintf(f, "\n#### %s\n\n| strategy | host APX | guest XCR0.APX |", vname[v]);
		for (int ek = 0; ek < NR_EXIT_KINDS; ek++)
			fprintf(f, " %s |", ek_names[ek]);
		fprintf(f, "\n|---|---|---|---|---|---|\n");
		for (int i = 0; strategies[i]; i++) {
			for (int h = 0; h < 2; h++) {
				for (int g = 0; g < 2; g++) {
					struct setting set = { .vendor = v, .host_apx = h };

					if (g && !h)
						continue;
					fprintf(f, "| %s | %s | %s |", strategies[i]->name,
						h ? "yes" : "no", g ? "1" : "0");
					for (int ek = 0; ek < NR_EXIT_KINDS; ek++)
						cell(f, strategies[i], set, g, ek);
					fputc('\n', f);
				}
			}
		}
	}
	return ferror(f) ? -EIO : 0;
}

static void kinds(FILE *f, uint32_t mask)
{
	bool first = true;

	if (!mask) {
		fprintf(f, "pass");
		return;
	}
	fprintf(f, "fail: ");
	for (int k = 0; k < NR_VIO_KINDS; k++) {
		if (mask & (1u << k)) {
			fprintf(f, "%s`%s`", first ? "" : ", ", vio_name(1u << k));
			first = false;
		}
	}
}

/* What the checker finds, run now (it takes milliseconds). */
int verdicts_write(FILE *f)
{
	static const char *const lname[NR_LEVELS] = {
		"no host APX", "host APX", "host APX, `-mapxf` kernel",
	};

	fprintf(f, "| strategy |");
	for (int l = 0; l < NR_LEVELS; l++)
		fprintf(f, " %s |", lname[l]);
	fprintf(f, "\n|---|---|---|---|\n");
	for (int i = 0; strategies[i]; i++) {
		fprintf(f, "| `%s` |", strategies[i]->name);
		for (int l = 0; l < NR_LEVELS; l++) {
			uint32_t found[NR_VENDORS];

			for (int v = 0; v < NR_VENDORS; v++) {
				struct setting set = { .vendor = v, .host_apx = l != LVL_NOAPX,
						       .kernel_apx = l == LVL_MAPXF };
				struct explore_result r;
				struct machine m;
				int ret = machine_init(&m, strategies[i], set);

				if (!ret)
					ret = explore(&m, UINT32_MAX, &r);
				if (ret)
					return ret;
				found[v] = r.found_mask;
				explore_free(&r);
			}
			fputc(' ', f);
			if (found[VMX] == found[SVM]) {
				kinds(f, found[VMX]);
			} else {
				fprintf(f, "VMX ");
				kinds(f, found[VMX]);
				fprintf(f, "; SVM ");
				kinds(f, found[SVM]);
			}
			fprintf(f, " |");
		}
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

/* Replaces the text between begin and end markers in *doc. */
static int splice(char **doc, const char *bm, const char *em, int (*gen)(FILE *f))
{
	char *begin = strstr(*doc, bm), *end, *out = NULL;
	size_t olen = 0;
	FILE *mem;
	int ret;

	end = begin ? strstr(begin, em) : NULL;
	if (!begin || !end)
		return -ENOMSG;
	begin += strlen(bm);
	mem = open_memstream(&out, &olen);
	if (!mem)
		return -ENOMEM;
	fprintf(mem, "%.*s\n", (int)(begin - *doc), *doc);
	ret = gen(mem);
	fprintf(mem, "%s", end);
	if (fclose(mem) || ret) {
		free(out);
		return ret ? ret : -EIO;
	}
	free(*doc);
	*doc = out;
	return 0;
}

static int slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0, n = 0;
	char *b = NULL;

	if (!f)
		return -errno;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(b, cap = cap ? cap * 2 : 65536);

			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, 4096, f);

		n += r;
		if (r < 4096)
			break;
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* The README with its generated sections replaced by fresh text. */
static int render(const char *readme, char **out, size_t *outlen)
{
	char *doc;
	size_t len;
	int ret;

	ret = slurp(readme, &doc, &len);
	if (ret)
		return ret;
	ret = splice(&doc, TABLE_BEGIN, TABLE_END, table_write);
	if (!ret)
		ret = splice(&doc, VERDICT_BEGIN, VERDICT_END, verdicts_write);
	if (ret) {
		free(doc);
		return ret;
	}
	*out = doc;
	*outlen = strlen(doc);
	return 0;
}

int table_update(const char *readme, bool check_only, bool *differs)
{
	char *fresh, *old, *tmp;
	size_t flen, olen;
	FILE *f;
	int ret;

	ret = render(readme, &fresh, &flen);
	if (ret)
		return ret;
	ret = slurp(readme, &old, &olen);
	if (ret) {
		free(fresh);
		return ret;
	}
	*differs = olen != flen || memcmp(old, fresh, flen);
	free(old);
	if (check_only || !*differs) {
		free(fresh);
		return 0;
	}
	if (asprintf(&tmp, "%s.tmp.%d", readme, (int)getpid()) < 0) {
		free(fresh);
		return -ENOMEM;
	}
	f = fopen(tmp, "w");
	if (!f) {
		ret = -errno;
		goto out;
	}
	if (fwrite(fresh, 1, flen, f) != flen)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, readme))
		ret = -errno;
	if (ret)
		unlink(tmp);
out:
	free(tmp);
	free(fresh);
	return ret;
}
