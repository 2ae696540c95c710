#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Figures, never pass/fail: the QEMUs of harness/qemu-versions side by
# side. The same guest kernel and storm image boot BENCH_BOOTS (20) times
# on each QEMU, alternating (boot 1 on the first QEMU, boot 1 on the
# second, boot 2 on the first, ...), so that the host's load falls on both
# alike. A boot runs one storm scenario alone (BENCH_SCENARIO, default
# iommu_unbind_bind_under_storm, STORM_SECONDS 3) or, with
# BENCH_SCENARIO=race, a load-race boot of RACE_TRIALS (20) load races on
# the lean race kernel (RACE_KERNEL=sanitized: on the KASAN one). Per
# target and QEMU it prints the boots, how each
# ended (passed; QEMU crashed, with its frame; a known defect of
# harness/known-defects; another failure, with its first problem), the
# median and range of a boot's seconds, and the median storm rate of each
# operation (cycles per second of wall time) or load races per minute.
#
#   BENCH_TARGETS  guest targets (default arm64-virtio-iommu-dt)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
targets=${BENCH_TARGETS:-arm64-virtio-iommu-dt}
boots=${BENCH_BOOTS:-20}
scenario=${BENCH_SCENARIO:-iommu_unbind_bind_under_storm}
secs=${STORM_SECONDS:-3}
trials=${RACE_TRIALS:-20}
mapfile -t qemus < <(qemu_names)
res=$OUT/results/bench-qemu
mkdir -p "$res"
storm=$SRC/tools/testing/selftests/iommu/iommu_probe_storm.c

lean=0
if [ "$scenario" = race ]; then
	case "${RACE_KERNEL:=lean}" in
	lean)		lean=1 ;;
	sanitized)	lean=0 ;;
	*)		die "RACE_KERNEL=$RACE_KERNEL: no such race kernel." "Use lean or sanitized." ;;
	esac
fi
for t in $targets; do
	read -ra g <<<"$(guest_target "$t")"
	[ "$scenario" != race ] || [ "${g[2]}" != - ] ||
		die "$t has no load race: its IOMMU driver is built in." "Pick a target with a module (lib.sh guest_target)."
	GUEST_LEAN=$lean build_guest_kernel "${g[0]}" >/dev/null
	IOMMU_TEST_IMAGE=storm "$TOP/harness/initramfs.sh" \
		"$(GUEST_LEAN=$lean kind_dir "${g[0]}")" "$(kind_arch "${g[0]}")" "$storm" >/dev/null
	# this target's files of an earlier run go; other targets' stay
	rm -f "$res/$t".boots "$res/$t"-*
	step "bench-qemu $t: $boots boots of ${scenario} on each of ${qemus[*]}, alternating"
	for i in $(seq "$boots"); do
		for q in "${qemus[@]}"; do
			name=$t-$q-$i
			if [ "$scenario" = race ]; then
				IOMMU_TEST_QEMU=$q IOMMU_TEST_GUEST_LEAN=$lean \
					load_race_boot "$res" "$name" "$trials" "${RACE_TRIAL_MS:-200}" "${g[@]}" >"$res/$name.out" 2>&1 || true
			else
				IOMMU_TEST_QEMU=$q IOMMU_TEST_IMAGE=storm IOMMU_TEST_RESULTS=$res IOMMU_TEST_GUEST_TIMEOUT=180 \
				IOMMU_TEST_GUEST_APPEND="$(scenario_args "$scenario") STORM_SECONDS=$secs STORM_THREADS=${STORM_THREADS:-4}" \
					"$TOP/harness/guest.sh" "$name" "${g[@]}" >"$res/$name.out" 2>&1 || true
			fi
			# QEMU SECONDS HOW [CYCLES]: how the boot ended
			read -r _ _ f _ s <"$res/$name.result" 2>/dev/null || { f=1 s=0; }
			if [ "$f" = 0 ]; then
				how=passed
			elif grep -q '^qemu-crash ' "$res/$name.problems" 2>/dev/null; then
				how="qemu-crash:$(sed -n -E '1s/.* in ([A-Za-z_0-9]+)\(\).*/\1/p' "$res/$name.problems")"
			elif kd=$(QEMU=$q known_defect "$t" "$res/$name.log"); then
				how="known-defect-${kd%%|*}"
			else
				how="failed:$(sed -n 1p "$res/$name.problems" 2>/dev/null | cut -d' ' -f1)"
			fi
			printf '%s %s %s %s\n' "$q" "$s" "$how" "$(sed -n -E \
				's/^# .*:cycles in [0-9]+ s, ([0-9]+) ms of wall time: bind\/unbind ([0-9]+), remove\/rescan ([0-9]+), iommu unbind\/bind ([0-9]+).*/\1:\2:\3:\4/p;
				 s/^# .*:load races: ([0-9]+) of [0-9]+ in .*/races:\1/p' "$res/$name.log" | sed -n 1p)" >>"$res/$t.boots"
		done
		[ $((i % 5)) != 0 ] || info "$i of $boots rounds"
	done
done

# median of the numbers on stdin, "-" for none
median() { sort -n | awk '{ v[++n] = $1 } END { if (!n) print "-"; else if (n % 2) print v[(n + 1) / 2]; else printf "%.1f\n", (v[n / 2] + v[n / 2 + 1]) / 2 }'; }
echo
for t in $targets; do
	echo "$t, $scenario ($([ "$scenario" = race ] && echo "$trials load races of ${RACE_TRIAL_MS:-200} ms, $RACE_KERNEL kernel" || echo "STORM_SECONDS=$secs, KASAN kernel")):"
	printf '  %-34s %6s %7s %s\n' QEMU boots passed "how the others ended"
	for q in "${qemus[@]}"; do
		b=$(awk -v q="$q" '$1 == q' "$res/$t.boots")
		printf '  %-34s %6s %7s %s\n' "$q ($(qemu_version "$q" | cut -d' ' -f1))" "$(wc -l <<<"$b")" \
			"$(grep -c ' passed' <<<"$b" || true)" \
			"$(awk '$3 != "passed" { print $3 }' <<<"$b" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
	done
	printf '  %-34s %10s %12s %s\n' QEMU "boot s" "(min-max)" "median of the passed boots' rates"
	for q in "${qemus[@]}"; do
		b=$(awk -v q="$q" '$1 == q' "$res/$t.boots")
		p=$(awk '$3 == "passed"' <<<"$b")
		if [ "$scenario" = race ]; then
			rate="load races/min $(awk '{ split($4, a, ":"); if ($2 > 0) print 60 * a[2] / $2 }' <<<"$p" | median)"
		else
			rate=
			for op in 2:bind/unbind 3:remove/rescan 4:"iommu unbind/bind"; do
				rate+="${rate:+, }${op#*:} $(awk -v k="${op%%:*}" '{ split($4, a, ":"); if (a[1] > 0) print 1000 * a[k + 0] / a[1] }' <<<"$p" | median)/s"
			done
		fi
		printf '  %-34s %10s %12s %s\n' "$q" "$(awk '{ print $2 }' <<<"$b" | median)" \
			"$(awk '{ print $2 }' <<<"$b" | sort -n | sed -n '1p;$p' | paste -sd- -)" "$rate"
	done
done
