#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Do the guests notice when code only they reach is broken? Each patch in
# mutations/guest/ (mutations/guest-7.3/ for LINUX=7.3) breaks the firmware code (IORT, VIOT,
# acpi_iommu_configure_id()), an IOMMU driver (of_xlate_fwspec, map,
# attach) or one of the series' driver fixes; its header says what, and the
# guest target and the check that must then fail:
#
#   Mutation: <what the patch breaks>
#   Killed-by: <target> <check>
#
# <check> is a KTAP case of the guest's tests (a smoke test case such as
# dma_read_pattern, or a case of the kselftest (load.iommu_driver_load_race,
# storm.<scenario>.endpoints_work_after), which then runs
# alone and is killed when it fails or the guest dies of a kernel report
# in it, or hung in it) or kernel_report (the guest judge found a report of
# the list). Verdicts come from the boot's NAME.ktap and NAME.problems
# (harness/boot.sh), not from its messages.
# Every mutation is applied to build/linux on its own, a guest kernel is
# built with it under build/mutant-<kind> (ccache shares the objects with
# the real guest kernels, which stay as they are), the target boots, and the
# patch is taken out again (also on error or ^C). One KTAP line per
# mutation, with the seconds from boot to the verdict. A mutation whose
# failure the known-defect filter (harness/known-defects) would take for a
# known defect is not killed: that entry is too wide.
#
#   MUTATIONS="name ..."   only these (file names without .patch)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutation_no_kernel_src mutate-guests
select_tree
res=$OUT/results
mkdir -p "$res"
knob GUEST_KERNEL_PREFIX mutant-
knob KCSAN 0

# The mutations of the base's tree: mutations/guest/ for the first base
# (harness/bases), mutations/guest-NAME/ for another (LINUX=NAME)
mdir=mutations/guest
[ "$BASE_OUT" = "$BUILD" ] || mdir=mutations/guest-$LINUX
shopt -s nullglob
muts=()
if [ -n "${MUTATIONS:-}" ]; then
	for m in $MUTATIONS; do
		[ -f "$TOP/$mdir/$m.patch" ] ||
			die "no $mdir/$m.patch." "Names: $(cd "$TOP/$mdir" 2>/dev/null && ls | sed 's/\.patch$//' | tr '\n' ' ')"
		muts+=("$TOP/$mdir/$m.patch")
	done
else
	muts=("$TOP"/"$mdir"/*.patch)
fi
[ "${#muts[@]}" -gt 0 ] || die "no mutations in $mdir/."

step "guest mutations: ${#muts[@]} breakages of code only the guests reach, each must fail its check"
ktap_begin "${#muts[@]}"
for m in "${muts[@]}"; do
	name=$(basename "$m" .patch)
	read -r target check extra <<<"$(sed -n 's/^Killed-by: *//p' "$m")"
	if [ -z "${check:-}" ] || [ -n "${extra:-}" ]; then
		ktap_not_ok "$name" "${m#"$TOP"/} needs one 'Killed-by: <target> <check>' line"
		continue
	fi
	read -ra g <<<"$(guest_target "$target")"
	kind=${g[0]}
	if ! git_t apply --check "$m" 2>/dev/null; then
		ktap_not_ok "$name" "${m#"$TOP"/} does not apply to ${TREE#"$TOP"/}: refresh it against the series"
		continue
	fi
	log=$res/mutate-guest-$name.log
	image=initramfs prog=$TOP/harness/guest/iommu_smoke.c append=
	if [[ "$check" == load.* || "$check" == storm.* ]]; then
		image=storm prog=$SRC/tools/testing/selftests/iommu/iommu_probe_storm.c
		append="$(scenario_args "$(case_scenario "$check")") STORM_SECONDS=3"
	fi
	info "$name: building the $kind guest kernel with it"
	if ! mutant_guest "$m" "$kind" "$image" "$prog" "$log"; then
		ktap_not_ok "$name" "the mutated kernel did not build: see ${log#"$TOP"/}"
		continue
	fi
	info "$name: booting $target"
	out=$res/mutate-guests/$name
	rm -f "$out".*
	IOMMU_TEST_IMAGE=$image IOMMU_TEST_GUEST_TIMEOUT=90 IOMMU_TEST_RESULTS=$res/mutate-guests IOMMU_TEST_GUEST_APPEND=$append \
		"$TOP/harness/guest.sh" "$name" "${g[@]}" >>"$log" 2>&1 || true
	read -r _ _ _ _ secs <"$out.result" 2>/dev/null || secs=-
	if [ "$check" = kernel_report ]; then
		grep -q '^report ' "$out.problems"
	elif [[ "$check" == load.* || "$check" == storm.* ]]; then
		# the scenario failed, or it ran and the guest died of a report
		# or hung in it
		[ "$(iommutest ktap-status "$out.ktap" "$check")" = FAIL ] ||
			{ grep -qE "RUN +$check " "$out.log" &&
			  grep -qE '^(report|watchdog|died) ' "$out.problems"; }
	else
		[ "$(iommutest ktap-status "$out.ktap" "$check")" = FAIL ]
	fi && killed=1 || killed=0
	# the known-defect filter of the real runs must not excuse it
	if [ "$killed" = 1 ] && kd=$(known_defect "$target" "$out.log"); then
		ktap_not_ok "$name" "$target $check failed, but harness/known-defects takes the failure for known defect ${kd%%|*} (in $(cut -d'|' -f2 <<<"$kd")): that entry's signature is wide enough to hide this breakage"
	elif [ "$killed" = 1 ]; then
		ktap_ok "$name: $target $check failed in $secs s"
	else
		ktap_not_ok "$name" "$(sed -n 's/^Mutation: *//p' "$m"), and $target $check did not fail (log: ${log#"$TOP"/})"
	fi
done
ktap_end "$res" mutate-guests
