# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-only
# Shared by the kernel tests.  Sourced, not executed; the caller sets $top.

# kt_need_base: make sure the pinned base is extracted (kvariant base), or
# skip the whole TAP test with the reason when it cannot be.
kt_need_base() {
	local out
	# shellcheck disable=SC2154 # set by the caller
	if ! out=$("$top/scripts/kvariant" base 2>&1); then
		echo "1..0 # SKIP no kernel base: ${out##*error: }"
		exit 0
	fi
	# shellcheck disable=SC2034 # used by the callers
	kt_base=${out##*$'\n'}
}
