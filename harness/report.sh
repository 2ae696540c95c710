#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the result table from build/results/*.result (one line each:
# "NAME PASSED FAILED SKIPPED SECONDS"), why each failed step failed, and
# the closing summary line.
# Exits non-zero when anything failed or nothing ran.
#
#   harness/report.sh [TOTAL-SECONDS]
set -uo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
res=${RESULTS:-$OUT/results}
shopt -s nullglob
files=("$res"/*.result)
[ "${#files[@]}" -gt 0 ] || die "no results in ${res#"$TOP"/}." "Run 'make run' or 'make check'."

echo
printf '%-38s %7s %7s %7s %7s  %s\n' "suite / target" passed failed skipped seconds result
printf '%.0s-' {1..82}; echo
tp=0 tf=0 ts=0
# shellcheck disable=SC2094
while read -r name p f s secs; do
	verdict=PASS
	[ "$f" -gt 0 ] && verdict=FAIL
	[ "$f" = 0 ] && [ "$p" = 0 ] && [ "$s" -gt 0 ] && verdict=SKIP
	printf '%-38s %7s %7s %7s %7s  %s\n' "$name" "$p" "$f" "$s" "$secs" "$verdict"
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
done < <(cat "${files[@]}")
printf '%.0s-' {1..82}; echo
[ -n "${1:-}" ] && echo "wall time: $1 s; logs and KTAP: ${res#"$TOP"/}/"
echo "guests on $(qemu_summary)"
# Every known defect, hit in this run or not: it stays in view until fixed
if grep -qv '^#' "$KNOWN_DEFECTS" 2>/dev/null; then
	echo "known defects (their boots still run; a boot one of them cuts short skips only the scenario it hit, and a check that must run is booted again):"
	grep -v '^#' "$KNOWN_DEFECTS" | while IFS='|' read -r id qemus _ targets scens _ _ rate doc _; do
		[ -n "$id" ] || continue
		hits=$(awk -v id="$id" '$NF == id' "$res/known-defects.hits" 2>/dev/null | wc -l)
		here=
		# shellcheck disable=SC2086 # a space-separated list
		in_list "$(qemu_selected)" $qemus || here=" (not on this run's QEMU $(qemu_selected))"
		printf '  %s (QEMU %s%s; %s; in %s): %s; rate %s; hit %s time(s) in this run\n' \
			"$id" "$qemus" "$here" "$targets" "$scens" "$doc" "$rate" "$hits"
	done
fi
# Last, so that a console that keeps only a run's tail still says it: why
# each failed step failed, by its boot problems and its failed tests, and
# so for each failed boot of a step that boots several (DIR/NAME/*.result)
why_failed() {
	local b bf r _
	sed 's/^[a-z-]* //' "$1/$2.problems" 2>/dev/null
	ktap_failures "$1/$2.ktap"
	for r in "$1/$2"/*.result; do
		read -r b _ bf _ <"$r"
		[ "$bf" -gt 0 ] || continue
		echo "$b:"
		why_failed "$1/$2" "$b" | sed 's/^/  /'
	done
}
while read -r name p f s secs; do
	[ "$f" -gt 0 ] || continue
	echo "FAIL $name (logs: ${res#"$TOP"/}/$name*):"
	why_failed "$res" "$name" | sed 's/^/  /' |
		awk -v max=30 'NR <= max; END { if (NR > max) print "  ... (" NR - max " more lines)"
			if (!NR) print "  it recorded no boot problem and no failed test: its FAIL line above says why" }'
done < <(cat "${files[@]}")
echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" = 0 ] && [ "$tp" -gt 0 ]
