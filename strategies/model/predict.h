// SPDX-License-Identifier: GPL-2.0-only
/* eb-model predict: per-exit counts as the kernel's apx_* statistics count. */
#ifndef EB_MODEL_PREDICT_H
#define EB_MODEL_PREDICT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

/* Every row (or @only's, @vendor's: -1 all); text or JSON.  0 or -errno. */
int predict_write(FILE *f, bool json, const struct strategy *only, int vendor);

#endif
