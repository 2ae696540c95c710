#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Figures of the kselftests, never pass/fail: runs 'make selftests' with
# BENCH_BOOTS (5) load-race boots of RACE_TRIALS (40) load races per
# target, then prints per target the storm rate of each scenario (cycles
# per second of wall time: one cycle is an unbind that succeeded, the
# endpoint then bound again by some thread, or a remove+rescan that both
# succeeded), load races per minute of race boot (QEMU start to power-off,
# over all the boots that passed and the median, min and max of one boot;
# the boots that failed are counted apart) and the time of the full boot.
# As a reference, one more boot per target runs harness/guest/shell_loop.sh:
# the same operations from a busybox shell loop, one at a time.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
knob RACE_BOOTS "${BENCH_BOOTS:-5}"
secs=${STORM_SECONDS:-3}
knob STORM_SECONDS "$secs"
"$TOP/harness/selftests.sh" >"$OUT/results/bench-selftests.log" 2>&1 ||
	warn "some selftests failed (${OUT#"$TOP"/}/results/bench-selftests.log); figures of what ran"
res=$OUT/results
echo
printf '%-26s %-30s %10s %10s\n' target scenario cycles cycles/s
for t in ${SELFTEST_TARGETS:-$GUEST_TARGETS}; do
	log=$res/selftests-$t.log
	[ -f "$log" ] || continue
	# per scenario, "...:cycles in S s, W ms of wall time: bind/unbind N,
	# remove/rescan M, iommu unbind/bind K"; the rate is over the wall time,
	# the storm's last operations included, as the shell loop's is
	for test in $STORM_SCENARIOS; do
		scenario_lines "$log" "$test" | sed -n -E "s/^.*:cycles in [0-9]+ s, ([0-9]+) ms of wall time: bind\/unbind ([0-9]+), remove\/rescan ([0-9]+), iommu unbind\/bind ([0-9]+).*/$test \1 \2 \3 \4/p"
	done |
	while read -r test ms b r i; do
		for pair in "bind/unbind:$b" "remove/rescan:$r" "iommu unbind/bind:$i"; do
			n=${pair##*:}
			[ "$n" -gt 0 ] || continue
			printf '%-26s %-30s %10s %10s\n' "$t" "$test (${pair%%:*})" "$n" \
				"$(awk -v n="$n" -v ms="$ms" 'BEGIN { printf "%.1f", 1000 * n / ms }')"
		done
	done
done

# the shell-loop reference, one boot per target
"$TOP/harness/deps.sh" --busybox >/dev/null
for t in ${SELFTEST_TARGETS:-$GUEST_TARGETS}; do
	read -ra g <<<"$(guest_target "$t")"
	IOMMU_TEST_IMAGE=shellloop "$TOP/harness/initramfs.sh" "$(kind_dir "${g[0]}")" \
		"$(kind_arch "${g[0]}")" "$TOP/harness/guest/shell_loop.sh" >/dev/null
	IOMMU_TEST_IMAGE=shellloop IOMMU_TEST_GUEST_APPEND="STORM_SECONDS=$secs" \
		"$TOP/harness/guest.sh" "shell-loop-$t" "${g[@]}" >"$res/shell-loop-$t.out" 2>&1 ||
		warn "the shell-loop boot of $t failed (${res#"$TOP"/}/shell-loop-$t.log)"
	# "# shell-loop: KIND N cycles in S.SS s"
	sed -n -E 's/^# shell-loop: (.*) ([0-9]+) cycles in ([0-9.]+) s$/\1:\2:\3/p' "$res/shell-loop-$t.log" |
	while IFS=: read -r kind n s; do
		printf '%-26s %-30s %10s %10s\n' "$t" "shell loop ($kind)" "$n" \
			"$(awk -v n="$n" -v s="$s" 'BEGIN { printf "%.1f", n / s }')"
	done
done

# per race boot of TARGET: "RACES SECONDS PASSED", the load races it ran to
# their end, its time from QEMU's start to power-off (boot.sh's) and 1 if
# the boot passed. A boot that failed (a known defect, a QEMU crash) is
# left out of the rates: its trials stopped early, and its figure would
# be the failure's, not the suite's.
race_boot_figures() {
	local log
	for log in "$res/selftests-race-$1"/boot-*.log; do
		[ -f "$log" ] || continue
		printf '%s %s\n' "$(race_trials_done "$log")" \
			"$(awk '{ print $5, $2 }' "${log%.log}.result")"
	done
}
echo
printf '%-26s %10s %12s %8s %12s %34s %12s\n' target race_boots failed_boots races races/min \
	"races/min of one boot" full_boot_s
for t in ${SELFTEST_TARGETS:-$GUEST_TARGETS}; do
	[ -f "$res/selftests-race-$t.result" ] || continue
	read -r _ _ _ _ full <"$res/selftests-$t.result" || full=-
	race_boot_figures "$t" |
	awk '$3 != 1 { print "failed"; next } $2 > 0 { print $1, $2, 60 * $1 / $2 }' | sort -n -k3 |
	awk -v t="$t" -v full="$full" '
		$1 == "failed" { failed++; next }
		{ n++; races += $1; secs += $2; r[n] = $3 }
		END {
			if (!n) { printf "%-26s %10s %12d\n", t, "no passed race boot", failed; exit }
			m = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
			printf "%-26s %10d %12d %8d %12.1f %34s %12s\n", t, n, failed, races,
				60 * races / secs,
				sprintf("median %.1f, min %.1f, max %.1f", m, r[1], r[n]), full
		}'
done
