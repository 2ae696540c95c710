#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run harness steps (harness/STEP.sh) one after the other, keep going when
# one fails, then print the result table and write results.json and
# junit.xml (harness/iommutest: one model of the run). Exits non-zero when anything failed. A
# step that dies before writing its results counts as one failure, and so
# does one that exits non-zero while its results say it passed.
#
#   harness/run.sh STEP...   (STEP: harness/STEP.sh, or a script's path;
#                            STEP@NAME: on the base NAME of harness/bases,
#                            its results beside the others')
set -uo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
res=${RESULTS:-$OUT/results}
mkdir -p "$res"
rm -f "$res"/*.result "$res"/*.problems "$res/known-defects.hits"
# results_state: every NAME.result under the results, "MD5  PATH", sorted
results_state() { find "$res" -name '*.result' -exec md5sum {} + 2>/dev/null | sort; }
t0=$(now)
for s in "$@"; do
	# a step is harness/STEP.sh, or a script's path (the harness selftest's),
	# STEP@NAME the step on another base
	on=()
	if [[ "$s" == *@* ]]; then
		[ -n "$(base_line "${s#*@}")" ] || die "run: $s: no base ${s#*@} in harness/bases."
		on=(env IOMMU_TEST_LINUX="${s#*@}" IOMMU_TEST_RESULTS="$res")
		s=${s%@*}
	fi
	script=$TOP/harness/$s.sh
	[[ "$s" != */* ]] || { script=$s s=$(basename "$s" .sh); }
	[ -x "$script" ] || die "run: no such step: ${script#"$TOP"/}"
	[ "${#on[@]}" -eq 0 ] || s=$s-${on[1]#IOMMU_TEST_LINUX=}
	# what the step wrote: the results that are new or changed after it
	# (by content, not by time stamp: a file's mtime can equal that of a
	# mark made a moment before it)
	before=$(results_state)
	st=$(now)
	"${on[@]}" "$script"
	rc=$?
	wrote=$(comm -13 <(echo "$before") <(results_state) | cut -d' ' -f3-)
	if [ -z "$wrote" ]; then
		record_failure "$res" "$s" not-run "the step stopped before it produced results (exit $rc; see above)"
	elif [ "$rc" != 0 ] && ! while read -r f; do [ "$(dirname "$f")" != "$res" ] || cat "$f"; done <<<"$wrote" |
			awk '$3 > 0 { f = 1 } END { exit !f }'; then
		# the step failed, yet every result it wrote passed: its exit
		# status is the failure (a target it did not boot, say)
		record_failure "$res" "$s-exit" exit \
			"the step $s exited with status $rc while its results passed: its output says why"
	fi
done
rc=0
# the table, the known defects, why each failed step failed, the summary
# line, results.json and junit.xml: one model, one verdict
iommutest report "$res" --wall "$(($(now) - t0))" --kernel "$(kernel_version "$SRC")" \
	--qemu-summary "$(qemu_summary)" --qemu-selected "$(qemu_selected)" \
	--known-defects "$KNOWN_DEFECTS" || rc=1
exit "$rc"
