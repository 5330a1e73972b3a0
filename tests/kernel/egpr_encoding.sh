#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Prove the .byte encodings of arch/x86/include/asm/egpr.h (added by the
# prep series) against LLVM, which knows APX: every EGPR_STORE/EGPR_LOAD
# for all 16 registers x all allowed bases x several displacements, the
# *_ALL forms, EGPR_CLEAR, the same macros from C inline asm, and that bad
# operands are refused.  Assembled with the kernel's toolchain (gcc/gas),
# compared byte for byte with llvm-mc-19 ({disp32} forms), and printed as
# llvm-objdump-19 sees them on a mismatch.  TAP output.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
patch=$(grep -l '^+++ b/arch/x86/include/asm/egpr.h' "$top"/kernel-patches/v6.12/prep/*.patch | head -1)
for t in llvm-mc-19 llvm-objdump-19 llvm-objcopy-19 gcc; do
	command -v "$t" >/dev/null || { echo "1..0 # SKIP $t not installed (Debian llvm-19, gcc)"; exit 0; }
done
[ -n "$patch" ] || { echo "Bail out! no prep patch adds asm/egpr.h"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/inc/asm" "$work/inc/linux"
# The header as the prep patch creates it (a new file: its '+' lines).
awk '/^\+\+\+ b\/arch\/x86\/include\/asm\/egpr.h/ { on = 1; next }
     on && /^diff --git/ { on = 0 }
     on && /^\+/ { print substr($0, 2) }' "$patch" >"$work/inc/asm/egpr.h"
# Only __stringify() is needed from the kernel: a two-line stand-in.
cat >"$work/inc/linux/stringify.h" <<'EOF'
#define __stringify_1(x...) #x
#define __stringify(x...) __stringify_1(x)
EOF

n_test=0 fails=0
ok() { n_test=$((n_test + 1)); echo "ok $n_test - $*"; }
not_ok() { n_test=$((n_test + 1)); fails=$((fails + 1)); echo "not ok $n_test - $*"; }

bases=(rax rcx rdx rbx rbp rsi rdi r8 r9 r10 r11 r13 r14 r15)
disps=(0 8 -8 0x7f 0x80 -0x80 0x1234 0x7fffffff -0x80000000)

# 1. Every single move, both directions.
{
	for n in $(seq 16 31); do
		for b in "${bases[@]}"; do
			for d in "${disps[@]}"; do
				echo "EGPR_STORE($n, $b, $d)"
				echo "EGPR_LOAD($n, $b, $d)"
			done
		done
		echo "EGPR_CLEAR($n)"
	done
} >"$work/ours.S"
{
	for n in $(seq 16 31); do
		for b in "${bases[@]}"; do
			for d in "${disps[@]}"; do
				echo "{disp32} movq %r$n, $d(%$b)"
				echo "{disp32} movq $d(%$b), %r$n"
			done
		done
		echo "xorl %r${n}d, %r${n}d"
	done
} >"$work/ref.s"
count=$(wc -l <"$work/ours.S")
sed -i '1i #include <asm/egpr.h>' "$work/ours.S"

# compare NAME OURS.o REF.o: byte-identical .text, else show both listings.
compare() {
	local name=$1 a=$2 b=$3
	llvm-objcopy-19 -O binary --only-section=.text "$a" "$a.bin"
	llvm-objcopy-19 -O binary --only-section=.text "$b" "$b.bin"
	if cmp -s "$a.bin" "$b.bin"; then
		ok "$name"
	else
		not_ok "$name"
		diff <(llvm-objdump-19 -d --no-addresses "$a" | sed -n '/<.text>:/,$p') \
		     <(llvm-objdump-19 -d --no-addresses "$b" | sed -n '/<.text>:/,$p') |
			head -20 | sed 's/^/# /'
	fi
}

gcc -c -D__ASSEMBLY__ -I"$work/inc" "$work/ours.S" -o "$work/ours.o"
llvm-mc-19 -triple=x86_64 -filetype=obj "$work/ref.s" -o "$work/ref.o"
compare "$count single moves/clears (16 regs x ${#bases[@]} bases x ${#disps[@]} disps x 2 directions) match llvm-mc" \
	"$work/ours.o" "$work/ref.o"

# Spot check against the encoding quoted in DESIGN.md (disp8 there, disp32 here).
want='movq	%r16, 0x8(%rdi)'
got=$(printf '#include <asm/egpr.h>\nEGPR_STORE(16, rdi, 8)\n' >"$work/one.S" &&
	gcc -c -D__ASSEMBLY__ -I"$work/inc" "$work/one.S" -o "$work/one.o" &&
	llvm-objdump-19 -d --no-addresses --no-show-raw-insn "$work/one.o" | grep movq | sed 's/^[[:space:]]*//')
if [ "$got" = "$want" ]; then
	ok "EGPR_STORE(16, rdi, 8) disassembles as '$want'"
else
	not_ok "EGPR_STORE(16, rdi, 8) disassembles as '$got', want '$want'"
fi

# 2. The 16-register forms, with the displacement vCPU code would use.
printf '#include <asm/egpr.h>\nEGPR_STORE_ALL(rdi, 136)\nEGPR_LOAD_ALL(r15, -0x100)\nEGPR_CLEAR_ALL\n' >"$work/all.S"
{
	for n in $(seq 16 31); do echo "{disp32} movq %r$n, $((136 + (n - 16) * 8))(%rdi)"; done
	for n in $(seq 16 31); do echo "{disp32} movq $((-256 + (n - 16) * 8))(%r15), %r$n"; done
	for n in $(seq 16 31); do echo "xorl %r${n}d, %r${n}d"; done
} >"$work/allref.s"
gcc -c -D__ASSEMBLY__ -I"$work/inc" "$work/all.S" -o "$work/all.o"
llvm-mc-19 -triple=x86_64 -filetype=obj "$work/allref.s" -o "$work/allref.o"
compare "EGPR_STORE_ALL/EGPR_LOAD_ALL/EGPR_CLEAR_ALL match llvm-mc" "$work/all.o" "$work/allref.o"

# 3. The same macros as C string literals in inline asm, with "i" operands.
cat >"$work/c.c" <<'EOF'
#include <asm/egpr.h>
void f(unsigned long *regs);
void f(unsigned long *regs)
{
	asm volatile(EGPR_STORE(16, rdi, %c[off])
		     EGPR_LOAD(31, rdi, %c[off] + 8)
		     EGPR_LOAD_ALL(rdi, %c[off])
		     EGPR_CLEAR(24)
		     : : "D" (regs), [off] "i" (17 * 8) : "memory");
}
EOF
{
	echo "{disp32} movq %r16, 136(%rdi)"
	echo "{disp32} movq 144(%rdi), %r31"
	for n in $(seq 16 31); do echo "{disp32} movq $((136 + (n - 16) * 8))(%rdi), %r$n"; done
	echo "xorl %r24d, %r24d"
	echo "retq"
} >"$work/cref.s"
gcc -O2 -fno-asynchronous-unwind-tables -fcf-protection=none -I"$work/inc" -c "$work/c.c" -o "$work/c.o"
llvm-mc-19 -triple=x86_64 -filetype=obj "$work/cref.s" -o "$work/cref.o"
compare "inline asm (C string) forms with %c[off] operands match llvm-mc" "$work/c.o" "$work/cref.o"

# 4. Operands the macros must refuse at build time.
for bad in "EGPR_STORE(15, rax, 0)" "EGPR_LOAD(32, rax, 0)" "EGPR_STORE(16, rsp, 0)" \
	   "EGPR_LOAD(16, r12, 0)" "EGPR_STORE(16, eax, 0)" "EGPR_CLEAR(7)"; do
	printf '#include <asm/egpr.h>\n%s\n' "$bad" >"$work/bad.S"
	if gcc -c -D__ASSEMBLY__ -I"$work/inc" "$work/bad.S" -o "$work/bad.o" 2>/dev/null; then
		not_ok "$bad is rejected"
	else
		ok "$bad is rejected"
	fi
done

# 5. The DO NOT MERGE stand-ins of arch/x86/kvm/apx_bench.h (prep: created
# by the stand-in patch, extended by the counter patch): with the options
# off the KVM_EGPR_* macros are the EGPR_* ones; with the stand-in, 16 moves
# of R11 (REX, disp32) 128 bytes further, and XORs of R11D; with the
# counters, an INCQ of the stat after each sequence.
standin=$(grep -l '^+++ b/arch/x86/kvm/apx_bench.h' "$top"/kernel-patches/v6.12/prep/*.patch || true)
if [ -n "$standin" ]; then
	mkdir -p "$work/kvm/arch/x86/kvm"
	for p in $standin; do
		awk '/^diff --git/ { on = ($0 ~ /apx_bench.h/) } on' "$p" |
			(cd "$work/kvm" && patch -p1 -s --no-backup-if-mismatch)
	done
	cp "$work/kvm/arch/x86/kvm/apx_bench.h" "$work/inc/apx_bench.h"
	sites='KVM_EGPR_STORE_ALL(rdi, 136)
KVM_EGPR_LOAD_ALL(r15, -0x100)
KVM_EGPR_LOAD_ALL(rax, 0x88)
KVM_EGPR_CLEAR_ALL'
	printf '#include <apx_bench.h>\n%s\n' "$sites" >"$work/sb.S"
	printf '#include <asm/egpr.h>\n%s\n' "${sites//KVM_EGPR_/EGPR_}" >"$work/sbref.S"
	gcc -c -D__ASSEMBLY__ -I"$work/inc" "$work/sb.S" -o "$work/sb.o"
	gcc -c -D__ASSEMBLY__ -I"$work/inc" "$work/sbref.S" -o "$work/sbref.o"
	compare "apx_bench.h, options off: KVM_EGPR_* are the EGPR_* bytes" "$work/sb.o" "$work/sbref.o"
	standin_ref() {	# standin_ref COUNT: the stand-in sequences, with INCQs if COUNT
		local i
		for i in $(seq 0 15); do echo "{disp32} movq %r11, $((136 + 128 + i * 8))(%rdi)"; done
		[ "$1" = 0 ] || echo "incq $((136 + 0x1000))(%rdi)"
		for i in $(seq 0 15); do echo "{disp32} movq $((-256 + 128 + i * 8))(%r15), %r11"; done
		[ "$1" = 0 ] || echo "incq $((-256 + 0x1008))(%r15)"
		for i in $(seq 0 15); do echo "{disp32} movq $((0x88 + 128 + i * 8))(%rax), %r11"; done
		[ "$1" = 0 ] || echo "incq $((0x88 + 0x1008))(%rax)"
		for i in $(seq 0 15); do echo "xorl %r11d, %r11d"; done
	}
	defs='-DCONFIG_KVM_APX_STANDIN -DKVM_APX_STAT_apx_egpr_stores=0x1000 -DKVM_APX_STAT_apx_egpr_loads=0x1008'
	for c in 0 1; do
		flags=$defs
		[ $c = 0 ] || flags+=' -DCONFIG_KVM_APX_COUNT'
		standin_ref $c >"$work/sref$c.s"
		# shellcheck disable=SC2086 # the -D flags
		gcc -c -D__ASSEMBLY__ $flags -I"$work/inc" "$work/sb.S" -o "$work/sb$c.o"
		llvm-mc-19 -triple=x86_64 -filetype=obj "$work/sref$c.s" -o "$work/sref$c.o"
		compare "apx_bench.h stand-in$([ $c = 0 ] || echo ' with counters'): R11 moves to regs[R16]+128, XORs of R11D match llvm-mc" \
			"$work/sb$c.o" "$work/sref$c.o"
	done
fi

echo "1..$n_test"
[ "$fails" -eq 0 ]
