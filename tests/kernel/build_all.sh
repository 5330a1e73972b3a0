#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Build every strategy variant's KVM modules (kvm.ko, kvm-intel.ko,
# kvm-amd.ko, plus the other objects the patches touch) with objtool and
# -Werror, one after the other in one shared variant directory so that
# modules_prepare and unchanged objects are reused.  Each variant must
# build, carry the apx_strategy parameter and name itself in kvm.ko.
# TAP output.  Strategies are discovered from kernel-patches/v6.12.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kv=$top/scripts/kvariant
. "$top/tests/kernel/lib.sh"
kt_need_base
command -v modinfo >/dev/null || { echo "1..0 # SKIP modinfo missing (Debian kmod)"; exit 0; }

# EXITBENCH_KERNEL_TREE: another variant directory, e.g. to run this beside
# a CI run that uses the default one.
out=${EXITBENCH_KERNEL_TREE:-${EXITBENCH_CACHE:-$top/.cache}/kernel/v6.12/ci}
mapfile -t strategies < <("$kv" list)
n=0 fails=0
rm -rf "$out/objs"
for s in "${strategies[@]}"; do
	n=$((n + 1))
	start=$(date +%s)
	if ! log=$(nice "$kv" build "$s" --out "$out" 2>&1); then
		fails=$((fails + 1))
		echo "not ok $n - $s: build failed"
		printf '%s\n' "$log" | tail -30 | sed 's/^/# /'
		continue
	fi
	secs=$(($(date +%s) - start))
	ko=$out/build/arch/x86/kvm
	bad=''
	for m in kvm kvm-intel kvm-amd; do
		[ -f "$ko/$m.ko" ] || bad+=" $m.ko missing"
	done
	modinfo -F parm "$ko/kvm.ko" | grep -q '^apx_strategy:' || bad+=" no apx_strategy parameter in kvm.ko"
	# The name reported in /sys/module/kvm/parameters/apx_strategy.
	grep -qaxF "$s" <(strings -a "$ko/kvm.ko") || bad+=" kvm.ko does not carry the name '$s'"
	# R16-R31 moves where strategies/<name>/README.md says (77: no rules).
	prc=0; "$top/tests/kernel/placement.sh" "$s" "$out/build" >/dev/null 2>&1 || prc=$?
	[ $prc = 0 ] || [ $prc = 77 ] || bad+=" placement check failed (tests/kernel/placement.sh $s $out/build)"
	# Keep the entry/exit objects for the switchable comparison below;
	# only those this variant has sources for: the shared build tree
	# still holds the copies of an earlier switchable build.
	rm -rf "$out/objs/$s" && mkdir -p "$out/objs/$s/vmx" "$out/objs/$s/svm"
	for v in vmx svm; do
		for src in "$out/src/arch/x86/kvm/$v"/vmenter*.S; do
			obj=${src##*/}
			cp "$ko/$v/${obj%.S}.o" "$out/objs/$s/$v/"
		done
	done
	if [ -z "$bad" ]; then
		echo "ok $n - $s: kvm.ko kvm-intel.ko kvm-amd.ko built, objtool clean (${secs}s)"
	else
		fails=$((fails + 1))
		echo "not ok $n - $s:$bad"
	fi
done
# The switchable kernel's copies of each strategy's entry/exit asm must be
# the instruction sequences of that strategy's own kernel.
if [ -d "$out/objs/switchable" ] && [ -d "$out/objs/baseline" ]; then
	n=$((n + 1))
	if eq=$("$top/tests/kernel/switchable_equiv.sh" "$out/objs" 2>&1); then
		if [[ $eq == *"# SKIP"* ]]; then
			echo "ok $n - switchable: entry/exit asm comparison # SKIP ${eq##*# SKIP }"
		else
			echo "ok $n - switchable: entry/exit asm identical to each carried strategy's own kernel"
		fi
	else
		fails=$((fails + 1))
		echo "not ok $n - switchable: entry/exit asm differs from the single-strategy kernels'"
	fi
	printf '%s\n' "$eq" | sed 's/^/# /'
fi
echo "1..$n"
[ $fails -eq 0 ]
