// SPDX-License-Identifier: GPL-2.0-only
/* KVM flavor names, as results files and the CLI spell them. */
#include "hostinfo.h"

static const char *const flavor_names[] = {
	[EB_FLAVOR_VMX] = "vmx",
	[EB_FLAVOR_SVM] = "svm",
	[EB_FLAVOR_PVM] = "pvm",
	[EB_FLAVOR_UNKNOWN] = "unknown",
};

const char *eb_flavor_name(enum eb_flavor f)
{
	return f <= EB_FLAVOR_UNKNOWN ? flavor_names[f] : "unknown";
}
