#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Is each strategy's R16-R31 handling where its README says, in the code the
# compiler and assembler actually produced?  Disassembles the built objects
# of one variant with llvm-objdump-19 (which knows APX) and checks, per
# function, the order of: blocks of sixteen EGPR loads/stores, the flag test
# guarding them, VM-entry (VMRESUME/VMLAUNCH/VMRUN), the host SPEC_CTRL
# write, VMSAVE/VMLOAD and XSETBV.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: tests/kernel/placement.sh STRATEGY BUILD_DIR
       tests/kernel/placement.sh --tokens OBJECT FUNCTION

STRATEGY   baseline, cond-swap, early-xcr0, dual-exit, xcr0-first or
           xsave-live
BUILD_DIR  the variant's object directory (scripts/kvariant build --out DIR
           puts it in DIR/build), holding arch/x86/kvm/{vmx,svm}/*.o
--tokens   print the event string of one function (for debugging)

Events: LOADS/STORES (R16..R31 moved to/from 16 consecutive u64 slots, in
register order, or the stand-in's 16 moves of R11 to/from consecutive
slots, CONFIG_KVM_APX_STANDIN), CLEARS (zeroing XORs of R16D..R31D in
order, or the stand-in's 16 XORs or TESTs of R11), EGPR? (any other
R16-R31 access), CMPB (cmpb $0, flag),
JE, VMENTER, VMSAVE, VMLOAD, WRMSR, XSETBV, PUSHRAX, POPRAX, '.' (other).
Exit 0 if the placement matches, 1 if not, 77 for a strategy without
rules here, 2 on bad usage.
USAGE
}

die() { printf 'placement: %s\n' "$*" >&2; exit 2; }
objdump=${LLVM_OBJDUMP:-llvm-objdump-19}

# tokens OBJECT FUNCTION: the event string of FUNCTION in OBJECT.
tokens() {
	local obj=$1 fn=$2 dis
	dis=$("$objdump" -d --no-show-raw-insn --no-leading-addr \
		--disassemble-symbols="$fn" "$obj") || die "$objdump failed on $obj"
	printf '%s\n' "$dis" | grep -q "<$fn>:" || { echo MISSING; return; }
	printf '%s\n' "$dis" | awk '
	# A run of R11 moves is a stand-in block (CONFIG_KVM_APX_STANDIN:
	# sixteen moves of R11 to consecutive slots) or ordinary code.
	function flush(   i, ok, r11) {
		cflush()
		if (n == 0)
			return
		r11 = (reg[0] == 11)
		ok = (n == 16)
		for (i = 0; i < n && ok; i++)
			if (reg[i] != (r11 ? 11 : 16 + i) || off[i] != off[0] + 8 * i || base[i] != base[0])
				ok = 0
		if (ok)
			out = out " " kind
		else if (r11)
			for (i = 0; i < n; i++)
				out = out " ."
		else
			out = out " EGPR?"
		n = 0
	}
	function hex(s,   v, i) {
		v = 0
		sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	# Zeroing XORs of R16D..R31D in order (or sixteen XORs, or TESTs, of
	# R11: the stand-in) are one CLEARS event; R11 runs of any other
	# length are ordinary code.
	function cflush(   i, ok, r11) {
		if (cn == 0)
			return
		r11 = (creg[0] == 11)
		ok = (cn == 16)
		for (i = 0; i < cn && ok; i++)
			if (creg[i] != (r11 ? 11 : 16 + i))
				ok = 0
		if (ok)
			out = out " CLEARS"
		else if (r11)
			for (i = 0; i < cn; i++)
				out = out " ."
		else
			out = out " EGPR?"
		cn = 0
	}
	function clr(r) {
		if (n > 0)
			flush()
		sub(/^%r/, "", r); sub(/d?,?$/, "", r)
		if (cn > 0 && ((r == 11) != (creg[0] == 11) || op != cop))
			cflush()
		cop = op; creg[cn++] = r + 0
	}
	# One EGPR move "D(%B)" and "%rN": blocks of sixteen become one event.
	function egpr(k, mem, r,   d, b) {
		cflush()
		sub(/^%r/, "", r)
		if (n > 0 && (k != kind || (r == 11) != (reg[0] == 11)))
			flush()
		d = mem; sub(/\(.*/, "", d)
		b = mem; sub(/.*\(%/, "", b); sub(/\).*/, "", b)
		kind = k; reg[n] = r + 0; off[n] = hex(d); base[n] = b; n++
	}
	BEGIN { n = 0; cn = 0 }
	/^$/ || /:$/ || /file format/ { next }
	{
		sub(/^[ \t]+/, ""); gsub(/\t/, " ")
		if ($0 ~ /^movq (0x[0-9a-f]+)?\(%[a-z0-9]+\), %r(1[16-9]|2[0-9]|3[01])$/) {
			egpr("LOADS", substr($2, 1, length($2) - 1), $3); next
		}
		if ($0 ~ /^movq %r(1[16-9]|2[0-9]|3[01]), (0x[0-9a-f]+)?\(%[a-z0-9]+\)$/) {
			egpr("STORES", $3, substr($2, 1, length($2) - 1)); next
		}
		if ($1 == "xorl" && $2 == $3 "," && $3 ~ /^%r(1[16-9]|2[0-9]|3[01])d$/) {
			op = $1; clr($3); next
		}
		if ($1 == "testq" && $2 == "%r11," && $3 == "%r11") { op = $1; clr($3); next }
		flush()
		# The apx_* counters (CONFIG_KVM_APX_COUNT) are not placement.
		if ($1 == "incq") next
		if ($0 ~ /%r(1[6-9]|2[0-9]|3[01])([^0-9]|$)/) { out = out " EGPR?"; next }
		if ($0 ~ /^(nop|endbr64|int3)/) next
		if ($0 ~ /^(vmresume|vmlaunch|vmrun)/) e = "VMENTER"
		else if ($0 ~ /^vmsave/) e = "VMSAVE"
		else if ($0 ~ /^vmload/) e = "VMLOAD"
		else if ($0 ~ /^wrmsr/) e = "WRMSR"
		else if ($0 ~ /^xsetbv/) e = "XSETBV"
		else if ($0 ~ /^cmpb \$0x0, 0x[0-9a-f]+\(%r[a-z0-9]+\)$/) e = "CMPB"
		else if ($0 ~ /^je /) e = "JE"
		else if ($0 ~ /^pushq %rax$/) e = "PUSHRAX"
		else if ($0 ~ /^popq %rax$/) e = "POPRAX"
		else e = "."
		out = out " " e
	}
	END { flush(); print substr(out, 2) }'
}

