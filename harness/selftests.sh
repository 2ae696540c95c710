#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest tools/testing/selftests/iommu/iommu_probe_storm in QEMU
# guests, with the real IOMMU drivers, on the guest targets (lib.sh):
#   arm64 virt + SMMUv3 (DT), arm64 virt + virtio-iommu (DT),
#   arm64 virt + SMMUv3 under UEFI (ACPI IORT), x86_64 q35 + virtio-iommu
#   (ACPI VIOT), x86_64 q35 + intel-iommu and + amd-iommu (built in: no
#   load-race boots).
# Per target: one boot runs every scenario, then RACE_BOOTS short boots run
# only iommu_driver_load_race, RACE_TRIALS load races each (the test puts
# the machine back as it booted between two: driver unloaded, endpoints
# new). Every boot is judged by boot.sh (a kernel report or a hang fails
# it). Prints a table target x scenario.
#
#   SELFTEST_TARGETS  targets (default: all)
#   RACE_BOOTS        load-race boots per target (default 5)
#   RACE_TRIALS       load races per race boot (default 40), each a storm
#                     of RACE_TRIAL_MS (200) ms before the load and after it
#   RACE_KERNEL       lean (default): the race boots run the lean race
#                     kernels (lockdep, no KASAN or kmemleak: twice the
#                     trials a minute); sanitized: the full boot's kernel
#   STORM_SECONDS, STORM_THREADS, STORM_IOMMU_THREADS, STORM_EXCLUDE
#                     passed to the test
#   GUEST_TIMEOUT     watchdog of the full boot (default 300 s)
#
# The table gives each scenario's result and time (storm plus checks). In
# it, CRASH is a scenario that started and never reported: the
# guest died or hung in it (its log is build/results/selftests-TARGET.log).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
targets=${SELFTEST_TARGETS:-$GUEST_TARGETS}
boots=${RACE_BOOTS:-5}
trials=${RACE_TRIALS:-40}
trial_ms=${RACE_TRIAL_MS:-200}
case "${RACE_KERNEL:=lean}" in
lean)	race_lean=1 ;;
sanitized) race_lean=0 ;;
*)	die "RACE_KERNEL=$RACE_KERNEL: no such race kernel." "Use lean or sanitized." ;;
esac
storm=$SRC/tools/testing/selftests/iommu/iommu_probe_storm.c
[ -f "$storm" ] || die "no ${storm#"$TOP"/}." "Run 'make tree': it copies tools/ of this repo into the tree."
res=${RESULTS:-$OUT/results}
mkdir -p "$res"
append="STORM_SECONDS=${STORM_SECONDS:-3} STORM_THREADS=${STORM_THREADS:-4}"
[ -z "${STORM_EXCLUDE:-}" ] || append+=" $(exclude_args "$STORM_EXCLUDE")"
[ -z "${STORM_IOMMU_THREADS:-}" ] || append+=" STORM_IOMMU_THREADS=$STORM_IOMMU_THREADS"

known() { known_boot "$res" "$@"; }

race_boots() {
	local t=$1 dir=$res/selftests-race-$1$BASE_TAG ok=0 bad=0 kn=0 i t0
	shift
	rm_build "$dir"
	mkdir -p "$dir"
	step "selftests-race-$t$BASE_TAG: $boots boots of $trials load races, each loading the IOMMU driver during an endpoint storm ($RACE_KERNEL kernel)"
	t0=$(now)
	for i in $(seq "$boots"); do
		# a race boot must run: one a known defect cut short is booted
		# again (must_run_boot)
		race_boot() {
			IOMMU_TEST_GUEST_LEAN=$race_lean load_race_boot "$dir" "boot-$i" "$trials" "$trial_ms" "$@" \
				>"$dir/boot-$i.out" 2>&1
		}
		if must_run_boot "$res" "$dir" "boot-$i" "$t" race_boot "$@"; then
			kn=$((kn + MUST_RUN_CUT))
			if grep -qE "^# .*:load races: $trials of $trials in " "$dir/boot-$i.log"; then
				ok=$((ok + 1))
			else
				bad=$((bad + 1))
				echo "not ok: boot $i of selftests-race-$t$BASE_TAG passed without its $trials load races (${dir#"$TOP"/}/boot-$i.log):"
				grep -E '^# |^ok ' "$dir/boot-$i.log" | sed 's/^/    /'
			fi
		else
			kn=$((kn + MUST_RUN_CUT))
			bad=$((bad + 1))
			echo "not ok: boot $i of selftests-race-$t$BASE_TAG (${dir#"$TOP"/}/boot-$i.log):"
			tail -n 40 "$dir/boot-$i.out" 2>/dev/null | sed 's/^/    /'
			sed 's/^/    /' "$dir/boot-$i.problems" 2>/dev/null
		fi
		[ $((i % 10)) != 0 ] || info "$i boots, $bad failed, $kn known defects"
	done
	printf 'selftests-race-%s %s %s %s %s\n' "$t$BASE_TAG" "$ok" "$bad" "$kn" "$(($(now) - t0))" >"$res/selftests-race-$t$BASE_TAG.result"
	printf 'selftests-race-%s: %s passed, %s failed, %s known defects in %s s; %s\n' "$t$BASE_TAG" "$ok" "$bad" "$kn" \
		"$(($(now) - t0))" "$(race_trials_done "$dir"/boot-*.log) load races done"
	[ "$bad" = 0 ]
}

