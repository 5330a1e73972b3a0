#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# With CONFIG_KVM_APX_STANDIN and CONFIG_KVM_APX_COUNT off, the DO NOT
# MERGE stand-in and counter scaffolding changes no variant's KVM object
# code: build each variant from the series without the scaffolding (prep's
# "Add an APX stand-in" and "Count what the APX strategies execute", and
# each series' "Run <strategy>'s APX code with the stand-in" patch) and
# from the whole series, and compare every function (off_equiv.sh).  The
# one addition allowed is the getter of the apx_standin parameter, which
# then reads "off".  TAP.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kv=$top/scripts/kvariant
. "$top/tests/kernel/lib.sh"
kt_need_base
command -v llvm-objdump-19 >/dev/null || { echo "1..0 # SKIP llvm-objdump-19 missing (Debian llvm-19)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$top/kernel-patches/v6.12" "$tmp/ref"
for series in "$tmp"/ref/*/series; do
	grep -v -e 'DO-NOT-MERGE-Add-an-APX-stand-in' -e 'DO-NOT-MERGE-Count-what' \
		-e 'DO-NOT-MERGE-Run-' "$series" >"$series.new"
	mv "$series.new" "$series"
done
cache=${EXITBENCH_CACHE:-$top/.cache}/kernel/v6.12
mapfile -t strategies < <("$kv" list)
n=0 fails=0
for s in "${strategies[@]}"; do
	n=$((n + 1))
	if ! log=$(nice "$kv" --patches "$tmp/ref" build "$s" --out "$cache/offref" 2>&1) ||
	   ! log=$(nice "$kv" build "$s" --out "$cache/offnew" 2>&1); then
		fails=$((fails + 1))
		echo "not ok $n - $s: build failed"
		printf '%s\n' "$log" | tail -20 | sed 's/^/# /'
		continue
	fi
	if eq=$("$top/tests/kernel/off_equiv.sh" --allow arch/x86/kvm/x86.o:apx_standin_get \
			"$cache/offref/build" "$cache/offnew/build" 2>&1); then
		echo "ok $n - $s: options off, object code as without the scaffolding ($(grep -c '^ok' <<< "$eq") objects)"
	else
		fails=$((fails + 1))
		echo "not ok $n - $s: object code differs from the series without the scaffolding"
		grep -v '^ok' <<< "$eq" | head -30 | sed 's/^/# /'
	fi
done
echo "1..$n"
[ $fails -eq 0 ]
