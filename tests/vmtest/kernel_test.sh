#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# scripts/vmtest kernel --kernel IMAGE --modules DIR: the way a kernel built
# elsewhere (scripts/kvariant: a bzImage and its build tree) is booted.  Uses
# the stock package's bzImage (the compressed boot path, no PVH) and its
# module directory, and checks that KVM came up and exits were timed.
#
# usage: kernel_test.sh REPO_TOP EXITBENCH
set -euo pipefail

top=$1 bin=$2
command -v qemu-system-x86_64 > /dev/null ||
	{ echo "SKIP: qemu-system-x86_64 not installed (Debian package qemu-system-x86)"; exit 77; }

# shellcheck source=scripts/lib/vmtest.sh
. "$top/scripts/lib/vmtest.sh"
vm_deadline 300
vm_stock_kernel "${EXITBENCH_CACHE:-$top/.cache}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rc=0
"$top/scripts/vmtest" kernel --kernel "$VM_KBZIMAGE" --modules "$VM_KMODDIR" \
	--timeout 400 --exitbench "$bin" --out "$work/r.json" -- \
	--tests cpuid,pio_user --samples 100 --warmup 10 --repeat 1 || rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL scripts/vmtest kernel exited $rc"; exit 1; }

python3 - "$work/r.json" "$VM_KRELEASE" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
fails = 0
def check(cond, what):
	global fails
	print(("ok   " if cond else "FAIL ") + what)
	fails += not cond
check(r["kvm"]["flavor"] == "svm" and r["kvm"]["module"] == "kvm_amd",
      f"booted bzImage loaded kvm_amd from --modules ({r['kvm']['module']})")
check(r["host"]["kernel"]["release"] == sys.argv[2],
      f"guest runs the given kernel ({r['host']['kernel']['release']})")
got = {e["test"]: e for e in r["results"]}
for t in ("cpuid", "pio_user"):
	e = got.get(t, {})
	check(e.get("status") == "ok" and e.get("cycles", {}).get("n") == 100,
	      f"{t}: {e.get('status')}, {e.get('cycles', {}).get('n')} samples")
sys.exit(1 if fails else 0)
PY
