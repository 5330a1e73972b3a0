# SPDX-License-Identifier: GPL-2.0-only
# rows.awk FILE...: one line per result row of exitbench results files,
#   test <TAB> apx <TAB> xcr0 <TAB> strategy <TAB> status <TAB> median
# (median: cycles.median as written, empty unless status is ok).
# For busybox ramdisks, where there is no JSON parser: it reads the
# pretty-printed JSON that exitbench writes (one key or value per line)
# by tracking the path of keys, not by position, so key order and
# indentation do not matter.  tests/lab checks it against Python's json.
# Compressed files (.gz) are read through gzip -dc.
function out() {
	printf "%s\t%s\t%s\t%s\t%s\t%s\n", row["test"], row["apx"], row["xcr0"],
		row["strategy"], row["status"],
		row["status"] == "ok" ? row["cycles/median"] : ""
}
function value(s) {
	sub(/,[ \t]*$/, "", s)
	sub(/^[ \t]+/, "", s)
	if (s ~ /^".*"$/)
		s = substr(s, 2, length(s) - 2)
	return s
}
function line(l,    t, key, rest, opens, closes, p, i) {
	t = l
	# Strings cannot open or close anything: blank them before counting.
	gsub(/"([^"\\]|\\.)*"/, "\"\"", t)
	opens = gsub(/[[{]/, "&", t)
	closes = gsub(/[]}]/, "&", t)
	key = ""
	if (match(l, /^[ \t]*"[^"]*"[ \t]*:/)) {
		key = substr(l, RSTART, RLENGTH)
		rest = substr(l, RSTART + RLENGTH)
		sub(/^[ \t]*"/, "", key)
		sub(/"[ \t]*:$/, "", key)
	}
	if (opens > closes) {
		stack[++depth] = key == "" ? "[]" : key
		# A row opens: ROOT results [].
		if (depth == 3 && stack[2] == "results" && stack[3] == "[]")
			split("", row)
		return
	}
	if (closes > opens) {
		for (i = closes - opens; i > 0; i--) {
			if (depth == 3 && stack[2] == "results" && stack[3] == "[]")
				out()
			depth--
		}
		return
	}
	if (key == "" || depth < 3 || stack[2] != "results")
		return
	# Inside a row: its own keys and those of its sub-objects.
	p = key
	for (i = depth; i > 3; i--)
		p = stack[i] "/" p
	row[p] = value(rest)
}
BEGIN {
	for (a = 1; a < ARGC; a++) {
		f = ARGV[a]
		depth = 0
		cmd = ""
		if (f ~ /\.gz$/) {
			cmd = "gzip -dc '" f "'"
			while ((cmd | getline l) > 0)
				line(l)
			close(cmd)
		} else {
			while ((getline l < f) > 0)
				line(l)
			close(f)
		}
	}
	exit 0
}
