#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run harness steps (harness/STEP.sh) one after the other, keep going when
# one fails, then print the result table and write results.json and
# junit.xml (harness/results.py). Exits non-zero when anything failed. A
# step that dies before writing its results counts as one failure, and so
# does one that exits non-zero while its results say it passed.
#
#   harness/run.sh STEP...   (STEP: harness/STEP.sh, or a script's path)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
res=${RESULTS:-$OUT/results}
mkdir -p "$res"
rm -f "$res"/*.result "$res/known-defects.hits"
t0=$(now)
for s in "$@"; do
	# a step is harness/STEP.sh, or a script's path (the harness selftest's)
	script=$TOP/harness/$s.sh
	[[ "$s" != */* ]] || { script=$s s=$(basename "$s" .sh); }
	[ -x "$script" ] || die "run: no such step: ${script#"$TOP"/}"
	mark=$(mktemp)
	st=$(now)
	"$script"
	rc=$?
	if [ -z "$(find "$res" -name '*.result' -newer "$mark")" ]; then
		printf '%s 0 1 0 %s\n' "$s" "$(($(now) - st))" >"$res/$s.result"
		printf 'FAIL %s: the step stopped before it produced results (exit %s; see above)\n' "$s" "$rc" >&2
	elif [ "$rc" != 0 ] && ! find "$res" -maxdepth 1 -name '*.result' -newer "$mark" -exec cat {} + |
			awk '$3 > 0 { f = 1 } END { exit !f }'; then
		# the step failed, yet every result it wrote passed: its exit
		# status is the failure (a target it did not boot, say)
		record_failure "$res" "$s-exit" exit \
			"the step $s exited with status $rc while its results passed: its output says why"
	fi
	rm -f "$mark"
done
rc=0
"$TOP/harness/report.sh" "$(($(now) - t0))" || rc=1
# results.json and junit.xml for CI, read back; a malformed KTAP of a
# step that passed fails the run
python3 "$TOP/harness/results.py" "$res" "$(kunit_tool_dir)" "$(kernel_version "$SRC")" "$(qemu_summary)" || rc=1
exit "$rc"
