#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The switchable kernel carries each strategy's entry/exit assembly side by
# side; this checks that every copy is the same instruction sequence as the
# function of that strategy's own kernel.  Disassembles with llvm-objdump-19
# (binutils 2.40 does not know REX2) and compares the functions modulo
# addresses: jump targets become offsets into the function, the copy's
# symbol names are mapped back, relocations are kept (type and symbol).
# TAP output.  Also checks that baseline and cond-swap differ, so that an
# equality is not vacuous.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: tests/kernel/switchable_equiv.sh BASELINE_KVM COND_SWAP_KVM SWITCHABLE_KVM

Each argument is a directory holding vmx/vmenter*.o and svm/vmenter*.o of
one variant: <variant>/build/arch/x86/kvm after scripts/kvariant build, or
a copy of those objects.
Pairs compared (strategy kernel : switchable kernel):
  baseline  vmx/vmenter.o __vmx_vcpu_run : vmx/vmenter.o __vmx_vcpu_run
            (VMX: with its VM-exit label, vmx_vmexit[_cond_swap])
  baseline  svm/vmenter.o __svm_vcpu_run : svm/vmenter.o __svm_vcpu_run
  cond-swap vmx/vmenter.o __vmx_vcpu_run : vmx/vmenter-cond-swap.o __vmx_vcpu_run_cond_swap
  cond-swap svm/vmenter.o __svm_vcpu_run : svm/vmenter-cond-swap.o __svm_vcpu_run_cond_swap
Exit 0 if all are equal, 1 if not, 2 on bad usage.
USAGE
}

case ${1:-} in -h|--help) usage; exit 0;; esac
[ $# -eq 3 ] || { usage >&2; exit 2; }
objdump=${LLVM_OBJDUMP:-llvm-objdump-19}
command -v "$objdump" >/dev/null || { echo "1..0 # SKIP $objdump missing (Debian llvm-19)"; exit 0; }

# norm OBJECT SYMBOLS: the instructions and relocations of the comma-
# separated SYMBOLS (a function and the global labels inside it, such as
# vmx_vmexit, where the disassembler starts a new symbol), with addresses
# made relative, the _cond_swap suffix of the copies dropped and trailing
# nop/int3 padding ignored.
norm() {
	local obj=$1 fn=$2
	[ -f "$obj" ] || { echo "MISSING $obj"; return; }
	"$objdump" -d -r --no-show-raw-insn --no-leading-addr \
		--disassemble-symbols="$fn" "$obj" |
	awk '
		/^<[A-Za-z_.0-9]+>:$/ { on = 1 }
		!on || /^$/ { next }
		{
			gsub(/_cond_swap/, "")
			# "jmp 0x1a3 <__vmx_vcpu_run+0x1a3>" -> "jmp <+0x1a3>"
			gsub(/0x[0-9a-f]+ <[A-Za-z_.0-9]+/, "<")
			# relocation lines start with the offset: drop it
			sub(/^[ \t]*[0-9a-f]+:[ \t]+R_/, "\tR_")
			gsub(/[ \t]+/, " ")
			# Padding after the last instruction (before the next
			# function) is not part of the sequence.
			if ($0 ~ /^ (nop|int3)$/) { pad = pad $0 "\n"; next }
			printf "%s%s\n", pad, $0
			pad = ""
		}'
}

n=0 fails=0
check() {	# name old_obj old_fn new_obj new_fn
	local a b
	n=$((n + 1))
	a=$(norm "$2" "$3")
	b=$(norm "$4" "$5")
	if [ -z "$a" ] || [[ $a == MISSING* ]] || [[ $b == MISSING* ]]; then
		fails=$((fails + 1))
		echo "not ok $n - $1: function missing (${a:0:60} ${b:0:60})"
	elif [ "$a" = "$b" ]; then
		echo "ok $n - $1: $(printf '%s\n' "$a" | grep -vc -e '^ R_' -e '>:$') instructions identical"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1: instruction sequences differ"
		{ diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") || true; } | head -20 | sed 's/^/# /'
	fi
}

base=$1 cs=$2 sw=$3
vmx=__vmx_vcpu_run,vmx_vmexit
check "baseline VMX" "$base/vmx/vmenter.o" $vmx "$sw/vmx/vmenter.o" $vmx
check "baseline SVM" "$base/svm/vmenter.o" __svm_vcpu_run "$sw/svm/vmenter.o" __svm_vcpu_run
check "cond-swap VMX" "$cs/vmx/vmenter.o" $vmx \
	"$sw/vmx/vmenter-cond-swap.o" __vmx_vcpu_run_cond_swap,vmx_vmexit_cond_swap
check "cond-swap SVM" "$cs/svm/vmenter.o" __svm_vcpu_run \
	"$sw/svm/vmenter-cond-swap.o" __svm_vcpu_run_cond_swap
# The comparison must be able to see a difference.
for v in vmx svm; do
	n=$((n + 1))
	fn=__${v}_vcpu_run
	[ $v = svm ] || fn=$vmx
	if [ "$(norm "$base/$v/vmenter.o" "$fn")" != "$(norm "$cs/$v/vmenter.o" "$fn")" ]; then
		echo "ok $n - ${v^^}: baseline and cond-swap differ (the check is not vacuous)"
	else
		fails=$((fails + 1))
		echo "not ok $n - ${v^^}: baseline and cond-swap compare equal"
	fi
done
echo "1..$n"
[ $fails -eq 0 ]