fail=0
t=''
# ev OBJECT FUNCTION: load the event string of FUNCTION into $t.
ev() {
	t=$(tokens "$1" "$2")
	cur="$2 in ${1##*/}"
	[ "$t" != MISSING ] || { echo "MISMATCH: $cur: function not found"; fail=1; }
}
# idx first|last TOKEN: 1-based position of TOKEN in $t, 0 if absent.
idx() {
	printf '%s\n' "$t" | tr ' ' '\n' |
		awk -v w="$1" -v k="$2" '$0 == k { p = NR; if (w == "first") exit } END { print p + 0 }'
}
count() { printf '%s\n' "$t" | tr ' ' '\n' | grep -cxF -- "$1" || true; }
ok() {	# ok WHAT CONDITION-RESULT
	if [ "$2" = 1 ]; then
		echo "ok: $cur: $1"
	else
		echo "MISMATCH: $cur: $1"
		echo "  events: $t"
		fail=1
	fi
}
# Checks on $t.
counts() {	# counts LOADS STORES: exact numbers of 16-register blocks, no stray access
	local l s e
	l=$(count LOADS) s=$(count STORES) e=$(count 'EGPR?')
	ok "$1 load block(s), $2 store block(s), no other R16-R31 access" \
		"$([ "$l" = "$1" ] && [ "$s" = "$2" ] && [ "$e" = 0 ] && echo 1)"
}
seq_() {	# seq_ "A B C": these events appear back to back
	ok "'$1' back to back" "$([[ " $t " == *" $1 "* ]] && echo 1)"
}
order() {	# order A B: the first A comes before the first B
	local a b
	a=$(idx first "$1") b=$(idx first "$2")
	ok "$1 before $2" "$([ "$a" -gt 0 ] && [ "$b" -gt "$a" ] && echo 1)"
}
after_last() {	# after_last A B: the first B comes after the last A
	local a b
	a=$(idx last "$1") b=$(idx first "$2")
	ok "$2 after the last $1" "$([ "$a" -gt 0 ] && [ "$b" -gt "$a" ] && echo 1)"
}
absent() {	# absent TOKEN
	ok "no $1" "$([ "$(count "$1")" = 0 ] && echo 1)"
}

case "${1:-}" in
-h|--help) usage; exit 0 ;;
--tokens) [ $# -eq 3 ] || { usage >&2; exit 2; }
	tokens "$2" "$3"; exit 0 ;;
esac
[ $# -eq 2 ] || { usage >&2; exit 2; }
strategy=$1
kvm=$2/arch/x86/kvm
command -v "$objdump" >/dev/null || die "$objdump not found (Debian package llvm-19)"
for o in vmx/vmenter.o svm/vmenter.o vmx/vmx.o svm/svm.o; do
	[ -f "$kvm/$o" ] || die "no $kvm/$o: build the variant first (scripts/kvariant build $strategy)"
done
vmx_s=$kvm/vmx/vmenter.o svm_s=$kvm/svm/vmenter.o vmx_c=$kvm/vmx/vmx.o svm_c=$kvm/svm/svm.o


case "$strategy" in
baseline)
	for f in "$vmx_s:__vmx_vcpu_run" "$vmx_s:vmx_vmexit" "$svm_s:__svm_vcpu_run" \
		 "$vmx_c:vmx_vcpu_run" "$svm_c:svm_vcpu_run"; do
		ev "${f%%:*}" "${f#*:}"; counts 0 0
	done
	;;
cond-swap)
	# Entry: flag test, loads, then VM-entry.
	ev "$vmx_s" __vmx_vcpu_run
	counts 1 0; seq_ "CMPB JE LOADS"; order LOADS VMENTER
	# Exit: after the host SPEC_CTRL write, behind the flag test, then
	# cleared.
	ev "$vmx_s" vmx_vmexit
	counts 0 1; seq_ "CMPB JE STORES CLEARS"; after_last WRMSR STORES
	ev "$svm_s" __svm_vcpu_run
	counts 1 1; seq_ "CMPB JE LOADS"; seq_ "CMPB JE STORES CLEARS"
	order LOADS VMENTER; order VMENTER VMSAVE; order VMSAVE STORES
	after_last VMLOAD STORES
	for f in "$vmx_c:vmx_vcpu_run" "$svm_c:svm_vcpu_run"; do
		ev "${f%%:*}" "${f#*:}"; counts 0 0; absent XSETBV
	done
	;;
