#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The switchable kernel carries each strategy's entry/exit assembly side by
# side; this checks that every copy is the same instruction sequence as the
# function of that strategy's own kernel.  Disassembles with llvm-objdump-19
# (binutils 2.40 does not know REX2) and compares the functions modulo
# addresses: jump targets become offsets into the function, the copy's
# symbol names are mapped back, relocations are kept (type and symbol).
# TAP output.  Also checks that baseline and each other strategy differ,
# so that an equality is not vacuous.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: tests/kernel/switchable_equiv.sh OBJS_DIR

OBJS_DIR/<variant>/{vmx,svm}/vmenter*.o holds the entry/exit objects of
each variant (<variant>/build/arch/x86/kvm after scripts/kvariant build,
or a copy: tests/kernel/build_all.sh keeps them in $CACHE/.../ci/objs).
OBJS_DIR/switchable and OBJS_DIR/baseline are required; every strategy S
whose copy switchable/vmx/vmenter-S.o exists needs OBJS_DIR/S.  Any other
OBJS_DIR/S (a strategy without a copy, e.g. early-xcr0) must have the
functions of the switchable kernel's plain vmenter.o.
Compared (strategy kernel : switchable kernel):
  baseline  __vmx_vcpu_run in vmx/vmenter.o : the same in switchable's
  S         __vmx_vcpu_run in vmx/vmenter.o : __vmx_vcpu_run_S in vmx/vmenter-S.o
  and the same for __svm_vcpu_run.  Every global symbol of the strategy
  kernel's object named __vmx_vcpu_run*, vmx_vmexit* (VM-exit labels) or
  __svm_vcpu_run* is compared, as NAME_S in the copy: e.g. dual-exit's
  vmx_vmexit_apx and __svm_vcpu_run_apx too.
Exit 0 if all are equal, 1 if not, 2 on bad usage.
USAGE
}

