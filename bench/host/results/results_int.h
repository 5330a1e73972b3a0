// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inside the results loader: reading (results_read.c) and the per-field
 * rules (results_check.c).  Everything else goes through results_load().
 */
#ifndef EB_HOST_RESULTS_INT_H
#define EB_HOST_RESULTS_INT_H

#include <stddef.h>
#include <jansson.h>

/*
 * Read @path (plain or gzip) into a jansson tree, refusing before any
 * allocation a file beyond the EB_LOAD_MAX_* bounds (results.h), a raw
 * array longer or shorter than its cycles.n, bad gzip or bad JSON.
 * Messages name @path.
 */
int results_read(const char *path, json_t **out, char *err, size_t errlen);

/* Every rule of results/README.md "What the loader guarantees". */
int results_check(json_t *doc, const char *path, char *err, size_t errlen);

#endif /* EB_HOST_RESULTS_INT_H */