early-xcr0)
	for f in "$vmx_s:__vmx_vcpu_run" "$vmx_s:vmx_vmexit" "$svm_s:__svm_vcpu_run"; do
		ev "${f%%:*}" "${f#*:}"; counts 0 0; absent XSETBV
	done
	# In C the block layout is the compiler's: one load block, one store
	# block and the two inner XSETBVs in each vendor run function.
	for f in "$vmx_c:vmx_vcpu_run" "$svm_c:svm_vcpu_run"; do
		ev "${f%%:*}" "${f#*:}"; counts 1 1; seq_ "STORES CLEARS"
		ok "two XSETBV" "$([ "$(count XSETBV)" = 2 ] && echo 1)"
	done
	;;
dual-exit)
	ev "$vmx_s" __vmx_vcpu_run
	counts 1 0; seq_ "CMPB JE LOADS"; order LOADS VMENTER
	# The APX exit path saves first (push RAX, reload @regs), no test.
	ev "$vmx_s" vmx_vmexit_apx
	counts 0 1; ok "starts with PUSHRAX . STORES CLEARS" "$([[ "$t" == "PUSHRAX . STORES CLEARS"* ]] && echo 1)"
	absent CMPB
	ev "$vmx_s" vmx_vmexit
	counts 0 0
	ev "$svm_s" __svm_vcpu_run
	counts 0 0
	ev "$svm_s" __svm_vcpu_run_apx
	counts 1 1; absent CMPB; order LOADS VMENTER; seq_ "VMENTER POPRAX STORES CLEARS"
	for f in "$vmx_c:vmx_vcpu_run" "$svm_c:svm_vcpu_run"; do
		ev "${f%%:*}" "${f#*:}"; counts 0 0; absent XSETBV
	done
	;;
xcr0-first)
	# Entry: loads with the host's XCR0, then XSETBV(guest), then VM-entry.
	ev "$vmx_s" __vmx_vcpu_run
	counts 1 0; order LOADS XSETBV; order XSETBV VMENTER
	# Exit: XSETBV(host) first, unconditionally (no branch, no SPEC_CTRL
	# write before it), then the stores and the clears (between them: the
	# POPs of RDX and RCX, the reload of @regs and the feature gate's
	# JMP, patched out at boot); VM-Fail loads the host's XCR0 too.
	ev "$vmx_s" vmx_vmexit
	counts 0 1; seq_ "XSETBV . . . . STORES CLEARS"
	ok "the first XSETBV before any branch or WRMSR, a second for VM-Fail" \
		"$(x=$(idx first XSETBV) j=$(idx first JE) w=$(idx first WRMSR)
		   [ "$x" -gt 0 ] && [ "$j" -gt "$x" ] && [ "$w" -gt "$x" ] &&
		   [ "$(count XSETBV)" = 2 ] && echo 1)"
	ev "$svm_s" __svm_vcpu_run
	counts 1 1; order LOADS XSETBV; order XSETBV VMENTER
	seq_ "XSETBV . . POPRAX . STORES CLEARS"
	ok "XSETBV(host) right after VMRUN, no branch between" \
		"$(printf '%s\n' "$t" | awk '{ for (i = 1; i <= NF; i++) {
			if ($i == "VMENTER") { v = 1; continue }
			if (v && $i == "JE") exit
			if (v && $i == "XSETBV") { print 1; exit } } }')"
	for f in "$vmx_c:vmx_vcpu_run" "$svm_c:svm_vcpu_run"; do
		ev "${f%%:*}" "${f#*:}"; counts 0 0; absent XSETBV
	done
	;;
xsave-live)
	# Nothing in the world switch: R16-R31 stay live.
	for f in "$vmx_s:__vmx_vcpu_run" "$vmx_s:vmx_vmexit" "$svm_s:__svm_vcpu_run" \
		 "$vmx_c:vmx_vcpu_run" "$svm_c:svm_vcpu_run"; do
		ev "${f%%:*}" "${f#*:}"; counts 0 0; absent XSETBV
	done
	;;
*)	# A strategy without rules here is not an error: say so and skip.
	echo "SKIP: no placement rules for '$strategy' (baseline, cond-swap, early-xcr0, dual-exit, xcr0-first, xsave-live)"
	exit 77 ;;
esac
exit $fail
