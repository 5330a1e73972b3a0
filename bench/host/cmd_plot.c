// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench plot FILES... --out DIR: per-test latency distributions and,
 * with two or more files, an overview of median deltas against the first.
 * gnuplot renders the generated scripts; scripts and data stay in DIR.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_analysis.h"
#include "ctable.h"
#include "plot.h"

/* The gnuplot to run: $EXITBENCH_GNUPLOT, else "gnuplot" found in $PATH. */
static const char *find_gnuplot(char *buf, size_t len)
{
	const char *env = getenv("EXITBENCH_GNUPLOT"), *path = getenv("PATH");
	char *copy, *dir, *save = NULL;

	if (env && *env)
		return access(env, X_OK) ? NULL : env;
	copy = strdup(path ? path : "/usr/bin:/bin");
	for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/gnuplot", *dir ? dir : ".");
		if (!access(buf, X_OK)) {
			free(copy);
			return buf;
		}
	}
	free(copy);
	return NULL;
}

/* Run `gnuplot STEM.gp` inside DIR so the script's relative names work. */
static int render(const char *gnuplot, const char *dir, const char *stem)
{
	char script[1024], out[4096];
	const char *ext[] = { "png", "svg" };
	struct stat st;
	int status, i;
	pid_t pid;

	snprintf(script, sizeof(script), "%s.gp", stem);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (chdir(dir))
			_exit(126);
		execl(gnuplot, gnuplot, script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EIO;
	for (i = 0; i < 2; i++) {
		snprintf(out, sizeof(out), "%s/%s.%s", dir, stem, ext[i]);
		if (stat(out, &st) || st.st_size == 0)
			return -ENOENT;
	}
	return 0;
}

static void plot_usage(FILE *f)
{
	fprintf(f,
		"usage: exitbench plot [options] --out DIR FILE.json [FILE2.json...]\n"
		"\n"
		"Draw with gnuplot, per test, the distribution (ECDF) of cycles per exit\n"
		"of every file x apx/xcr0 mode with the median and its 95%% CI, and with\n"
		"two or more files an overview of median deltas against the first file\n"
		"with CI whiskers.  Writes <test>.{gp,dat,png,svg} and overview.* in DIR;\n"
		"re-render after editing with `gnuplot <test>.gp` inside DIR.\n"
		"\n"
		"  -o, --out DIR        output directory (created if missing)\n"
		"  -t, --threshold T    threshold lines of the overview (default " EB_DEFAULT_THRESHOLD_STR ")\n"
		"      --no-render      write .gp and .dat only (no gnuplot needed)\n"
		"      --force          accept results from different hosts/CPUs/TSC\n"
		"      --standin-as-apx match APX stand-in rows with APX rows\n"
		"  -h, --help           this help\n"
		"\n"
		"gnuplot comes from $EXITBENCH_GNUPLOT or $PATH (Debian: gnuplot-nox).\n"
		"\n"
		"Exit status: 0 drawn, 1 gnuplot missing or failed, or an output\n"
		"not written, 2 bad usage or a file refused.\n");
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "threshold", required_argument, NULL, 't' },
		{ "no-render", no_argument, NULL, 'N' },
		{ "force", no_argument, NULL, 'F' },
		{ "standin-as-apx", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct eb_threshold thr = EB_DEFAULT_THRESHOLD;
	const struct eb_rview **cands = NULL;
	struct eb_plot_list list = { 0 };
	const char *dir = NULL, *gnuplot = NULL;
	char gpbuf[4096], err[512];
	bool force = false, norender = false, have_table = false;
	struct eb_rview *rv = NULL;
	struct eb_ctable t;
	size_t n = 0, i, *groups = NULL;
	int c, ret, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+:o:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'N': norender = true; break;
		case 'F': force = true; break;
		case 'S': eb_analysis_standin_as_apx(); break;
		case 't':
			if (eb_threshold_parse(optarg, &thr)) {
				eb_analysis_error("plot", "bad --threshold '%s' (want e.g. 1%% or 12 cycles)",
						  optarg);
				return 2;
			}
			break;
		case 'h':
			plot_usage(stdout);
			return 0;
		default:
			return eb_usage_error("plot", argv, c);
		}
	}
	if (!dir || optind >= argc) {
		eb_analysis_error("plot", "need --out DIR and at least one results file (try --help)");
		return 2;
	}
	if (!norender) {
		gnuplot = find_gnuplot(gpbuf, sizeof(gpbuf));
		if (!gnuplot) {
			eb_analysis_error("plot", "gnuplot not found%s (Debian: apt-get install gnuplot-nox; "
					  "or --no-render)", getenv("EXITBENCH_GNUPLOT") ?
					  " at $EXITBENCH_GNUPLOT" : " in $PATH");
			return 1;
		}
	}
	n = (size_t)(argc - optind);
	rv = calloc(n, sizeof(*rv));
	cands = calloc(n, sizeof(*cands));
	if (!rv || !cands) {
		eb_analysis_error("plot", "out of memory");
		goto err_free;
	}
	if (eb_analysis_load("plot", argv + optind, n, rv, force)) {
		rc = 2;		/* bad input, as compare and gate */
		goto err_free_views;
	}
	if (mkdir(dir, 0777) && errno != EEXIST) {
		eb_analysis_error("plot", "cannot create %s: %s", dir, strerror(errno));
		goto err_views;
	}
	/*
	 * The table gives unique labels, and the overview's numbers: the
	 * same table (run-level, Welch) as compare's, so bars and whiskers
	 * are compare's delta and CI.  Each file is a side of its own.
	 */
	groups = calloc(n + 1, sizeof(*groups));
	for (i = 0; groups && i < n; i++)
		groups[i] = i;
	if (n == 1)
		ret = eb_ctable_build(&t, &rv[0], cands, 0, &thr);
	else
		ret = groups ? eb_ctable_build_runs(&t, rv, n, groups, &thr) : -ENOMEM;
	have_table = true;
	if (ret) {
		eb_analysis_error("plot", "%s", strerror(-ret));
		goto err_views;
	}
	ret = eb_plot_tests(dir, rv, n, t.labels, &list, err, sizeof(err));
	if (ret) {
		eb_analysis_error("plot", "%s", ret == -ENOMEM ? "out of memory" : err);
		goto err_views;
	}
	if (!list.n) {
		eb_analysis_error("plot", "no test has measurements in %s", n == 1 ?
				  argv[optind] : "any of the files");
		goto err_views;
	}
	if (n > 1) {
		ret = eb_plot_overview(dir, &t, err, sizeof(err));
		if (ret) {
			eb_analysis_error("plot", "%s", err);
			goto err_views;
		}
	}
	for (i = 0; !norender && i <= list.n; i++) {
		const char *stem = i < list.n ? list.stems[i] : "overview";

		if (i == list.n && n == 1)
			break;
		ret = render(gnuplot, dir, stem);
		if (ret) {
			eb_analysis_error("plot", "%s failed on %s/%s.gp%s", gnuplot, dir, stem,
					  ret == -ENOENT ? " (no PNG/SVG written)" : "");
			goto err_views;
		}
	}
	printf("exitbench plot: %zu test figure(s)%s in %s/ (%s)\n", list.n,
	       n > 1 ? " and overview" : "", dir,
	       norender ? ".gp and .dat; render with gnuplot" : ".png, .svg, .gp, .dat");
	rc = 0;
err_views:
	eb_plot_list_free(&list);
	if (have_table)
		eb_ctable_free(&t);
	for (i = 0; i < n; i++)
		eb_rview_free(&rv[i]);
	goto err_free;
err_free_views:
err_free:
	free(groups);
	free(rv);
	free(cands);
	return rc;
}
