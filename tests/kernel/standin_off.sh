#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# With CONFIG_KVM_APX_STANDIN and CONFIG_KVM_APX_COUNT off, every variant's
# KVM object code is what the series compiled to before the stand-in and
# counter scaffolding was added: build each variant from the reference
# series (git revision EXITBENCH_STANDIN_REF, default the commit before
# the scaffolding) and from the current one, and compare every function
# (tests/kernel/off_equiv.sh).  The only addition allowed is the
# apx_standin parameter's getter, which reads "off".  TAP.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kv=$top/scripts/kvariant
. "$top/tests/kernel/lib.sh"
kt_need_base
ref=${EXITBENCH_STANDIN_REF:-2e02ca5}
command -v llvm-objdump-19 >/dev/null || { echo "1..0 # SKIP llvm-objdump-19 missing (Debian llvm-19)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! git -C "$top" archive "$ref" kernel-patches/v6.12 2>/dev/null | tar -x -C "$tmp"; then
	echo "1..0 # SKIP reference revision $ref not in this clone's history"
	exit 0
fi
cache=${EXITBENCH_CACHE:-$top/.cache}/kernel/v6.12
mapfile -t strategies < <("$kv" list)
n=0 fails=0
for s in "${strategies[@]}"; do
	n=$((n + 1))
	if [ ! -f "$tmp/kernel-patches/v6.12/$s/series" ]; then
		echo "ok $n - $s # SKIP not in the reference series"
		continue
	fi
	if ! log=$(nice "$kv" --patches "$tmp/kernel-patches/v6.12" build "$s" --out "$cache/offref" 2>&1) ||
	   ! log=$(nice "$kv" build "$s" --out "$cache/offnew" 2>&1); then
		fails=$((fails + 1))
		echo "not ok $n - $s: build failed"
		printf '%s\n' "$log" | tail -20 | sed 's/^/# /'
		continue
	fi
	if eq=$("$top/tests/kernel/off_equiv.sh" --allow arch/x86/kvm/x86.o:apx_standin_get \
			"$cache/offref/build" "$cache/offnew/build" 2>&1); then
		echo "ok $n - $s: options off, object code as in $ref ($(grep -c '^ok' <<< "$eq") objects)"
	else
		fails=$((fails + 1))
		echo "not ok $n - $s: object code differs from $ref's"
		grep -v '^ok' <<< "$eq" | head -30 | sed 's/^/# /'
	fi
done
echo "1..$n"
[ $fails -eq 0 ]
