#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the KUnit suite in drivers/iommu/tests with the kernel's own
# tools/testing/kunit/kunit.py, on build/linux or on KERNEL_SRC.
#
#   ARCH=um (default) | arm64 | x86_64   (non-UML runs under QEMU)
#   DEBUG=1   add configs/kunit-debug.config (KASAN) to the suite's config
#
# Writes build/results/kunit-ARCH[-debug].{log,ktap,json,result} (the JSON is
# kunit.py's, and gives the counts) and prints the
# KTAP and a one-line summary. Exits non-zero when a test fails or crashes,
# or when the kernel log has a report of the list (KERNEL_REPORTS in lib.sh)
# outside the lockdep suite, which WARNs on purpose and counts its WARNs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

arch=${ARCH:-um}
select_tree
ccache_env
case "$arch" in um|arm64|x86_64) ;; *)
	die "ARCH=$arch is not supported by 'make kunit'." "Use ARCH=um, arm64 or x86_64 (kunit_arch_args, harness/lib.sh)." ;;
esac

name=kunit-$arch
extra=()
if [ "${DEBUG:-0}" = 1 ]; then
	name=$name-debug
	extra=(--kunitconfig="$TOP/configs/kunit-debug.config")
fi
# on another base than the first, the results' names say which
name+=$BASE_TAG
res=${RESULTS:-$OUT/results}
mkdir -p "$res"
log=$res/$name.log
bdir=$OUT/$name
json=$res/$name.json
rm -f "$res/$name.result" "$res/$name.problems" "$bdir/test.log" "$json"
t0=$(now)

# A KERNEL_SRC tree without the series (harness/foreign.sh): the test
# files it can build run, with the .kunitconfig of those; every case of
# the others is SKIP, with what the tree lacks. A base whose series does
# not carry the IOMMU suite (the mainline one carries the driver core's
# test only, until the suite's stock-API cases are split out): the files
# its series hooks up run, the others' cases are SKIP with that reason.
plan=$OUT/kunit-plan
if [ "$SRC" = "$TREE" ]; then
	rm -f "$plan"
	grep -q 'tests/Kconfig' "$SRC/drivers/iommu/Kconfig" || kunit_base_plan "$plan" "$OUT/kunitconfig"
fi
if [ -f "$plan" ] && grep -qx 'mode no-series' "$plan"; then
	if [ "$SRC" = "$TREE" ]; then
		what="with $BASE_SERIES/, which does not carry the IOMMU suite"
	else
		what="without the series"
	fi
	info "kunit: Linux $(kernel_version "$SRC") $what: $(grep -c '^run ' "$plan") test file(s) build, the cases of $(grep -c '^skip ' "$plan") are SKIP (${plan#"$TOP"/})"
	kunit_config=$OUT/kunitconfig
	if ! grep -q '^run ' "$plan"; then
		skipped=$(python3 "$TOP/harness/kunit_skips.py" "$plan" "$SRC" - "$res/$name.ktap") ||
			die "kunit ($arch): writing the skipped files' KTAP failed (harness/kunit_skips.py, plan ${plan#"$TOP"/})."
		cat "$res/$name.ktap"
		printf '%s %s %s %s %s\n' "$name" 0 0 "$skipped" "$(($(now) - t0))" >"$res/$name.result"
		printf '%s: %s passed, %s failed, %s skipped in %s s\n' "$name" 0 0 "$skipped" "$(($(now) - t0))"
		exit 0
	fi
fi
step "kunit ($arch${extra:+, debug}): kunit.py run --kunitconfig=${kunit_config:-drivers/iommu/tests} (log: ${log#"$TOP"/})"
# kunit.py's own progress lines go to the terminal; everything to the log.
set +e
kunit_py "$arch" "$bdir" "${extra[@]}" --json="$json" 2>&1 | tee "$log" |
	if [ "$V" = 1 ]; then cat; else
		grep --line-buffered -E '^\[[0-9:]+\] (Configuring|Building|Starting|Elapsed)' || true
	fi
rc=${PIPESTATUS[0]}
set -e
secs=$(($(now) - t0))

if [ -f "$bdir/test.log" ]; then
	(cd "$SRC" && python3 tools/testing/kunit/kunit.py parse --raw_output=kunit \
		"$bdir/test.log") >"$res/$name.ktap" 2>/dev/null || true
fi
# the counts from kunit.py's own JSON (KernelCI's test API), not its text
counts=$(iommutest kunit-counts "$json" 2>/dev/null) || counts=
if [ -z "$counts" ]; then
	tail -n 40 "$log" >&2
	die "kunit ($arch): kunit.py did not run the tests (build or boot failed; log above, full log: $log)." \
	    "Fix the error, or run with V=1 for the whole output."
fi
read -r passed failed skipped <<<"$counts"
if [ -n "${kunit_config:-}" ]; then
	n=$(python3 "$TOP/harness/kunit_skips.py" "$plan" "$SRC" "$res/$name.ktap" "$res/$name.ktap.all") ||
		die "kunit ($arch): adding the skipped files' cases to the KTAP failed (harness/kunit_skips.py, plan ${plan#"$TOP"/})." \
		    "Rerun 'make tree KERNEL_SRC=...' to write the plan again; if it persists, the test file's case array is not what kunit_skips.py reads."
	mv "$res/$name.ktap.all" "$res/$name.ktap"
	skipped=$((skipped + n))
fi
# what fails the run besides its cases: one problem each (the report's
# model counts them, as it does a guest's)
problem() { printf '%s %s\n' "$1" "$2" >>"$res/$name.problems"; failed=$((failed + 1)); }
if [ $((passed + failed + skipped)) = 0 ]; then
	problem no-tests "kunit.py reported no test case (log: ${log#"$TOP"/})"
elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
	problem exit "kunit.py exited with status $rc while no case failed (log: ${log#"$TOP"/})"
fi
report=$(kunit_log_report "$bdir/test.log")
[ -z "$report" ] || problem report "the kernel log of the KUnit run has a report: $(grep -m1 -E "$KERNEL_REPORTS" <<<"$report")"

if [ "$V" != 1 ]; then
	cat "$res/$name.ktap" 2>/dev/null || true
	[ "$failed" = 0 ] || sed -n '/=====/,$p' "$log" | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^\[[0-9:]*\] *\(=*\)$' | tail -n 60
fi
if [ -n "$report" ]; then
	echo "FAIL: the kernel log of the KUnit run has a report (from $bdir/test.log):"
	printf '%s\n' "$report" | sed 's/^/    /'
fi
printf '%s %s %s %s %s\n' "$name" "$passed" "$failed" "$skipped" "$secs" >"$res/$name.result"
printf '%s: %s passed, %s failed, %s skipped in %s s\n' "$name" "$passed" "$failed" "$skipped" "$secs"
[ "$failed" = 0 ]
