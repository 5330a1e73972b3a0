#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# For every strategy variant: build its kernel with the APX stand-in and
# the apx_* counters (scripts/vmtest's default), boot it under QEMU TCG and
# run apx_counts inside, which checks that each counter moves per exit as
# kernel-patches/README.md's table says, with the stand-in APX on and off.
# The switchable kernel runs every other strategy in one boot.  TAP.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/kernel/standin_counts.sh APX_COUNTS_BINARY" >&2; exit 2; }
bin=$1
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "1..0 # SKIP qemu-system-x86_64 missing (Debian qemu-system-x86)"; exit 0; }
mapfile -t strategies < <("$top/scripts/kvariant" list)
n=0 fails=0
for s in "${strategies[@]}"; do
	n=$((n + 1))
	rc=0
	log=$("$top/scripts/vmtest" --timeout 1800 --out "$(mktemp -d)" \
		--exitbench "$bin" "$s" 2>&1) || rc=$?
	printf '%s\n' "$log" | grep -E '^(apx_counts|[a-z0-9-]+ +(on|off) )' | sed 's/^/# /' || true
	if [ $rc -eq 0 ]; then
		echo "ok $n - $s: apx_* counts per exit as the README's table says"
	else
		fails=$((fails + 1))
		echo "not ok $n - $s: $(printf '%s\n' "$log" | tail -n 1)"
	fi
done
echo "1..$n"
[ $fails -eq 0 ]
