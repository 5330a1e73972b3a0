#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A series whose patch does not apply must make `kvariant apply` fail,
# name the patch, the file and the failed hunk, and change nothing: not
# an existing variant tree, not a fresh one, not the base.  Runs on a
# small copy of the base (only the files the patches touch) via --ksrc.
# TAP output.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kv=$top/scripts/kvariant
. "$top/tests/kernel/lib.sh"
kt_need_base

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# Patch collection: the real prep and baseline, plus "broken" = baseline
# and a patch whose second hunk has context that does not exist.
P=$work/patches
mkdir -p "$P/broken"
cp -r "$top/kernel-patches/v6.12/prep" "$top/kernel-patches/v6.12/baseline" "$P/"
cp "$top/kernel-patches/v6.12/BASE" "$P/"
cp "$P"/baseline/*.patch "$P/broken/"
first=$(sed -n '/^[^#]/{p;q}' "$P/baseline/series")
cat >"$P/broken/0002-break.patch" <<'EOF'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: exitbench developers <exitbench@localhost>
Subject: [PATCH] KVM: x86: a patch that cannot apply

---
 arch/x86/kvm/x86.c | 2 ++
 1 file changed, 2 insertions(+)

--- a/arch/x86/kvm/x86.c
+++ b/arch/x86/kvm/x86.c
@@ -1,3 +1,4 @@
 // SPDX-License-Identifier: GPL-2.0-only
+/* applies */
 /*
  * Kernel-based Virtual Machine driver for Linux
@@ -100,3 +101,4 @@
 this context
+/* does not */
 does not exist
EOF
printf '%s\n%s\n' "$first" 0002-break.patch >"$P/broken/series"

# Mini base: a Makefile, arch/x86/kvm/, and every file the patches touch.
K=$work/ksrc
mkdir -p "$K/arch/x86/kvm"
cp "$kt_base/Makefile" "$K/"
sed -n 's|^+++ b/||p; s|^--- a/||p' "$P"/*/*.patch | sort -u | while IFS= read -r f; do
	if [ -f "$kt_base/$f" ]; then
		mkdir -p "$K/$(dirname "$f")"
		cp "$kt_base/$f" "$K/$f"
	fi
done
sum() { (cd "$1" && find . -type f ! -name .kvariant-stamp -print0 | sort -z | xargs -0 sha256sum); }
base_before=$(sum "$K")

# 1. A good variant applies; remember exactly what it looks like.
check "baseline applies to the mini base" \
	"$kv" --patches "$P" apply baseline --ksrc "$K" --out "$work/v" 2>/dev/null
good=$(sum "$work/v/src")

# 2. The broken series fails in the same variant directory ...
if "$kv" --patches "$P" apply broken --ksrc "$K" --out "$work/v" 2>"$work/err"; then
	not_ok "broken series is refused"
else
	ok "broken series is refused"
fi
check "the error is one line" test "$(wc -l <"$work/err")" = 1
check "it names the patch, the failed hunk and the file" grep -qE \
	'^kvariant: error: broken/0002-break.patch: Hunk #2 FAILED at [0-9]+ \(arch/x86/kvm/x86.c\); nothing was changed$' \
	"$work/err"
check "the existing variant tree is unchanged" test "$(sum "$work/v/src")" = "$good"
check "no scratch or temporary tree or lock is left behind" \
	test -z "$(find "$work/v" -maxdepth 1 \( -name 'src.*' -o -name .kvariant.lock \))"

# 3. ... and in a fresh one, which must not be created at all.
"$kv" --patches "$P" apply broken --ksrc "$K" --out "$work/fresh" 2>/dev/null && true
check "a fresh variant directory gets no tree" test ! -e "$work/fresh/src"
check "--dry-run also fails" \
	bash -c '! "$@" 2>/dev/null' _ "$kv" --patches "$P" apply broken --ksrc "$K" --dry-run
check "the base tree is unchanged" test "$(sum "$K")" = "$base_before"

# 4. Switching the variant back re-applies only what differs.
check "the good series applies again over the same directory" \
	"$kv" --patches "$P" apply baseline --ksrc "$K" --out "$work/v" 2>/dev/null
check "and gives the same tree" test "$(sum "$work/v/src")" = "$good"

# 5. A series naming a patch that does not exist is refused up front.
mkdir -p "$P/missing"
printf '0001-not-there.patch\n' >"$P/missing/series"
if "$kv" --patches "$P" apply missing --ksrc "$K" --out "$work/m" 2>"$work/err2"; then
	not_ok "a series naming a missing patch is refused"
else
	ok "a series naming a missing patch is refused"
fi
check "the error names the missing file" grep -q '0001-not-there.patch, which does not exist' "$work/err2"
rc=0
"$kv" --patches "$P" apply no-such-strategy --ksrc "$K" 2>/dev/null || rc=$?
check "an unknown strategy is refused as bad usage (exit 2)" test "$rc" = 2

echo "1..$n"
sed 's/^/# /' "$work/err"
[ $fails -eq 0 ]
