#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# How surely and how fast the race suite kills the mutations that only a
# race shows: figures, never a pass/fail test.
#
# KUnit: those in mutations/ whose Killed-by names iommu_race's
# case. Per mutation, a KUnit kernel for
# BENCH_ARCH (x86_64, two CPUs under QEMU; arm64 or um also work) is built
# with it in build/kunit-BENCH_ARCH-mutant, and the race suite alone runs
# BENCH_KILL_RUNS (20) times, each cut off after BENCH_KILL_TIMEOUT (30) s
# (a broken kernel may hang after its first failure). Prints how many runs
# killed it and the median and worst time to kill: from kunit.py starting
# the kernel to the first failing case, by kunit.py's time stamps (whole
# seconds, the guest's boot included).
#
# Guests: those in mutations/guest/ killed by load.iommu_driver_load_race.
# Per mutation, its target's guest kernel is built with it (as 'make
# mutate-guests' does) and boots BENCH_KILL_RUNS times, each running
# BENCH_KILL_TRIALS (30) load races of RACE_TRIAL_MS (200) ms; a boot kills
# it when a trial fails or the guest dies or hangs in the test. The time to
# kill is the guest's uptime then: the failing trial names it, a kernel
# report carries it.
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
kunit_arch_args "$arch"

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
	kunit_py "$arch" "$bdir" iommu_race --timeout "$timeout" >>"$log" 2>&1 || true
	mutation_restore
	[ -f "$bdir/.config" ] || die "bench-mutate: the $arch KUnit kernel did not build." "See ${log#"$TOP"/}."
	step "bench-mutate $name: $runs runs of iommu_race"
	killed=0 times=()
	for i in $(seq "$runs"); do
		# A broken kernel may hang after its first failure: kunit.py's
		# own timeout ends the run; the failure is seen by then
		rm -f "$bdir/bench.json"
		(cd "$SRC" && python3 tools/testing/kunit/kunit.py exec --build_dir="$bdir" --json="$bdir/bench.json" \
			"${KUNIT_ARCH_ARGS[@]}" --timeout "$timeout" iommu_race) >"$log.run" 2>&1 || true
		cat "$log.run" >>"$log"
		# the race case, or one of its parameters, failed or crashed
		if [ -s "$bdir/bench.json" ] &&
		   [ -z "$(iommutest kunit-survivors "$bdir/bench.json" "$race_case@iommu_race")" ]; then
			killed=$((killed + 1))
			times+=("$(kill_seconds "$log.run")")
		fi
	done
	rm -f "$log.run"
	printf '%s on %s: killed in %d of %d runs; time to kill: %s\n' "$name" "$arch" \
		"$killed" "$runs" "$(printf '%s\n' "${times[@]}" | sed '/^$/d' | stats)"
done

trials=${BENCH_KILL_TRIALS:-30}
knob GUEST_KERNEL_PREFIX mutant-
knob KCSAN 0
storm=$SRC/tools/testing/selftests/iommu/iommu_probe_storm.c
mapfile -t gmuts < <(grep -l '^Killed-by: .* load\.iommu_driver_load_race$' "$TOP"/mutations/guest/*.patch)
for m in "${gmuts[@]}"; do
	name=$(basename "$m" .patch)
	read -r target _ <<<"$(sed -n 's/^Killed-by: *//p' "$m")"
	read -ra g <<<"$(guest_target "$target")"
	log=$res/bench-mutate-$name.log
	dir=$res/bench-mutate-$name
	rm_build "$dir"
	step "bench-mutate $name: building the ${g[0]} guest kernel with it (log: ${log#"$TOP"/})"
	mutant_guest "$m" "${g[0]}" storm "$storm" "$log" ||
		die "bench-mutate: the mutated ${g[0]} guest kernel did not build." "See ${log#"$TOP"/}."
	step "bench-mutate $name: $runs boots of $target, $trials load races each"
	killed=0 times=()
	for i in $(seq "$runs"); do
		load_race_boot "$dir" "boot-$i" "$trials" "${RACE_TRIAL_MS:-200}" "${g[@]}" >>"$log" 2>&1 || true
		if t=$(guest_kill_seconds "$dir/boot-$i"); then
			killed=$((killed + 1))
			times+=("$t")
		fi
	done
	printf '%s on %s: killed in %d of %d boots; time to kill (uptime): %s\n' "$name" "$target" \
		"$killed" "$runs" "$(printf '%s\n' "${times[@]}" | sed '/^$/d' | stats)"
done
