#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Self-test of tests/kernel/placement.sh without a kernel build: assemble
# small stand-ins for the KVM objects with llvm-mc-19 (which knows APX),
# one laid out like cond-swap, one with the exit stores moved before the
# host SPEC_CTRL write and one without the clear after the stores, and
# check that the checker accepts the first and rejects the others (and
# rejects the first as baseline).  TAP output.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
placement=$top/tests/kernel/placement.sh
mc=${LLVM_MC:-llvm-mc-19}
command -v "$mc" >/dev/null || { echo "1..0 # SKIP $mc missing (Debian package llvm-19)"; exit 0; }
command -v "${LLVM_OBJDUMP:-llvm-objdump-19}" >/dev/null ||
	{ echo "1..0 # SKIP llvm-objdump-19 missing (Debian package llvm-19)"; exit 0; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# egprs load|store BASE DISP0: sixteen moves in register order.
egprs() {
	local i
	for i in $(seq 16 31); do
		if [ "$1" = load ]; then
			printf '\tmovq %d(%%%s), %%r%d\n' $(($3 + 8 * (i - 16))) "$2" "$i"
		else
			printf '\tmovq %%r%d, %d(%%%s)\n' "$i" $(($3 + 8 * (i - 16))) "$2"
		fi
	done
}
# clears: the zeroing XORs of R16D..R31D that follow a store block.
clears() {
	local i
	for i in $(seq 16 31); do printf '\txorl %%r%dd, %%r%dd\n' "$i" "$i"; done
}
fn() { printf '\t.globl %s\n\t.type %s,@function\n%s:\n' "$1" "$1" "$1"; }
# guard LABEL: the test of the per-vCPU xcr0_apx byte and the branch over.
guard() { printf '\tcmpb $%d, 0x868(%%rdi)\n\tje %s\n' 0 "$1"; }

# objects DIR BROKEN: write the four stand-in objects under DIR; BROKEN 1
# saves before the SPEC_CTRL write, 2 does not clear after saving.
objects() {
	local d=$1/arch/x86/kvm broken=$2
	mkdir -p "$d/vmx" "$d/svm"
	{
		echo '.text'
		fn __vmx_vcpu_run
		echo '	mov 16(%rsp), %rdi'
		guard 1f
		egprs load rax 0x88
		echo '1:	vmresume'
		echo '	ret'
		fn vmx_vmexit
		echo '	push %rax'
		[ "$broken" != 1 ] || { guard 2f; egprs store rdi 0x1b0; clears; echo '2:'; }
		echo '	wrmsr'
		echo '	lfence'
		[ "$broken" = 1 ] || { guard 2f; egprs store rdi 0x1b0; [ "$broken" = 2 ] || clears; echo '2:'; }
		echo '	ret'
	} >"$tmp/vmx.s"
	{
		echo '.text'
		fn __svm_vcpu_run
		echo '	vmload %rax'
		guard 1f
		egprs load rdi 0x1b0
		echo '1:	vmrun %rax'
		echo '	pop %rax'
		echo '	vmsave %rax'
		echo '	pop %rax'
		echo '	vmload %rax'
		guard 2f
		egprs store rdi 0x1b0
		[ "$broken" = 2 ] || clears
		echo '2:	ret'
	} >"$tmp/svm.s"
	printf '.text\n%s\n\tret\n' "$(fn vmx_vcpu_run)" >"$tmp/vmxc.s"
	printf '.text\n%s\n\tret\n' "$(fn svm_vcpu_run)" >"$tmp/svmc.s"
	"$mc" -triple=x86_64 -filetype=obj -o "$d/vmx/vmenter.o" "$tmp/vmx.s"
	"$mc" -triple=x86_64 -filetype=obj -o "$d/svm/vmenter.o" "$tmp/svm.s"
	"$mc" -triple=x86_64 -filetype=obj -o "$d/vmx/vmx.o" "$tmp/vmxc.s"
	"$mc" -triple=x86_64 -filetype=obj -o "$d/svm/svm.o" "$tmp/svmc.s"
}

objects "$tmp/good" 0
objects "$tmp/bad" 1
objects "$tmp/noclear" 2

n=0 fails=0
# check NAME WANT-EXIT STRATEGY DIR
check() {
	local rc=0 out
	n=$((n + 1))
	out=$("$placement" "$3" "$4" 2>&1) || rc=$?
	if [ "$rc" = "$2" ]; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1 (exit $rc, want $2)"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}
check "cond-swap layout is accepted as cond-swap" 0 cond-swap "$tmp/good"
check "exit stores before the SPEC_CTRL write are rejected" 1 cond-swap "$tmp/bad"
check "exit stores without the clear after them are rejected" 1 cond-swap "$tmp/noclear"
check "cond-swap layout is rejected as baseline (it moves R16-R31)" 1 baseline "$tmp/good"
check "cond-swap layout is rejected as dual-exit (no vmx_vmexit_apx)" 1 dual-exit "$tmp/good"
check "a strategy without rules is skipped" 77 no-such-strategy "$tmp/good"
check "a missing build directory is a usage error" 2 cond-swap "$tmp/nowhere"
echo "1..$n"
[ $fails -eq 0 ]
