#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Is the object code of two builds of a variant the same?  Used to prove
# that with CONFIG_KVM_APX_STANDIN and CONFIG_KVM_APX_COUNT off, a series
# carrying the stand-in and counter scaffolding compiles to exactly what
# the series compiled to before it.  Compares every function of every
# object under arch/x86/kvm (and the other objects given), instruction
# by instruction, with relocations, modulo addresses.  TAP output.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: tests/kernel/off_equiv.sh [--allow OBJ:FUNC]... REF_BUILD NEW_BUILD

REF_BUILD, NEW_BUILD  two kbuild object trees (scripts/kvariant build
                      --out DIR puts one in DIR/build) of the same variant
--allow OBJ:FUNC      FUNC may exist in NEW_BUILD's OBJ (a path under the
                      build tree) without a counterpart in REF_BUILD, e.g.
                      arch/x86/kvm/x86.o:apx_standin_get

Every .o under arch/x86/kvm of REF_BUILD that kvm.ko, kvm-intel.ko or
kvm-amd.ko links (each *.mod lists them) is compared with NEW_BUILD's:
the same functions, each the same sequence of instructions and
relocations.  Jump targets become function-relative, relocations against
a text section name the function there, and the addends of relocations
against string sections and the numbers of local constant labels are
dropped (a function or string added to a file shifts them; the
instructions still have to match).
Exit 0 if all are equal, 1 if not, 2 on bad usage.
USAGE
}

objdump=${LLVM_OBJDUMP:-llvm-objdump-19}
allow=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--allow) [ $# -ge 2 ] || { usage >&2; exit 2; }; allow+=("$2"); shift ;;
	-*) echo "off_equiv: error: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 2 ] || { usage >&2; exit 2; }
ref=$1 new=$2
command -v "$objdump" >/dev/null || { echo "1..0 # SKIP $objdump missing (Debian llvm-19)"; exit 0; }
for d in "$ref" "$new"; do
	[ -f "$d/arch/x86/kvm/kvm.mod" ] || { echo "off_equiv: error: $d has no arch/x86/kvm/kvm.mod (not a KVM build)" >&2; exit 2; }
done

# funcs OBJECT: "FUNCTION<TAB>normalized body" per line, sorted.  A
# relocation against a section plus an offset (".text+0x14e80", the
# address of a static function) names the symbol there instead, and local
# constant labels (".LC133") lose their number: both shift when a function
# or a string is added elsewhere in the file.
funcs() {
	{
		"$objdump" -t "$1" | awk '$NF !~ /^\./ && NF >= 6 { print "SYM", $(NF - 2), $1, $NF }'
		"$objdump" -d -r --no-show-raw-insn "$1"
	} | awk '
	function hex(x,   v, i) {
		v = 0; sub(/^0x/, "", x)
		for (i = 1; i <= length(x); i++)
			v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
		return v
	}
	# name+delta of the symbol at or below OFF in section SEC
	function at(sec, off,   i, best, bv) {
		best = ""; bv = -1
		for (i = 0; i < ns; i++)
			if (ssec[i] == sec && sval[i] <= off && sval[i] > bv) { bv = sval[i]; best = sname[i] }
		return best == "" ? sec "+?" : best "+" (off - bv)
	}
	function out() { if (fn != "") printf "%s\t%s\n", fn, body }
	$1 == "SYM" { ssec[ns] = $2; sval[ns] = hex($3); sname[ns] = $4; ns++; next }
	/^[0-9a-f]+ <[^>]+>:$/ {
		out()
		fn = $2; sub(/^</, "", fn); sub(/>:$/, "", fn); body = pad = ""; next
	}
	fn == "" || /^$/ || /^Disassembly/ { next }
	{
		# "  1a: R_X86_64_PLT32 foo-0x4" / "  1a:  jmp 0x1c <fn+0x1c>"
		sub(/^[ \t]*[0-9a-f]+:[ \t]*/, "")
		gsub(/0x[0-9a-f]+ <[^>+]+/, "<")
		if ($1 ~ /^R_/ && $2 ~ /^\.(rodata|str)/)
			sub(/[+-]0x[0-9a-f]+$/, "", $2)
		if ($1 ~ /^R_/ && match($2, /^\.text[.a-z]*\+0x[0-9a-f]+/)) {
			split(substr($2, 1, RLENGTH), p, "+")
			$2 = at(p[1], hex(p[2])) substr($2, RLENGTH + 1)
		}
		gsub(/\.LC[0-9]+/, ".LC")
		gsub(/[ \t]+/, " ")
		# Padding between functions is not part of either.
		if ($0 ~ /^(nop|int3)/) { pad = pad $0 ";"; next }
		body = body pad $0 ";"; pad = ""
	}
	END { out() }' | sort
}

n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

mapfile -t objs < <(cat "$ref"/arch/x86/kvm/{kvm,kvm-intel,kvm-amd}.mod 2>/dev/null |
	tr ' ' '\n' | grep '\.o$' | sort -u)
[ ${#objs[@]} -gt 0 ] || { echo "off_equiv: error: no objects listed in $ref/arch/x86/kvm/*.mod" >&2; exit 2; }
for o in "${objs[@]}"; do
	o=${o#./}
	if [ ! -f "$ref/$o" ] || [ ! -f "$new/$o" ]; then
		notok "$o: missing in $ref or $new"
		continue
	fi
	a=$(funcs "$ref/$o") b=$(funcs "$new/$o")
	if [ "$a" = "$b" ]; then
		ok "$o: $(printf '%s\n' "$a" | grep -c .) functions identical"
		continue
	fi
	# Differences are fine only as allowed extra functions.
	bad=$({ diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") || true; } | awk -v o="$o" -v allow="${allow[*]}" '
		BEGIN { n = split(allow, l, " "); for (i = 1; i <= n; i++) ok[l[i]] = 1 }
		/^>/ { f = $2; sub(/\t.*/, "", f); if ((o ":" f) in ok) next }
		/^[<>]/ { f = $2; sub(/\t.*/, "", f); print $1 " " f }' | sort -u | head -20)
	if [ -z "$bad" ]; then
		ok "$o: identical but for the allowed extra functions"
	else
		notok "$o: functions differ ('<' $ref, '>' $new)"
		printf '%s\n' "$bad" | sed 's/^/# /'
	fi
done
echo "1..$n"
[ $fails -eq 0 ]
