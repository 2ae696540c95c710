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
rm -f "$res/reused"
# results_state: every NAME.result under the results, "MD5  PATH", sorted;
# files_state: every file of the results directory itself
results_state() { find "$res" -name '*.result' -exec md5sum {} + 2>/dev/null | sort; }
files_state() { find "$res" -maxdepth 1 -type f ! -name reused -exec md5sum {} + 2>/dev/null | sort; }
# step_key STEP ENV...: the key under which the result of STEP on the base
# of ENV (the step's environment) is kept, when STEP is deterministic
# (harness/iommutest/cache.py) and this run may reuse results (no
# FRESH=1, no KERNEL_SRC); nothing otherwise
step_key() {
	local step=$1
	shift
	[ "${FRESH:-0}" != 1 ] && [ -z "${KERNEL_SRC:-}" ] || return 0
	"$@" bash -c '. "$1/harness/lib.sh" && select_tree &&
		iommutest cache-key "$1" "$2" "$BASE_SERIES" "$LINUX $(base_installed)" \
			"$(tree_sum) $(git_t diff HEAD | sha1sum | cut -c1-40)"' _ "$TOP" "$step"
}
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
	stem=$s
	[ "${#on[@]}" -eq 0 ] || s=$s-${on[1]#IOMMU_TEST_LINUX=}
	# a deterministic step whose inputs are byte for byte those of a run
	# that passed is not run again: its results are copied back
	key=$(step_key "$stem" "${on[@]}") || key=
	if [ -n "$key" ] && iommutest cache-restore "$key" "$res" >/dev/null; then
		step "$s: reused (its inputs are those of a run that passed, cache key ${key:0:12}; FRESH=1 runs it)"
		echo "$s" >>"$res/reused"
		continue
	fi
	# what the step wrote: the results that are new or changed after it
	# (by content, not by time stamp: a file's mtime can equal that of a
	# mark made a moment before it)
	before=$(results_state) before_files=$(files_state)
	st=$(now)
	"${on[@]}" "$script"
	rc=$?
	wrote=$(comm -13 <(echo "$before") <(results_state) | cut -d' ' -f3-)
	# a step that passed is kept for the next run with its inputs
	if [ -n "$key" ] && [ "$rc" = 0 ] && [ -n "$wrote" ] &&
	   ! while read -r f; do cat "$f"; done <<<"$wrote" | awk '$3 > 0 { f = 1 } END { exit !f }'; then
		mapfile -t kept < <(comm -13 <(echo "$before_files") <(files_state) | cut -d' ' -f3-)
		iommutest cache-store "$key" "$s" "${kept[@]}" || warn "$s: its result could not be kept for the next run"
	fi
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
