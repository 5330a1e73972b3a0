#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every strategy series (discovered from kernel-patches/v6.12/*/series)
# applies cleanly, in order, on top of prep to the pinned base, and every
# patch passes checkpatch.pl --no-tree without errors.  TAP output.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kv=$top/scripts/kvariant
. "$top/tests/kernel/lib.sh"
kt_need_base

mapfile -t strategies < <("$kv" list)
n=0 fails=0
for s in prep "${strategies[@]}"; do
	n=$((n + 1))
	if out=$("$kv" apply "$s" --dry-run 2>&1); then
		echo "ok $n - $s applies to the pinned base (${out##*: })"
	else
		fails=$((fails + 1))
		echo "not ok $n - $s does not apply"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
n=$((n + 1))
if out=$("$kv" check 2>&1); then
	echo "ok $n - ${out##*$'\n'}"
else
	fails=$((fails + 1))
	echo "not ok $n - checkpatch reports errors"
	printf '%s\n' "$out" | grep -v '^[^:]*: *$' | sed 's/^/# /'
fi
echo "1..$n"
[ $fails -eq 0 ]
