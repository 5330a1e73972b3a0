#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kvariant's failure and interruption paths, on a small fake kernel tree
# and patch collection (no kernel base needed, a few seconds):
# interrupted copies, extractions and builds leave no partial tree, lock
# or running child; empty patches and series, patches without hunks and
# malformed patches are one-line errors with the reason; bad --out and
# unknown strategies are usage errors.  Stand-ins for cp (whole-tree
# copy), tar and make block once started, so an interruption always
# lands while they run, whatever the host's speed.  TAP output.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kv=$top/scripts/kvariant
# Every base here is named by --ksrc or the fake BASE, never the caller's.
unset KSRC
command -v setsid >/dev/null || { echo "1..0 # SKIP setsid missing (util-linux)"; exit 0; }

work=$(mktemp -d)
# kvariant's scratch trees too: the SIGKILL case below leaves its own.
export TMPDIR=$work/tmp
mkdir "$TMPDIR"
started=()	# pids of stand-ins this test started, killed by pid at exit
cleanup() {
	local p
	for p in "${started[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

# --- a fake kernel tree and patch collection -------------------------------
K=$work/ksrc
mkdir -p "$K/arch/x86/kvm"
printf 'all:\n' >"$K/Makefile"
seq 1 200 | sed 's/^/line /' >"$K/arch/x86/kvm/x86.c"
K2=$work/ksrc2	# another base: applying from it means a full copy
cp -a "$K" "$K2"
echo 'line 201' >>"$K2/arch/x86/kvm/x86.c"

P=$work/patches
mkdir -p "$P"/{prep,good,broken,mal,empty,nohunk,emptyseries,noseries}
: >"$P/kvm.config"
cat >"$P/prep/0001-prep.patch" <<'EOF'
Subject: [PATCH] prep

--- a/arch/x86/kvm/x86.c
+++ b/arch/x86/kvm/x86.c
@@ -1,3 +1,4 @@
 line 1
+prep
 line 2
 line 3
EOF
cat >"$P/good/0001-good.patch" <<'EOF'
--- a/arch/x86/kvm/x86.c
+++ b/arch/x86/kvm/x86.c
@@ -50,3 +50,4 @@
 line 49
+good
 line 50
 line 51
--- /dev/null
+++ b/arch/x86/kvm/apx/apx.c
@@ -0,0 +1 @@
+new
EOF
# Hunk #2's context does not exist.
cat >"$P/broken/0001-broken.patch" <<'EOF'
--- a/arch/x86/kvm/x86.c
+++ b/arch/x86/kvm/x86.c
@@ -50,3 +50,4 @@
 line 49
+broken
 line 50
 line 51
@@ -120,3 +121,4 @@
 not
+broken
 in the
 file
EOF
printf -- '--- a/arch/x86/kvm/x86.c\n+++ b/arch/x86/kvm/x86.c\n@@ -1,3 +1,4 @@\n line 1\n+x\n line 2\ngarbage\n' \
	>"$P/mal/0001-mal.patch"
: >"$P/empty/0001-empty.patch"
printf 'Subject: [PATCH] words only\n\n---\n 0 files changed\n' >"$P/nohunk/0001-nohunk.patch"
printf '# only a comment\n\n' >"$P/emptyseries/series"
for s in prep good broken mal empty nohunk; do
	(cd "$P/$s" && ls -- *.patch) >"$P/$s/series"
done

# Stand-ins, found first in PATH: the whole-tree copy (cp -a) copies,
# then blocks; make starts a grandchild and blocks.  Each writes its pids
# to $SHIM_PIDS.
S=$work/shim
mkdir -p "$S"
cat >"$S/cp" <<'EOF'
#!/bin/sh
if [ "$1" = -a ]; then
	/bin/cp "$@" || exit
	echo $$ >"$SHIM_PIDS.tmp" && mv "$SHIM_PIDS.tmp" "$SHIM_PIDS"
	exec sleep 300
fi
exec /bin/cp "$@"
EOF
cat >"$S/make" <<'EOF'
#!/bin/sh
sleep 300 &
echo "$$ $!" >"$SHIM_PIDS.tmp" && mv "$SHIM_PIDS.tmp" "$SHIM_PIDS"
wait
EOF
cat >"$S/tar" <<'EOF'
#!/bin/sh
/bin/tar "$@" || exit
echo $$ >"$SHIM_PIDS.tmp" && mv "$SHIM_PIDS.tmp" "$SHIM_PIDS"
exec sleep 300
EOF
chmod +x "$S/cp" "$S/make" "$S/tar"

sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
kvp() { "$kv" --patches "$P" "$@"; }
# no_leftovers DIR: no partial copy, replaced tree or lock in DIR.
no_leftovers() {
	[ -z "$(find "$1" -maxdepth 1 \( -name 'src.*' -o -name 'build.*' \
		-o -name .kvariant.lock \) 2>/dev/null)" ]
}
# all_dead N PID...: N pids were recorded and none of them still runs
# (kvariant stops them before it exits, so no waiting).  A zombie is dead:
# here an orphan's new parent may be slow to reap it.
all_dead() {
	local p st
	[ "$1" -gt 0 ] && [ $# -eq $(($1 + 1)) ] || return 1
	shift
	for p in "$@"; do
		st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		[ "${st%% *}" = Z ] || return 1
	done
}
# one_line FILE: FILE is a single "kvariant: error: " line.
one_line() { [ "$(wc -l <"$1")" -eq 1 ] && grep -q '^kvariant: error: ' "$1"; }

# interrupt SIG CMD...: start CMD with the stand-ins, wait until one of
# them blocks, send SIG to CMD alone; sets rc (exit status, or
# "timeout" if CMD did not stop) and pids.
interrupt() {
	local sig=$1 kp
	shift
	rm -f "$work/pids"
	# Job control: a background job would otherwise ignore SIGINT.
	set -m
	# env --default-signal: a signal ignored on entry (nohup, some CI
	# runners) cannot be trapped by bash; restore what kvariant would get.
	SHIM_PIDS=$work/pids PATH=$S:$PATH env --default-signal=HUP,INT,TERM \
		"$@" >/dev/null 2>"$work/err" &
	kp=$!
	set +m
	started+=("$kp")
	for _ in $(seq 600); do
		[ -s "$work/pids" ] && break
		kill -0 "$kp" 2>/dev/null || break
		sleep 0.1
	done
	read -ra pids <"$work/pids" || pids=()
	started+=("${pids[@]}")
	kill -"$sig" "$kp"
	# A kvariant that waits for its child first would block for 300 s:
	# give it 30 (it needs well under one) and fail the test instead.
	for _ in $(seq 300); do
		kill -0 "$kp" 2>/dev/null || break
		sleep 0.1
	done
	rc=0
	if kill -0 "$kp" 2>/dev/null; then
		kill -KILL "$kp"
		wait "$kp" || true
		rc=timeout
	else
		wait "$kp" || rc=$?
	fi
}

# --- interruptions ------------------------------------------------------------

code=([1]=129 [2]=130 [15]=143)
for sig in TERM HUP INT; do
	num=$(kill -l "$sig")
	interrupt "$sig" "$kv" --patches "$P" apply good --ksrc "$K" --out "$work/v-$sig"
	check "SIG$sig during the first copy: exit ${code[$num]}" test "$rc" = "${code[$num]}"
	check "SIG$sig: the copy (cp) was stopped too" all_dead 1 "${pids[@]}"
	check "SIG$sig: no partial copy, no lock, no fresh directory left" \
		test ! -e "$work/v-$sig"
	check "SIG$sig: one line says so" grep -qx "kvariant: error: interrupted by SIG$sig" "$work/err"
done

kvp apply good --ksrc "$K" --out "$work/v" 2>/dev/null
good=$(sum "$work/v/src")
check "a good apply leaves no lock" no_leftovers "$work/v"
interrupt TERM "$kv" --patches "$P" apply good --ksrc "$K2" --out "$work/v"
check "SIGTERM during a new base's copy: exit 143" test "$rc" = 143
check "the variant tree it was replacing is unchanged" test "$(sum "$work/v/src")" = "$good"
check "and no partial copy or lock is left" no_leftovers "$work/v"

# build: make and what it started stop with kvariant.
interrupt TERM "$kv" --patches "$P" build good --ksrc "$K" --out "$work/v"
check "SIGTERM during make: exit 143" test "$rc" = 143
check "make and the command it started were stopped too" all_dead 2 "${pids[@]}"
check "no lock is left after an interrupted build" no_leftovers "$work/v"

# The base's extraction (a BASE naming a tarball of the fake tree).
tar -cJf "$work/base.tar.xz" -C "$work" ksrc
printf 'package=fake\nversion=1\ntarball=%s\nsha256=%s\ntopdir=ksrc\nkernelversion=1\n' \
	"$work/base.tar.xz" "$(sha256sum "$work/base.tar.xz" | cut -d' ' -f1)" >"$P/BASE"
C=$work/cache/kernel/v6.12
interrupt TERM env EXITBENCH_CACHE="$work/cache" "$kv" --patches "$P" base
check "SIGTERM during the base's extraction: exit 143" test "$rc" = 143
check "tar was stopped too" all_dead 1 "${pids[@]}"
check "no partial base or lock is left" test -z "$(ls -A "$C")"
check "the next run extracts it" \
	test "$(EXITBENCH_CACHE=$work/cache "$kv" --patches "$P" base 2>/dev/null)" = "$C/src"
check "and leaves only the tree" test "$(ls -A "$C")" = src

# SIGKILL cannot be trapped: the next run removes what it left.
# (stderr off meanwhile: this shell would report the job as "Killed")
exec 3>&2 2>/dev/null
interrupt KILL "$kv" --patches "$P" apply good --ksrc "$K2" --out "$work/v"
exec 2>&3 3>&-
for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
kvp apply good --ksrc "$K2" --out "$work/v" 2>"$work/err" && true
check "after a SIGKILL, the next apply removes the partial copy" \
	grep -q "removing $work/v/src.tmp.*killed" "$work/err"
check "and leaves nothing behind" no_leftovers "$work/v"

# --- bad patches and series -----------------------------------------------------

kvp apply good --ksrc "$K" --out "$work/v" 2>/dev/null
good=$(sum "$work/v/src")
# expect_fail WHAT RC PATTERN ARGS...: kvariant ARGS exits RC with one
# error line matching PATTERN (grep -E).
expect_fail() {
	local what=$1 want=$2 pat=$3 rc=0
	shift 3
	kvp "$@" 2>"$work/err" >/dev/null || rc=$?
	if [ "$rc" = "$want" ] && one_line "$work/err" && grep -qE -- "$pat" "$work/err"; then
		ok "$what (exit $rc: $(cut -c18- "$work/err"))"
	else
		not_ok "$what (exit $rc, want $want and /$pat/)"
		sed 's/^/# /' "$work/err"
	fi
}
expect_fail "a failed hunk names patch, hunk, reason and file" 1 \
	'broken/0001-broken.patch: Hunk #2 FAILED at [0-9]+ \(arch/x86/kvm/x86.c\); nothing was changed$' \
	apply broken --ksrc "$K" --out "$work/v"
check "the failed apply left the variant tree unchanged" test "$(sum "$work/v/src")" = "$good"
check "and no lock or scratch copy" no_leftovers "$work/v"
expect_fail "--dry-run reports the same line" 1 'broken/0001-broken.patch: Hunk #2 FAILED' \
	apply broken --ksrc "$K" --dry-run
expect_fail "a malformed patch names the reason" 1 \
	'mal/0001-mal.patch: malformed patch at line 7: garbage' apply mal --ksrc "$K" --out "$work/v"
expect_fail "a 0-byte patch is an error, not applied" 1 'empty/0001-empty.patch: empty patch' \
	apply empty --ksrc "$K" --out "$work/v"
expect_fail "a patch without hunks is an error" 1 'nohunk/0001-nohunk.patch: no hunks' \
	apply nohunk --ksrc "$K" --out "$work/v"
expect_fail "an empty series is an error" 1 'emptyseries/series lists no patches' \
	apply emptyseries --ksrc "$K" --out "$work/v"
expect_fail "a strategy without a series file is a failure (1)" 1 'no series file in' \
	apply noseries --ksrc "$K" --out "$work/v"
expect_fail "an unknown strategy is bad usage (2)" 2 "unknown strategy 'nosuch'" \
	apply nosuch --ksrc "$K" --out "$work/v"
check "none of them changed the variant tree" test "$(sum "$work/v/src")" = "$good"
check "or left a lock" no_leftovers "$work/v"
kvp apply broken --ksrc "$K" --out "$work/fresh" 2>/dev/null && true
check "a failed apply to a fresh --out creates nothing" test ! -e "$work/fresh"

# --- options ----------------------------------------------------------------------

: >"$work/afile"
expect_fail "--out an existing file is bad usage, one line" 2 \
	'--out .*/afile: exists and is not a directory' apply good --ksrc "$K" --out "$work/afile"
expect_fail "--out under a file is bad usage, one line" 2 \
	'--out .*/afile/v: cannot create' apply good --ksrc "$K" --out "$work/afile/v"
rm -rf "$work/v2"
kvp apply good --ksrc "$K" --out "$work/v2" 2>"$work/err"
check "a --ksrc apply prints only kvariant's own notes" \
	test -z "$(grep -v '^kvariant: good: ' "$work/err")"
check "(two: copying, applied)" test "$(wc -l <"$work/err")" = 2
kvp apply prep --ksrc "$K" --out "$work/v2" 2>/dev/null
check "switching to prep removes the directory a patch created" \
	test ! -e "$work/v2/src/arch/x86/kvm/apx"

echo "1..$n"
[ $fails -eq 0 ]
