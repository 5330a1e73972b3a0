#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/vmtest's failure paths, for real: each must end with exit status 1
# (2 for bad usage) and exactly one "vmtest: error:" line naming the cause.
#   - a CPU model without SVM: kvm-amd refuses to load in the VM
#   - a boot timeout shorter than any boot
#   - bad command lines (no VM started)
#
# usage: failures_test.sh REPO_TOP BINARY
set -euo pipefail

top=$1 bin=$2
command -v qemu-system-x86_64 > /dev/null ||
	{ echo "SKIP: qemu-system-x86_64 not installed (Debian package qemu-system-x86)"; exit 77; }

fails=0
# expect_fail WHAT STATUS PATTERN ARGS...: scripts/vmtest ARGS must exit
# with STATUS and print one error line matching PATTERN.
expect_fail() {
	local what=$1 status=$2 pattern=$3 rc=0 err
	shift 3
	err=$("$top/scripts/vmtest" "$@" 2>&1 > /dev/null) || rc=$?
	local lines
	lines=$(printf '%s\n' "$err" | grep -c '^vmtest: error:' || true)
	if [ "$rc" -eq "$status" ] && [ "$lines" -eq 1 ] &&
		printf '%s\n' "$err" | grep '^vmtest: error:' | grep -qE -- "$pattern"; then
		echo "ok   $what: $(printf '%s\n' "$err" | grep '^vmtest: error:')"
	else
		echo "FAIL $what (exit $rc, $lines error lines):"
		printf '%s\n' "$err" | sed 's/^/     /'
		fails=$((fails + 1))
	fi
}

work=$(mktemp -d)
export TMPDIR=$work
trap 'rm -rf "$work"' EXIT

expect_fail "no SVM in the CPU model" 1 "KVM not available inside the VM: insmod kvm_amd" \
	stock --cpu qemu64,-svm --timeout 300 --exitbench "$bin" --out "$work/r.json"
kept=$(find "$work" -mindepth 2 -maxdepth 2 -name channel.log | head -n 1)
if [ -n "$kept" ] && grep -q '^EXITBENCH-VMTEST FAIL KVM not available' "$kept"; then
	echo "ok   the failed run kept its logs (${kept%/*})"
else
	echo "FAIL the failed run kept no channel log with the FAIL event"
	fails=$((fails + 1))
fi
[ ! -e "$work/r.json" ] || { echo "FAIL a results file was written"; fails=$((fails + 1)); }

expect_fail "boot timeout" 1 "boot timeout: the VM did not reach /init within 1 s" \
	stock --boot-timeout 1 --timeout 300 --exitbench "$bin"
expect_fail "no target" 2 "no TARGET" --timeout 10
expect_fail "--all with a target" 2 "--all takes no TARGET" --all stock
expect_fail "unknown option" 2 "unknown option --bogus" stock --bogus
expect_fail "bad timeout" 2 "--timeout: 'soon' is not a positive integer" stock --timeout soon
expect_fail "kernel without --kernel" 2 "TARGET 'kernel' needs --kernel IMAGE" kernel
expect_fail "--kernel with stock" 2 "--kernel goes with TARGET 'kernel', not 'stock'" \
	stock --kernel "$work/nope"
expect_fail "missing kernel image" 1 "kernel image .*/nope not found" \
	kernel --kernel "$work/nope" --exitbench "$bin"
expect_fail "missing binary" 1 "exitbench binary .*/nope not found" \
	stock --exitbench "$work/nope"
expect_fail "timeout too short for a run" 1 "leaves no time to run exitbench|the 15 s bound \(--timeout\) ran out" \
	stock --timeout 15 --exitbench "$bin"

[ "$fails" -eq 0 ]