case ${1:-} in -h|--help) usage; exit 0;; esac
[ $# -eq 1 ] || { usage >&2; exit 2; }
objdump=${LLVM_OBJDUMP:-llvm-objdump-19}
command -v "$objdump" >/dev/null || { echo "1..0 # SKIP $objdump missing (Debian llvm-19)"; exit 0; }
dir=$1
if [ ! -d "$dir/switchable" ] || [ ! -d "$dir/baseline" ]; then
	echo "switchable_equiv: $dir needs switchable/ and baseline/" >&2
	exit 2
fi

# norm OBJECT SYMBOLS SUFFIX: the instructions and relocations of the
# comma-separated SYMBOLS (a function and the global labels inside it,
# such as vmx_vmexit, where the disassembler starts a new symbol), with
# addresses made relative, SUFFIX (_cond_swap, ...) dropped from names and
# trailing padding (nop of any length, int3) ignored.
norm() {
	local obj=$1 fn=$2 suffix=${3:-}
	[ -f "$obj" ] || { echo "MISSING $obj"; return; }
	"$objdump" -d -r --no-show-raw-insn --no-leading-addr \
		--disassemble-symbols="$fn" "$obj" |
	awk -v suffix="$suffix" '
		/^<[A-Za-z_.0-9]+>:$/ { on = 1 }
		!on || /^$/ { next }
		{
			if (suffix != "")
				gsub(suffix, "")
			# "jmp 0x1a3 <__vmx_vcpu_run+0x1a3>" -> "jmp <+0x1a3>"
			gsub(/0x[0-9a-f]+ <[A-Za-z_.0-9]+/, "<")
			# relocation lines start with the offset: drop it
			sub(/^[ \t]*[0-9a-f]+:[ \t]+R_/, "\tR_")
			gsub(/[ \t]+/, " ")
			# Padding after the last instruction (before the next
			# function) is not part of the sequence.
			if ($0 ~ /^ (nop[a-z]*( .*)?|int3)$/) { pad = pad $0 "\n"; next }
			printf "%s%s\n", pad, $0
			pad = ""
		}'
}

n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

# compare NAME OLD_OBJ NEW_OBJ SYMBOLS [SUFFIX]
compare() {
	local a b syms=$4 suffix=${5:-}
	a=$(norm "$2" "$syms")
	b=$(norm "$3" "$(printf '%s' "$syms" | sed "s/\([^,]*\)/\1$suffix/g")" "$suffix")
	if [ -z "$a" ] || [[ $a == MISSING* ]] || [[ $b == MISSING* ]]; then
		notok "$1: function missing (${a:0:60} ${b:0:60})"
	elif [ "$a" = "$b" ]; then
		ok "$1: $(printf '%s\n' "$a" | grep -vc -e '^ R_' -e '>:$') instructions identical"
	else
		notok "$1: instruction sequences differ"
		{ diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") || true; } | head -20 | sed 's/^/# /'
	fi
}

# syms OBJECT REGEX: the object's global symbols matching REGEX, in
# address order, comma-separated (the entry/exit functions and the VM-exit
# labels inside them).
syms() {
	[ -f "$1" ] || return 0
	"$objdump" -t "$1" | awk -v re="$2" '
		$2 == "g" && $NF ~ re { print $1, $NF }' |
		sort | awk '{ printf "%s%s", n++ ? "," : "", $2 }'
}
vmx_re='^(__vmx_vcpu_run|vmx_vmexit)'
svm_re='^__svm_vcpu_run'

vmx=__vmx_vcpu_run,vmx_vmexit
svm=__svm_vcpu_run
sw=$dir/switchable
compare "baseline VMX" "$dir/baseline/vmx/vmenter.o" "$sw/vmx/vmenter.o" $vmx
compare "baseline SVM" "$dir/baseline/svm/vmenter.o" "$sw/svm/vmenter.o" $svm
for copy in "$sw"/vmx/vmenter-*.o; do
	[ -e "$copy" ] || continue
	s=${copy##*/vmenter-}
	s=${s%.o}
	suffix=_${s//-/_}
	if [ ! -d "$dir/$s" ]; then
		notok "$s: the switchable kernel carries it, but $dir/$s is missing"
		continue
	fi
	svx=$(syms "$dir/$s/vmx/vmenter.o" "$vmx_re")
	sss=$(syms "$dir/$s/svm/vmenter.o" "$svm_re")
	compare "$s VMX ($svx)" "$dir/$s/vmx/vmenter.o" "$copy" "${svx:-$vmx}" "$suffix"
	compare "$s SVM ($sss)" "$dir/$s/svm/vmenter.o" "$sw/svm/vmenter-$s.o" "${sss:-$svm}" "$suffix"
	# The comparison must be able to see a difference.
	for v in vmx svm; do
		fn=${sss:-$svm}
		[ $v = svm ] || fn=${svx:-$vmx}
		if [ "$(norm "$dir/baseline/$v/vmenter.o" "$fn" 2>/dev/null)" != \
		     "$(norm "$dir/$s/$v/vmenter.o" "$fn")" ]; then
			ok "$s ${v^^}: differs from baseline (the check is not vacuous)"
		else
			notok "$s ${v^^}: compares equal to baseline"
		fi
	done
done
# A strategy without a copy (early-xcr0: C around the world switch;
# xsave-live: accessors) runs the plain functions in the switchable kernel,
# so its own kernel must not change them either.
for d in "$dir"/*/; do
	s=$(basename "$d")
	case $s in switchable|baseline) continue ;; esac
	[ ! -e "$sw/vmx/vmenter-$s.o" ] || continue
	svx=$(syms "$d/vmx/vmenter.o" "$vmx_re")
	sss=$(syms "$d/svm/vmenter.o" "$svm_re")
	compare "$s VMX, no copy: the plain one" "$d/vmx/vmenter.o" "$sw/vmx/vmenter.o" "${svx:-$vmx}"
	compare "$s SVM, no copy: the plain one" "$d/svm/vmenter.o" "$sw/svm/vmenter.o" "${sss:-$svm}"
done
echo "1..$n"
[ $fails -eq 0 ]
