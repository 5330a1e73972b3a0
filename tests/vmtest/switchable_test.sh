#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Long suite (issue 9's "done when"): boot the switchable kernel under QEMU
# TCG, run `exitbench run --strategies baseline,cond-swap,early-xcr0,
# dual-exit --rounds 8` inside, and check that `exitbench compare` reports
# every strategy against baseline from the interleaved rounds.  scripts/vmtest
# itself checks that every strategy ran, that each result names the
# strategy the kernel reported for its VM, and that the register check
# passed (a failing check fails the test and so the run).
#
# usage: switchable_test.sh REPO_TOP EXITBENCH
set -euo pipefail
top=$1 bench=$2
strategies=(baseline cond-swap early-xcr0 dual-exit)
dir=$(mktemp -d "${TMPDIR:-/tmp}/switchable-test.XXXXXX")
trap 'rm -rf "$dir"' EXIT

list=$(IFS=,; echo "${strategies[*]}")
"$top/scripts/vmtest" --timeout 5400 --exitbench "$bench" \
	--out "$dir/switch.json" switchable -- \
	--strategies "$list" --rounds 8 --samples 100 --check-egprs
"$bench" compare "$dir/switch.json" | tee "$dir/compare.txt"
"$bench" compare -f csv -o "$dir/compare.csv" "$dir/switch.json"

fail=0
for s in "${strategies[@]:1}"; do
	# One row per (test, apx) with a mean difference and its CI.
	n=$(awk -F, -v s="$s" '$6 == s && $7 == "compared" && $NF != "unresolved"' \
		"$dir/compare.csv" | wc -l)
	if [ "$n" -ge 5 ]; then
		echo "ok   $s vs baseline: $n tests compared with a CI"
	else
		echo "FAIL $s vs baseline: $n tests compared with a CI (want >= 5)"
		fail=1
	fi
done
grep -q 'within one boot, 8 rounds' "$dir/compare.txt" ||
	{ echo "FAIL compare does not say it paired 8 rounds within one boot"; fail=1; }
exit "$fail"
