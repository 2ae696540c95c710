#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Timings of the KUnit suite on UML, for the README and the notes; never a
# pass/fail test. In a build directory of its own (build/kunit-bench):
#   cold  - configure, build and run from an empty build directory (ccache
#           as it is: warm after any earlier build)
#   warm  - one test file touched, rebuild and run (BENCH_RUNS times)
#   run   - run the built kernel only, 'kunit.py exec' (BENCH_RUNS times)
# Prints the median, min and max of each and the warm/cold ratio.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=${BENCH_RUNS:-5}
select_tree
ccache_env
bdir=$OUT/kunit-bench
log=$OUT/results/bench-kunit.log
mkdir -p "$OUT/results"
: >"$log"

# elapsed CMD...: run CMD (output to the log), print its wall time in s
elapsed() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >>"$log" 2>&1 || die "bench-kunit: '$*' failed." "See ${log#"$TOP"/}."
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }'
}
stats() { sort -n | awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.1f s (min %.1f, max %.1f, n=%d)", m, v[1], v[NR], NR }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
kunit_exec() { (cd "$SRC" && python3 tools/testing/kunit/kunit.py exec --build_dir="$bdir" --timeout 300); }

step "bench-kunit: cold build+run in ${bdir#"$TOP"/} (a few minutes)"
rm_build "$bdir"
cold=$(elapsed kunit_py um "$bdir")
info "cold: $cold s"

step "bench-kunit: $runs warm runs (one test file touched) and $runs run-only"
warm=() run=()
for i in $(seq "$runs"); do
	touch "$SRC/drivers/iommu/tests/iommu_fwspec_kunit.c"
	warm+=("$(elapsed kunit_py um "$bdir")")
	run+=("$(elapsed kunit_exec)")
	info "run $i: warm ${warm[-1]} s, run-only ${run[-1]} s"
done

wm=$(printf '%s\n' "${warm[@]}" | median)
echo
read -r p f s <<<"$(iommutest ktap-counts --leaves "$bdir/test.log")"
echo "KUnit suite on UML ($(nproc) CPUs, $((p + f + s)) cases per run)"
printf '  cold build+run         %s s\n' "$cold"
printf '  warm rebuild+run       %s\n' "$(printf '%s\n' "${warm[@]}" | stats)"
printf '  suite run (exec only)  %s\n' "$(printf '%s\n' "${run[@]}" | stats)"
printf '  warm/cold              %s\n' "$(awk -v w="$wm" -v c="$cold" 'BEGIN { printf "%.2f", w / c }')"
