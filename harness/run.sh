#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run harness steps (harness/STEP.sh) one after the other, keep going when
# one fails, then print the result table and write results.json and
# junit.xml (harness/results.py). Exits non-zero when anything failed. A
# step that dies before writing its results counts as one failure.
#
#   harness/run.sh STEP...
set -uo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
res=$OUT/results
mkdir -p "$res"
rm -f "$res"/*.result "$res/known-defects.hits"
t0=$(now)
for s in "$@"; do
	[ -x "$TOP/harness/$s.sh" ] || die "run: no such step: harness/$s.sh"
	mark=$(mktemp)
	st=$(now)
	"$TOP/harness/$s.sh"
	rc=$?
	if [ -z "$(find "$res" -name '*.result' -newer "$mark")" ]; then
		printf '%s 0 1 0 %s\n' "$s" "$(($(now) - st))" >"$res/$s.result"
		printf 'FAIL %s: the step stopped before it produced results (exit %s; see above)\n' "$s" "$rc" >&2
	fi
	rm -f "$mark"
done
rc=0
"$TOP/harness/report.sh" "$(($(now) - t0))" || rc=1
# results.json and junit.xml for CI, read back; a malformed KTAP of a
# step that passed fails the run
python3 "$TOP/harness/results.py" "$res" "$(kunit_tool_dir)" "$(kernel_version "$SRC")" || rc=1
exit "$rc"