rc=0
built=" "
# guest_kernel_and_storm KIND LEAN: build KIND's guest kernel (the lean
# race kernel when LEAN is 1) and its storm initramfs, once per run
guest_kernel_and_storm() {
	# shellcheck disable=SC2034 # kind_dir and sanitizer_config read it
	local GUEST_LEAN=$2
	[[ "$built" != *" $(kind_dir "$1") "* ]] || return 0
	build_guest_kernel "$1" &&
		IOMMU_TEST_IMAGE=storm "$TOP/harness/initramfs.sh" "$(kind_dir "$1")" "$(kind_arch "$1")" "$storm" &&
		built+="$(kind_dir "$1") "
}
for t in $targets; do
	read -ra g <<<"$(guest_target "$t")"
	kind=${g[0]}
	# no stale figures from an earlier run in the table
	rm -f "$res/selftests-$t$BASE_TAG.result" "$res/selftests-race-$t$BASE_TAG.result"
	if ! guest_kernel_and_storm "$kind" 0; then
		rc=1
		target_not_run "$res" "selftests-$t$BASE_TAG" "the $kind guest kernel or its storm initramfs did not build (output above; build/logs/build-$(kind_dir "$kind").log)"
		continue
	fi
	if ! IOMMU_TEST_IMAGE=storm IOMMU_TEST_GUEST_TIMEOUT=${GUEST_TIMEOUT:-300} IOMMU_TEST_GUEST_APPEND="$append" \
		"$TOP/harness/guest.sh" "selftests-$t$BASE_TAG" "${g[@]}"; then
		if [ ! -f "$res/selftests-$t$BASE_TAG.result" ]; then
			rc=1
			target_not_run "$res" "selftests-$t$BASE_TAG" "the guest was not booted or not judged (output above)"
		elif known "selftests-$t$BASE_TAG" "$t" "$res/selftests-$t$BASE_TAG.log"; then
			result_as_known "$res" "selftests-$t$BASE_TAG"
			# what failed besides the defect's scenario still fails
			! grep -qE '^[^ ]+ [0-9]+ [1-9]' "$res/selftests-$t$BASE_TAG.result" || rc=1
		else
			rc=1
		fi
	fi
	if [ "${g[2]}" = - ]; then
		info "selftests-race-$t$BASE_TAG: no load-race boots: the IOMMU driver is built in"
	elif [ "$boots" != 0 ]; then
		if ! guest_kernel_and_storm "$kind" "$race_lean"; then
			rc=1
			target_not_run "$res" "selftests-race-$t$BASE_TAG" "the $RACE_KERNEL race kernel of $kind or its storm initramfs did not build (output above)"
			continue
		fi
		race_boots "$t" "${g[@]}" || rc=1
	fi
done

# target x scenario, from each full boot's KTAP
read -ra scenarios <<<"$STORM_SCENARIOS"
echo
printf '%-26s' target; printf ' %-14.14s' load_race bind_unbind remove_rescan iommu_rebind race_boots seconds; echo
for t in $targets; do
	printf '%-26s' "$t"
	for s in "${scenarios[@]}"; do
		v=$(scenario_status "$res/selftests-$t$BASE_TAG.ktap" "$s")
		# the scenario's own time, which the test prints at its end
		secs_s=$(scenario_lines "$res/selftests-$t$BASE_TAG.log" "$s" | sed -n -E 's/^.*:time: ([0-9.]+) s$/\1/p' | sed -n 1,1p)
		[ -z "$secs_s" ] || [ "$v" = - ] || v="$v ${secs_s}s"
		printf ' %-14s' "$v"
	done
	read -r _ p f _ secs 2>/dev/null <"$res/selftests-$t$BASE_TAG.result" || { p=0 f=1 secs=-; }
	r=-
	[ ! -f "$res/selftests-race-$t$BASE_TAG.result" ] ||
		r="$(awk '{ print $2 "/" $2 + $3 }' "$res/selftests-race-$t$BASE_TAG.result") x$trials"
	printf ' %-14s %s\n' "$r" "$secs"
done
# the summary line: scenarios of the full boots, then the race boots
tp=0 tf=0 ts=0 rp=0 rf=0 rk=0 rt=0
for t in $targets; do
	if read -r _ p f sk _ 2>/dev/null <"$res/selftests-$t$BASE_TAG.result"; then
		tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + sk))
	else
		tf=$((tf + 1))
	fi
	! read -r _ p f k _ 2>/dev/null <"$res/selftests-race-$t$BASE_TAG.result" ||
		{ rp=$((rp + p)) rf=$((rf + f)) rk=$((rk + k)) rt=$((rt + $(race_trials_done "$res/selftests-race-$t$BASE_TAG"/boot-*.log))); }
done
echo "selftests ($(kernel_version "$SRC"), $(qemu_summary)): $tp passed, $tf failed, $ts skipped; race boots: $rp passed, $rf failed, $rk known defects; $rt load races done"
exit "$rc"
