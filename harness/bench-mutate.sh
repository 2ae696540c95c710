#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# How surely and how fast the race suite kills the mutations that only a
# race shows (those in mutations/ whose Killed-by names iommu_fwspec_race's
# case): figures, never a pass/fail test. Per mutation, a KUnit kernel for
# BENCH_ARCH (x86_64, two CPUs under QEMU; arm64 or um also work) is built
# with it in build/kunit-BENCH_ARCH-mutant, and the race suite alone runs
# BENCH_KILL_RUNS (20) times, each cut off after BENCH_KILL_TIMEOUT (30) s
# (a broken kernel may hang after its first failure). Prints how many runs
# killed it and the median and worst time to kill: from kunit.py starting
# the kernel to the first failing case, by kunit.py's time stamps (whole
# seconds, the guest's boot included).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutation_no_kernel_src bench-mutate
arch=${BENCH_ARCH:-x86_64}
runs=${BENCH_KILL_RUNS:-20}
timeout=${BENCH_KILL_TIMEOUT:-30}
select_tree
ccache_env
bdir=$OUT/kunit-$arch-mutant
res=$OUT/results
mkdir -p "$res"
race_case=race_configure_vs_iommu_registration
# kunit.py exec needs to know how the kernel of BENCH_ARCH runs (as kunit_py)
case "$arch" in
um)	exec_args=() ;;
arm64)	exec_args=(--arch=arm64 --cross_compile=aarch64-linux-gnu- "--qemu_args=-smp 2") ;;
*)	exec_args=("--arch=$arch" "--qemu_args=-smp 2") ;;
esac

# kill_seconds LOG: seconds from kunit.py's start of the kernel to its first
# failing case, by kunit.py's own time stamps (whole seconds)
kill_seconds() {
	awk '/Starting KUnit Kernel/ && !t0 { t0 = secs($1) }
	     /\[(FAILED|CRASHED)\]/ && t0 { print secs($1) - t0; exit }
	     function secs(ts) { gsub(/[][]/, "", ts); split(ts, a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }' "$1"
}
stats() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "median %.1f s, min %.1f, max %.1f (n=%d)", m, v[1], v[NR], NR }'; }

mapfile -t muts < <(grep -l "^Killed-by:.*$race_case" "$TOP"/mutations/*.patch)
[ "${#muts[@]}" -gt 0 ] || die "no mutation in mutations/ names $race_case."
for m in "${muts[@]}"; do
	name=$(basename "$m" .patch)
	log=$res/bench-mutate-$name.log
	: >"$log"
	step "bench-mutate $name: building the $arch KUnit kernel with it (log: ${log#"$TOP"/})"
	mutation_apply "$m"
	kunit_py "$arch" "$bdir" iommu_fwspec_race --timeout "$timeout" >>"$log" 2>&1 || true
	mutation_restore
	[ -f "$bdir/.config" ] || die "bench-mutate: the $arch KUnit kernel did not build." "See ${log#"$TOP"/}."
	step "bench-mutate $name: $runs runs of iommu_fwspec_race"
	killed=0 times=()
	for i in $(seq "$runs"); do
		# A broken kernel may hang after its first failure: kunit.py's
		# own timeout ends the run; the failure is seen by then
		(cd "$SRC" && python3 tools/testing/kunit/kunit.py exec --build_dir="$bdir" \
			"${exec_args[@]}" --timeout "$timeout" iommu_fwspec_race) >"$log.run" 2>&1 || true
		cat "$log.run" >>"$log"
		# the race case, or one of its parameters, failed or crashed
		if grep -Eq "\\[(FAILED|CRASHED)\\] ($race_case|configure vs )" "$log.run"; then
			killed=$((killed + 1))
			times+=("$(kill_seconds "$log.run")")
		fi
	done
	rm -f "$log.run"
	printf '%s on %s: killed in %d of %d runs; time to kill: %s\n' "$name" "$arch" \
		"$killed" "$runs" "$(printf '%s\n' "${times[@]}" | sed '/^$/d' | stats)"
done
