#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the harness itself: its failures must speak and must not damage
# the prepared tree. Needs a prepared build/linux ('make tree'); the cases
# work in a scratch clone of it (build/selftest-linux), never in it.
#  1. KERNEL_SRC pointing nowhere: non-zero exit, names the path.
#  2. KERNEL_SRC pointing at something that is not a kernel: non-zero exit.
#  3. A series with a patch that does not apply: non-zero exit, names the
#     patch, and build/linux is exactly as before (HEAD, index, state).
#  4. A changed series over a tree with an unexported commit: refused, with
#     the command to run, and the commit is still there.
#  5. The guest judge (boot.sh), fed canned consoles by a fake QEMU: a clean
#     run passes; a WARNING, a guest that dies early, a guest that hangs and
#     a failed KTAP line each fail the run and say why; a QEMU that
#     crashes is named with its crashing frame, read from its core dump,
#     and a hard core-size limit of 0 stops no boot.
#  6. The real arm64 SMMUv3 guest without its IOMMU driver (the module named
#     does not exist) fails the smoke test, and so does one whose disks'
#     DMA bypasses the IOMMU (no iommu_platform=on) (SKIP without 'make smoke').
#  7. The kselftest in the real arm64 guest (SKIP without its image, made
#     by 'make selftests'): a wrong byte on the pattern disk, a WARNING in
#     the kernel log, storm threads that do nothing, a guest that does
#     not finish and a second load race without the unload before it each
#     fail it.
#  8. Every kernel report of the one list (tools/testing/selftests/iommu/
#     kernel_reports.h), by its example line: the guest judge (boot.sh),
#     the KUnit log judge and the guests' own matcher (kmsg_has_report(),
#     built for the host as harness/kmsg_judge.c) each fail on it, and
#     none fails on a clean boot; the KUnit judge leaves the lockdep
#     suite's deliberate WARNs to the suite.
#  9. A guest that died is not also said to have run without its sanitizer.
# 10. (A failed boot counts as a known defect only by its entry's QEMU,
#     base, target, scenario, first report and signature: a unit test of
#     harness/tests, run by 13.)
#     bench-mutate's time to kill a guest mutation is the failing trial's
#     uptime, else the first report's; a pass or a QEMU crash is no kill.
# 11. 'make standalone-check' fails on a patches/ with stale tests.
# 12. Safety as root: BUILD=/ moves nothing, rm_build refuses paths outside
#     build/, a plain ARCH is ignored, a second run is refused, ^C stops
#     QEMU, a run killed with a mutation applied or during git am is
#     repaired by the next 'make tree', a goal needs only its packages,
#     and a stale worktree is made again.
# 13. The Python side's unit tests (harness/tests: KTAP reader, one
#     verdict from one model); a boot cut short by a known defect reads
#     back with only its scenario skipped, naming it, and its own problems
#     kept as known-KIND.
# 14. BASE=fixes is the series up to its last patch for stable.
# 15. Every guest mutation applies to the series; every case a KUnit
#     mutation names is found in its suite (mutate.sh runs that suite).
# 16. The kselftest tarball: compressed modules (.ko.xz, .ko.zst, .ko.gz)
#     are found by name and loaded as compressed files; the nested KTAP
#     of run_kselftest.sh fails on a skipped, failed or missing scenario.
# 17. A KERNEL_SRC tree without the series, outside build/: not a byte of
#     it changes; the KUnit files it can build get their hook-up in the
#     copy, the others are SKIP with what the tree lacks, in KTAP that
#     kunit's parser reads.
# 18. The selftests table reads both kselftest_harness skip formats.
# 19. A guest kernel option the tree does not define is named as what the
#     tree lacks for the guests.
# 20. 'make checkpatch' fails on a patch with an SPDX identifier that
#     LICENSES/ does not have, and when scripts/spdxcheck.py cannot run.
# 21. The report's last lines say why each failed step failed (a boot's
#     problem, a failed test's expectation, a check's reason).
# 22. A guest kernel that does not build fails every target it was asked
#     for, each a row of the table; a step's non-zero exit always counts.
# 23. The guest judge fails a sanitizer that did not start and a program
#     init says failed while its KTAP is all ok.
# 24. QEMU holds no lock of the run and does not outlive its boot.sh.
# 25. The QEMU each guest boots on: the default, QEMU=, and the fallback
#     for a device a QEMU cannot run (amd-iommu on 10.0).
# 26. build/linux is as the selftest found it: every case that changes the
#     prepared tree works in the scratch clone build/selftest-linux (run
#     last, after 27).
# 27. A check that must run is booted again when a known defect cut it
#     short, and fails as "did not run" when every boot was cut.
# 28. The Linux base (harness/bases): the first unless LINUX= picks
#     another, which has a tree, kernels, results and a series of its own;
#     an unknown LINUX= is refused.
# 29. 'make standalone-check' fails a series whose commit messages name
#     the harness (its targets, knobs, defect numbers, series positions);
#     the mainline series' messages name none.
# Every case runs whatever the earlier ones did: no 'set -e' here.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "harness selftest needs build/linux." "Run 'make tree' first."
res=$BUILD/results
mkdir -p "$res"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The cases change the prepared tree (a series that does not apply,
# unexported work, a run killed with a mutation applied or during git
# am): they do so in a scratch clone of it, build/selftest-linux (objects
# shared, at build/linux's HEAD, with its harness state), never in
# build/linux, where people edit. Every script of this selftest works there
# (TREE_NAME).
scratch=$BUILD/selftest-linux
# build/linux as the selftest found it: HEAD, its last reflog entry (a
# commit or reset leaves one), the changes in it, the harness's state
real_tree_state() {
	git -C "$BUILD/linux" rev-parse HEAD
	git -C "$BUILD/linux" reflog -1 2>/dev/null
	git -C "$BUILD/linux" status --porcelain 2>/dev/null
	git -C "$BUILD/linux" diff 2>/dev/null | sha1sum
	cat "$BUILD/linux/.git/harness-series" "$BUILD/linux/.git/harness-undo" 2>/dev/null
}
real_before=$(real_tree_state)
if ! git -C "$scratch" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm_build "$scratch"
	step "cloning build/linux into ${scratch#"$TOP"/} for the harness selftest (once; its objects are shared)"
	git clone -q --shared --no-checkout "$TREE" "$scratch" || die "could not clone build/linux into $scratch."
fi
git -C "$scratch" am --abort >/dev/null 2>&1 || true
git -C "$scratch" fetch -q --tags "$TREE" HEAD &&
	git -C "$scratch" reset -q --hard FETCH_HEAD && git -C "$scratch" clean -fdq ||
	die "could not bring $scratch to build/linux's HEAD." "Remove it (rm -rf $scratch) and run again."
git -C "$scratch" config user.name "harness selftest"
git -C "$scratch" config user.email "selftest@localhost"
git -C "$scratch" config gc.auto 0
cp "$TREE/.git/harness-base" "$scratch/.git/"
rm -f "$scratch/.git/harness-undo"
"$TOP/harness/overlay.sh" "$scratch" >/dev/null
export IOMMU_TEST_TREE_NAME=selftest-linux
. "$(dirname "$0")/lib.sh"
record_state
result() {
	if [ "$1" = 0 ]; then
		ktap_ok "$2"
	else
		ktap_not_ok "$2" "$(cat "$tmp/out")"
	fi
}

# expect_failure NAME PATTERN CMD...: CMD must exit non-zero and say PATTERN.
expect_failure() {
	local label=$1 pattern=$2 rc=0
	shift 2
	"$@" >"$tmp/out" 2>&1 || rc=$?
	[ "$rc" != 0 ] && grep -qE "$pattern" "$tmp/out"
	result $? "$label"
}

mapfile -t reports < <(kernel_report_list)
ktap_begin $((58 + ${#reports[@]}))
expect_failure kernel_src_missing 'KERNEL_SRC=/nonexistent/linux does not exist' \
	env IOMMU_TEST_KERNEL_SRC=/nonexistent/linux "$TOP/harness/kunit.sh"
expect_failure kernel_src_not_a_kernel 'is not a Linux kernel tree' \
	env IOMMU_TEST_KERNEL_SRC="$TOP/harness" "$TOP/harness/tree.sh"

# A copy of the series whose first patch has a context line (in its first
# hunk) that is not in the base; with no series yet, a file that is not a
# patch at all.
mkdir -p "$tmp/patches"
first=$(series_patches | sed -n 1p)
if [ -n "$first" ]; then
	awk '/^@@/ { hunk = 1 }
	     hunk && !done && /^ / { print " this context line is not in the base"; done = 1; next }
	     { print }' "$first" >"$tmp/patches/0001-broken.patch"
else
	printf 'not a patch\n' >"$tmp/patches/0001-broken.patch"
fi
echo 0001-broken.patch >"$tmp/patches/series"
before=$(git -C "$TREE" rev-parse HEAD; git -C "$TREE" status --porcelain --untracked-files=no; cat "$STATE")
expect_failure broken_patch_is_named 'does not apply: .*0001-broken\.patch' \
	env IOMMU_TEST_PATCHES="$tmp/patches" "$TOP/harness/tree.sh"
after=$(git -C "$TREE" rev-parse HEAD; git -C "$TREE" status --porcelain --untracked-files=no; cat "$STATE")
{ echo "before: $before"; echo "after: $after"; } >"$tmp/out"
[ "$before" = "$after" ] && [ ! -d "$TREE/.git/rebase-apply" ]
result $? broken_patch_leaves_tree_unchanged

# An unexported kernel commit must survive a changed series. The commit is
# dropped again right after (the trap covers an interrupted run).
head=$(git -C "$TREE" rev-parse HEAD)
trap 'git -C "$TREE" reset -q --hard "$head"; rm -rf "$tmp"' EXIT
echo "harness selftest: unexported work" >>"$TREE/README"
git -C "$TREE" commit -q -a -m "selftest: unexported work"
work=$(git -C "$TREE" rev-parse HEAD)
# Non-zero when tree.sh refused and the commit is still there.
refuses_and_keeps_work() {
	local rc=0
	IOMMU_TEST_PATCHES="$tmp/patches" "$TOP/harness/tree.sh" || rc=$?
	[ "$(git -C "$TREE" rev-parse HEAD)" = "$work" ] && return "$rc"
	echo "the unexported commit is gone"
}
expect_failure unexported_work_is_kept 'not exported to patches/.*|make export' refuses_and_keeps_work
git -C "$TREE" reset -q --hard "$head"

# fake_qemu NAME BODY: a stand-in for qemu-system-* that runs BODY.
fake_qemu() {
	printf '#!/bin/sh\n%s\n' "$2" >"$tmp/$1"
	chmod +x "$tmp/$1"
}
boot() { IOMMU_TEST_RESULTS=$tmp/results "$TOP/harness/boot.sh" "$@"; }
ok_ktap='echo "TAP version 13"; echo "1..1"; echo "ok 1 fine"'
done_line='echo "guest-init: done: 1 programs, 0 failed"'

fake_qemu clean "$ok_ktap; $done_line"
boot selftest-clean 10 "$tmp/clean" >"$tmp/out" 2>&1
result $? judge_passes_clean_guest
fake_qemu warn "$ok_ktap; echo '[    1.0] WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:1 f+0x0/0x4'; $done_line"
expect_failure judge_fails_on_kernel_warning 'report: WARNING:.*' boot selftest-warn 10 "$tmp/warn"
fake_qemu died "$ok_ktap; echo 'Kernel offset: disabled'"
expect_failure judge_fails_on_early_stop 'stopped before guest-init finished' \
	boot selftest-died 10 "$tmp/died"
fake_qemu hang "$ok_ktap; exec sleep 60"
expect_failure judge_kills_hung_guest 'watchdog: the guest did not finish in 2 s' \
	boot selftest-hang 2 "$tmp/hang"
fake_qemu stall "$ok_ktap; echo '# # stalled: the storm still runs 60 s after its plan; the tasks that wait:'; exec sleep 60"
expect_failure judge_shows_stall_report_of_killed_guest '^---- stall report .*from line 4' \
	boot selftest-stall 2 "$tmp/stall"
# a QEMU that crashes: its crashing frame is read from its core dump,
# where the kernel's core_pattern and the hard core-size limit let one
# land, and the core is deleted; a hard limit of 0 stops no boot
fake_qemu segv "$ok_ktap"'; kill -SEGV $$'
crash_says='QEMU crashed \(.*status 139, SIGSEGV\) in [A-Za-z_.]+\(\): a bug of QEMU.*#0 '
case "$(cat /proc/sys/kernel/core_pattern)" in
*/* | '|'*) crash_says='QEMU crashed \(.*status 139, SIGSEGV\): .*no core dump of QEMU' ;;
esac
[ "$(ulimit -Hc)" != 0 ] || crash_says='QEMU crashed \(.*status 139, SIGSEGV\): .*no core dump of QEMU'
bash -c 'ulimit -Hc 0 && "$@"' _ env IOMMU_TEST_RESULTS="$tmp/results" \
	"$TOP/harness/boot.sh" selftest-nocore 10 "$tmp/clean" >"$tmp/nocore.out" 2>&1
result $? judge_boots_with_hard_core_limit_0
boot selftest-segv 10 "$tmp/segv" >"$tmp/segv.out" 2>&1
{ tr '\n' ' ' <"$tmp/segv.out" | grep -qE "$crash_says" ||
	echo "a crashed QEMU was not reported as '$crash_says'"
  [ ! -e "$tmp/results/selftest-segv.qemu-core" ] || echo "the crashed QEMU's core was left behind"
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? judge_reads_crashed_qemu_core
# a QEMU that gives up on an assertion: the frame named is the code that
# asserted, not abort()'s, and QEMU's own message is in the verdict
cat >"$tmp/abrt.c" <<'C'
#include <assert.h>
#include <stdio.h>
void virtio_fake_check(int ok) { assert(ok); }
int main(int argc, char **argv)
{
	puts("TAP version 13");
	fflush(stdout);
	virtio_fake_check(argc > 99);
	return 0;
}
C
mkdir -p "$tmp/abrt-bin"
cc -O0 -g -o "$tmp/abrt-bin/qemu-system-aarch64" "$tmp/abrt.c"
fake_qemu abrt "exec '$tmp/abrt-bin/qemu-system-aarch64'"
abrt_says="QEMU crashed \\(.*status 134, SIGABRT\\) in virtio_fake_check\\(\\) saying 'qemu-system-aarch64: .*abrt.c:3: virtio_fake_check: Assertion .ok. failed.'"
[ "$(ulimit -Hc)" != 0 ] && [[ "$(cat /proc/sys/kernel/core_pattern)" != */* && "$(cat /proc/sys/kernel/core_pattern)" != '|'* ]] ||
	abrt_says="QEMU crashed \\(.*status 134, SIGABRT\\) saying '.*Assertion .ok. failed.'"
boot selftest-abrt 10 "$tmp/abrt" >"$tmp/abrt.out" 2>&1
: >"$tmp/out"
tr '\n' ' ' <"$tmp/abrt.out" | grep -qE "$abrt_says" ||
	echo "an aborted QEMU was not reported as \"$abrt_says\": $(grep -m1 'QEMU crashed' "$tmp/abrt.out")" >"$tmp/out"
[ ! -s "$tmp/out" ]
result $? judge_names_asserting_frame_of_aborted_qemu
fake_qemu notok 'echo "TAP version 13"; echo "1..1"; echo "not ok 1 broken"; '"$done_line"
expect_failure judge_fails_on_not_ok '0 passed, 1 failed' boot selftest-notok 10 "$tmp/notok"
# what harness/mutate-guests.sh reads: one kind per problem, none for a
# guest whose own test failed
kinds() { cut -d' ' -f1 "$tmp/results/selftest-$1.problems" 2>/dev/null | tr '\n' ' '; }
{ for k in clean: warn:report died:died hang:watchdog notok:; do
	want=${k#*:}
	[ -z "$want" ] || want+=" "
	[ "$(kinds "${k%:*}")" = "$want" ] ||
		echo "selftest-${k%:*}.problems says '$(kinds "${k%:*}")', not '$want'"
  done
  [ -f "$tmp/results/selftest-clean.problems" ] || echo "a clean boot wrote no problems file"
} >"$tmp/out"
[ ! -s "$tmp/out" ]
result $? judge_writes_each_problem_kind

if [ -f "$BUILD/arm64/initramfs.cpio" ]; then
	expect_failure smoke_fails_without_iommu_driver 'not ok 3 endpoints_in_iommu_groups' \
		env IOMMU_TEST_RESULTS="$tmp/results" IOMMU_TEST_GUEST_TIMEOUT=60 "$TOP/harness/guest.sh" \
		selftest-no-driver arm64 virt,iommu=smmuv3,gic-version=3 no_such_iommu_driver
	expect_failure smoke_fails_when_dma_bypasses_iommu \
		'not ok 4 endpoints_dma_through_iommu.*|VIRTIO_F_ACCESS_PLATFORM not negotiated' \
		env IOMMU_TEST_RESULTS="$tmp/results" IOMMU_TEST_GUEST_TIMEOUT=60 IOMMU_TEST_GUEST_DMA_BYPASS=1 "$TOP/harness/guest.sh" \
		selftest-dma-bypass arm64 virt,iommu=smmuv3,gic-version=3 arm_smmu_v3
else
	ktap_skip smoke_fails_without_iommu_driver "no arm64 guest kernel (run 'make smoke' first)"
	ktap_skip smoke_fails_when_dma_bypasses_iommu "no arm64 guest kernel (run 'make smoke' first)"
fi

storm() {
	env IOMMU_TEST_RESULTS="$tmp/results" IOMMU_TEST_IMAGE=storm "$@" "$TOP/harness/guest.sh" \
		selftest-storm arm64 virt,iommu=smmuv3,gic-version=3 arm_smmu_v3
}
if [ -f "$BUILD/arm64/storm.cpio" ]; then
	one="$(scenario_args endpoint_bind_unbind) STORM_SECONDS=1"
	expect_failure storm_fails_on_corrupt_disk 'line 1000 of the pattern reads back wrong' \
		storm IOMMU_TEST_GUEST_TIMEOUT=120 IOMMU_TEST_GUEST_CORRUPT_DISK=1 IOMMU_TEST_GUEST_APPEND="$one"
	# the same disk, on a machine that does not say it is set up: SKIP
	storm IOMMU_TEST_GUEST_TIMEOUT=120 IOMMU_TEST_GUEST_CORRUPT_DISK=1 \
		IOMMU_TEST_GUEST_APPEND="$one EXPECT_ENDPOINTS=" >"$tmp/out" 2>&1 || true
	grep -qE '# SKIP no /dev/vd\* reads back the pattern' "$tmp/out" &&
		! grep -qE '^not ok|reads back wrong' "$tmp/out"
	result $? storm_skips_where_the_machine_is_not_set_up
	# TEST_ARGS reached the program: the one scenario asked for ran alone
	[ "$(grep -cE '^(not )?ok [0-9]+ ' "$tmp/out")" = 1 ] &&
		grep -qE '^ok 1 storm\.endpoint_bind_unbind\.endpoints_work_after ' "$tmp/out"
	result $? storm_runs_the_scenario_test_args_name
	expect_failure storm_fails_on_kernel_warning 'kernel log report:' \
		storm IOMMU_TEST_GUEST_TIMEOUT=120 IOMMU_TEST_GUEST_APPEND="$one STORM_INJECT_WARN=1"
	expect_failure storm_fails_when_idle 'under 1 a second: an idle storm' \
		storm IOMMU_TEST_GUEST_TIMEOUT=120 IOMMU_TEST_GUEST_APPEND="$one STORM_INJECT_IDLE=1"
	expect_failure storm_stall_is_reported 'stalled: the storm still runs 5 s after its plan' \
		storm IOMMU_TEST_GUEST_TIMEOUT=120 IOMMU_TEST_GUEST_APPEND="$one STORM_INJECT_STALL=1 STORM_STALL=5"
	expect_failure storm_guest_hang_is_killed 'watchdog: the guest did not finish in 4 s' \
		storm IOMMU_TEST_GUEST_TIMEOUT=4 IOMMU_TEST_GUEST_APPEND="STORM_SECONDS=30"
	expect_failure storm_load_race_trial_without_unload_fails 'trial 2: arm_smmu_v3 is still loaded' \
		storm IOMMU_TEST_GUEST_TIMEOUT=120 IOMMU_TEST_GUEST_APPEND="$(scenario_args iommu_driver_load_race) STORM_TRIALS=2 STORM_TRIAL_MS=200 STORM_INJECT_NO_UNLOAD=1"
else
	for c in storm_fails_on_corrupt_disk storm_skips_where_the_machine_is_not_set_up storm_runs_the_scenario_test_args_name \
		 storm_fails_on_kernel_warning storm_fails_when_idle \
		 storm_stall_is_reported storm_guest_hang_is_killed storm_load_race_trial_without_unload_fails; do
		ktap_skip "$c" "no arm64 kselftest image (run 'make selftests' first)"
	done
fi

# 8. The one list of kernel reports, seen by every judge
gcc -Wall -Werror -O2 -I"$TOP/tools/testing/selftests" -o "$tmp/kmsg_judge" \
	"$TOP/harness/kmsg_judge.c" >"$tmp/out" 2>&1
result $? guest_matcher_builds_for_host
kunit_log() {
	printf '%s\n' "KTAP version 1" "1..2" "    # Subtest: iommu_lockdep" "    1..1" \
		"[    1.2] WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:1 dev_iommu_get+0x0/0x4" \
		"    ok 1 lockdep_fwspec_init_needs_lock" "ok 1 iommu_lockdep" \
		"    # Subtest: iommu_fwspec" "    1..1" "$@" "    ok 1 fwspec_alloc" "ok 2 iommu_fwspec"
}
kunit_log >"$tmp/kunit.log"
{ kunit_log_report "$tmp/kunit.log"; "$tmp/kmsg_judge"; } >"$tmp/out" 2>&1
[ "$(cat "$tmp/out")" = clean ]
result $? judges_pass_clean_logs_and_lockdep_suite_warns
n=0
for r in "${reports[@]}"; do
	n=$((n + 1))
	pattern=${r%%$'\t'*} example=${r#*$'\t'}
	: >"$tmp/out"
	printf '%s\n' "$example" | grep -qE "$pattern" ||
		echo "the example does not match its own pattern" >>"$tmp/out"
	fake_qemu report "$ok_ktap; printf '[    2.5] %s\\n' '$example'; $done_line"
	boot "selftest-report-$n" 10 "$tmp/report" >"$tmp/boot.out" 2>&1 &&
		echo "boot.sh passed a guest that logged it" >>"$tmp/out"
	kunit_log "[    2.5] $example" >"$tmp/kunit.log"
	[ -n "$(kunit_log_report "$tmp/kunit.log")" ] ||
		echo "the KUnit log judge passed a run that logged it" >>"$tmp/out"
	[ "$("$tmp/kmsg_judge" "$example" | sed -n 1p)" = report ] ||
		echo "kmsg_has_report() in the guest passed a kernel log with it" >>"$tmp/out"
	missed=$(cat "$tmp/out")
	echo "example: $example" >>"$tmp/out"
	[ -z "$missed" ]
	result $? "kernel_report_fails_every_judge $n: $pattern"
done

# 9. One diagnosis for a guest that died
printf '%s\n' "[    3.0] Kernel panic - not syncing: Oops: Fatal exception" >"$tmp/died.log"
printf '%s\n' "guest-init: kernel log end" "guest-init: done: 1 programs, 0 failed" >"$tmp/done.log"
{ sed 1d "$tmp/done.log"; echo "kasan: KernelAddressSanitizer initialized (generic)"; } >"$tmp/up.log"
up='KernelAddressSanitizer initialized'
{ sanitizer_missing "$tmp/died.log" "$up" && echo "a dead guest is also said to lack its sanitizer"
  sanitizer_missing "$tmp/done.log" "$up" || echo "a finished guest without the sanitizer's line passes"
  sanitizer_missing "$tmp/up.log" "$up" && echo "a finished guest with the sanitizer's line fails"
} >"$tmp/out"
[ ! -s "$tmp/out" ]
result $? sanitizer_check_leaves_dead_guest_to_its_death

# 10. A known defect is known only by its own signature, on its QEMU and
# base, in its scenario: harness/tests/test_known_defects.py (13.)

# 11. The series must carry the repo's test files: a patches/ whose kselftest
# settings differ from the repo's fails 'make standalone-check'
mkdir -p "$tmp/stale"
cp "$PATCHES"/*.patch "$PATCHES/series" "$tmp/stale/"
sed -i 's/^+timeout=600$/+timeout=1/' "$tmp/stale/"*-selftests-iommu-Add-iommu_probe_storm.patch
expect_failure standalone_fails_on_stale_tests \
	'(patches|stale)/? has another version of: tools/testing/selftests/iommu/settings' \
	env IOMMU_TEST_PATCHES="$tmp/stale" IOMMU_TEST_RESULTS="$tmp/results" "$TOP/harness/standalone.sh"

# 12. Safe to run as root: no plain variable steers it, it deletes nothing
# outside build/, one run per checkout, ^C stops QEMU, and a run killed
# while build/linux was changed is undone by the next.
lib=$TOP/harness/lib.sh
# paths outside build/ that rm_build must refuse; deleting them would harm
# nothing if it did not
mkdir -p "$tmp/outside" "$TOP/.selftest-outside"
touch "$tmp/outside/file"
ln -sfn "$tmp/outside" "$BUILD/.selftest-link"
{ env BUILD=/ IOMMU_TEST_BUILD=/ bash -c '. "$1"; echo "BUILD=$BUILD"' _ "$lib" |
	grep -qx "BUILD=$BUILD" || echo "BUILD=/ in the environment moved build/"
  for p in "$tmp/outside" "$BUILD/../.selftest-outside" "$BUILD/.selftest-link/file"; do
	bash -c '. "$1"; rm_build "$2"' _ "$lib" "$p" >"$tmp/rm.out" 2>&1 ||
		grep -q "refusing to delete $p" "$tmp/rm.out" || echo "rm_build $p was not refused"
  done
  [ -f "$tmp/outside/file" ] && [ -d "$TOP/.selftest-outside" ] || echo "a refused path was deleted"
} >"$tmp/out" 2>&1
rm -rf "$TOP/.selftest-outside" "$BUILD/.selftest-link"
[ ! -s "$tmp/out" ]
result $? deletes_only_inside_build
{ env -u MAKELEVEL ARCH=sparc bash -c '. "$1"; echo "ARCH=${ARCH-unset}"' _ "$lib" 2>&1 |
	grep -qz 'ARCH=sparc in the environment is ignored.*ARCH=unset' ||
	echo "a plain ARCH in the environment was not ignored with a warning"
  [ "$(env IOMMU_TEST_ARCH=um bash -c '. "$1"; echo "$ARCH"' _ "$lib")" = um ] ||
	echo "IOMMU_TEST_ARCH did not set ARCH"
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? only_prefixed_variables_steer
# this run holds the checkout's lock; a second one must be refused
expect_failure second_run_is_refused 'another harness run holds this checkout \(pid [0-9]+' \
	env -u IOMMU_TEST_LOCKED bash -c '. "$1"; echo "took the lock"' _ "$lib"

# ^C as a terminal sends it: to the process group of the run (boot.sh here,
# started with job control so that it has one), not to QEMU's. A run
# started in the background (nohup, CI) inherits SIGINT ignored, and a
# shell cannot trap an ignored signal: boot.sh starts with SIGINT back to
# its default, as under a terminal.
fake_qemu sleeper "echo \$\$ >'$tmp/qemu.pid'; exec sleep 60"
rm -f "$tmp/qemu.pid"
set -m
python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
	env IOMMU_TEST_RESULTS="$tmp/results" "$TOP/harness/boot.sh" selftest-sigint 60 "$tmp/sleeper" \
	>"$tmp/sigint.out" 2>&1 &
bpid=$!
set +m
for _ in $(seq 50); do [ -s "$tmp/qemu.pid" ] && break; sleep 0.1; done
t0=$(now)
kill -INT -- "-$bpid" 2>/dev/null
for _ in $(seq 100); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
qpid=$(cat "$tmp/qemu.pid" 2>/dev/null)
{ [ -n "$qpid" ] || echo "the fake QEMU never started"
  kill -0 "$bpid" 2>/dev/null && echo "boot.sh still runs 10 s after ^C"
  [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null && echo "QEMU (pid $qpid) still runs $(($(now) - t0)) s after ^C"
} >"$tmp/out" 2>&1
[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null
kill -9 "$bpid" 2>/dev/null
[ ! -s "$tmp/out" ]
result $? sigint_stops_qemu

# killed with a mutation applied: the next 'make tree' takes it out
m=$(ls "$TOP"/mutations/*.patch | sed -n 1p)
{ bash -c '. "$1"; mutation_apply "$2" && kill -9 $$' _ "$lib" "$m"; } >/dev/null 2>&1
{ [ -n "$(tracked_dirt)" ] || echo "the killed run left no mutation to repair (test broken)"
  "$TOP/harness/tree.sh" >"$tmp/tree.out" 2>&1; grep -q "left $(basename "$m") applied" "$tmp/tree.out" ||
	{ echo "tree.sh did not say it took $(basename "$m") out:"; cat "$tmp/tree.out"; }
  dirt=$(tracked_dirt)
  [ -z "$dirt" ] || echo "build/linux is still changed: $dirt"
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? interrupted_mutation_is_taken_out
git -C "$TREE" checkout -q -- . 2>/dev/null

# killed during the series' git am: the next 'make tree' undoes it
bash -c '. "$1"; undo_note reset "$2"' _ "$lib" "$head"
git -C "$TREE" reset -q --hard HEAD~2
git -C "$TREE" am -q "$tmp/patches/0001-broken.patch" >/dev/null 2>&1
{ [ -d "$TREE/.git/rebase-apply" ] || echo "no git am was left part-way (test broken)"
  "$TOP/harness/tree.sh" >"$tmp/tree.out" 2>&1; grep -q "part-way through git am" "$tmp/tree.out" ||
	{ echo "tree.sh did not say it undid the interrupted git am:"; cat "$tmp/tree.out"; }
  [ "$(git -C "$TREE" rev-parse HEAD)" = "$head" ] || echo "build/linux is not back at the series"
  [ ! -d "$TREE/.git/rebase-apply" ] || echo "git am is still in progress"
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? interrupted_git_am_is_undone
git -C "$TREE" am --abort >/dev/null 2>&1
git -C "$TREE" reset -q --hard "$head"
rm -f "$UNDO"

# a goal is held up only by the packages it needs
{ d() { "$TOP/harness/deps.sh" --list --for "$1" | tr '\n' ' '; }
  [[ "$(d kunit)" != *qemu* ]] || echo "'make kunit' (UML) asks for QEMU: $(d kunit)"
  [[ "$(d checkpatch)" != *aarch64* ]] || echo "'make checkpatch' asks for a cross compiler"
  [[ "$(d smoke)" == *qemu-system-arm*qemu-system-x86*qemu-efi-aarch64* ]] ||
	echo "'make smoke' does not ask for both QEMUs and the arm64 firmware: $(d smoke)"
  [[ "$(env IOMMU_TEST_ARCH=arm64 "$TOP/harness/deps.sh" --list --for kunit | tr '\n' ' ')" == *gcc-aarch64-linux-gnu*qemu-system-arm* ]] ||
	echo "'make kunit ARCH=arm64' does not ask for the cross compiler and QEMU"
  # 'make deps' installs what any goal asks for, on any ARCH
  all=" $(d everything) "
  for g in kunit smoke selftests bench-mutate bisect-check allmod-check checkpatch; do
	for a in um arm64 x86_64; do
		for p in $(IOMMU_TEST_ARCH=$a IOMMU_TEST_BENCH_ARCH=$a d "$g"); do
			[[ "$all" == *" $p "* ]] || echo "'make deps' does not install $p, which 'make $g ARCH=$a' needs"
		done
	done
  done
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? deps_asks_only_what_the_goal_needs

# a worktree whose git directory is gone (build/linux made again) is made
# again, at base
wt=$BUILD/selftest-worktree
rm -rf "$wt"
mkdir -p "$wt"
echo "gitdir: $TREE/.git/worktrees/gone-with-an-old-build-linux" >"$wt/.git"
{ bash -c '. "$1"; base_worktree "$2"' _ "$lib" "$wt" >/dev/null ||
	echo "base_worktree failed on a stale worktree"
  [ "$(git -C "$wt" rev-parse HEAD 2>/dev/null)" = "$(git -C "$TREE" rev-parse 'base^{commit}')" ] ||
	echo "the stale worktree was not made again at base"
} >"$tmp/out" 2>&1
rm -rf "$wt"
git -C "$TREE" worktree prune
[ ! -s "$tmp/out" ]
result $? stale_worktree_is_made_again

# BASE=fixes takes the series up to its last patch for stable, and refuses
# to leave out one after it
mkdir -p "$tmp/fixes-patches"
for n in 1 2 3; do
	{ echo "Subject: [PATCH 0$n/03] patch $n"; echo
	  [ "$n" != 2 ] || echo "Cc: stable@vger.kernel.org"; } >"$tmp/fixes-patches/000$n-p.patch"
done
printf '%s\n' 0001-p.patch 0002-p.patch 0003-p.patch >"$tmp/fixes-patches/series"
expect_failure fixes_are_the_series_up_to_the_last_stable_patch \
	'The fixes are patches 01 to 02,' \
	env IOMMU_TEST_PATCHES="$tmp/fixes-patches" "$TOP/harness/pristine.sh" fixes-without-03

# every guest mutation still applies to the series ('make mutate-guests'
# is not in 'make check', so a stale one would go unseen until it runs)
for m in "$TOP"/mutations/guest/*.patch; do
	git -C "$TREE" apply --check "$m" 2>/dev/null ||
		echo "${m#"$TOP"/} does not apply to build/linux: refresh it against the series"
done >"$tmp/out"
[ ! -s "$tmp/out" ]
result $? guest_mutations_apply

# every case a KUnit mutation names is found in its suite, by the suite's
# own name (mutate.sh filters its run to it and reads a crash by it: the
# unit tests of kunit-survivors, harness/tests)
{ for m in "$TOP"/mutations/*.patch; do
	for c in $(sed -n 's/^Killed-by: *//p' "$m"); do
		[ -n "$(SRC=$TREE case_suite "$c")" ] ||
			echo "${m#"$TOP"/}: no suite in build/linux holds the case $c"
	done
  done
  [ "$(SRC=$TREE suites_glob of_no_iommus_property_is_no_iommu of_configure_twice_is_noop)" = iommu_of ] ||
	echo "two cases of iommu_of do not run that suite alone"
  [ -z "$(SRC=$TREE suites_glob of_configure_twice_is_noop race_configure_vs_iommu_registration)" ] ||
	echo "cases of two suites do not run every suite"
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? mutation_cases_found_in_their_suites

# 10b. bench-mutate's time to kill of a guest mutation: the failing trial's
# uptime, else the first report's time stamp; a passed boot and a QEMU
# crash are no kill
k=$tmp/kill
c=load.iommu_driver_load_race
{ printf '%s\n' "#  RUN           $c ..." "# s.c:1:iommu_driver_load_race:trial 3 of 30 failed, at 57 s of uptime" \
	"not ok 1 $c" >"$k-trial.log"
  grep '^not ok' "$k-trial.log" >"$k-trial.ktap"; : >"$k-trial.problems"
  printf '%s\n' "#  RUN           $c ..." "[   41.25] BUG: KASAN: slab-use-after-free in x" "[   50.00] later" >"$k-report.log"
  : >"$k-report.ktap"; echo "report the kernel log has a report" >"$k-report.problems"
  printf '%s\n' "#  RUN           $c ..." "[   12.00] up" "ok 1 $c" >"$k-pass.log"
  echo "ok 1 $c" >"$k-pass.ktap"; : >"$k-pass.problems"
  printf '%s\n' "#  RUN           $c ..." "[   12.00] up" >"$k-qemu.log"
  : >"$k-qemu.ktap"; echo "qemu-crash QEMU crashed" >"$k-qemu.problems"
  [ "$(guest_kill_seconds "$k-trial")" = 57 ] || echo "the failing trial's uptime is not the time to kill"
  [ "$(guest_kill_seconds "$k-report")" = 41 ] || echo "the report's time stamp is not the time to kill"
  guest_kill_seconds "$k-pass" >/dev/null && echo "a boot that passed killed the mutation"
  guest_kill_seconds "$k-qemu" >/dev/null && echo "a QEMU crash killed the mutation"
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? bench_mutate_guest_time_to_kill

# 13. the harness's Python side (harness/iommutest), its unit tests
# (harness/tests): the KTAP reader on each KTAP the harness meets, and one
# verdict: the table, the summary line, results.json, junit.xml and the
# exit status agree, a known-defect boot with an earlier failure
# included; a malformed .result and a truncated KTAP of a step that passed
# fail the run, naming the file
(cd "$TOP/harness" && "$PYTHON" -m unittest discover -s tests -t . 2>&1) >"$tmp/out" ||
	{ cat "$tmp/out" >"$tmp/out.full"; tail -n 30 "$tmp/out.full" >"$tmp/out"; false; }
result $? harness_python_unit_tests

# 16. what the guests' module loader makes of compressed module files
# (modname_judge.c runs iommu_modload.h's naming on the host): the name
# without ".ko" and its suffix, and MODULE_INIT_COMPRESSED_FILE (4)
{ gcc -Wall -Werror -Wno-unused-function -O2 -I"$TOP/tools/testing/selftests" -o "$tmp/modname_judge" \
	"$TOP/harness/modname_judge.c" 2>&1 &&
  diff -u - <("$tmp/modname_judge" kernel/drivers/iommu/virtio-iommu.ko \
	kernel/drivers/iommu/arm/arm-smmu-v3/arm_smmu_v3.ko.xz virtio-iommu.ko.zst \
	virtio-iommu.ko.gz a.kobj.ko.xz) <<'EOF2'
kernel/drivers/iommu/virtio-iommu.ko virtio_iommu 0
kernel/drivers/iommu/arm/arm-smmu-v3/arm_smmu_v3.ko.xz arm_smmu_v3 4
virtio-iommu.ko.zst virtio_iommu 4
virtio-iommu.ko.gz virtio_iommu 4
a.kobj.ko.xz a.kobj 4
EOF2
} >"$tmp/out" 2>&1
result $? compressed_module_names

# run_kselftest.sh's "ok" for the storm is not enough: its nested KTAP
# must pass every scenario it plans (test_ktap.py, run by 13.)

# 17. a tree without the series: the bare files the harness reads, as 6.12
# has them (the driver core's KUnit tests and platform devices, no
# iommu_fwspec_alloc())
ft=$tmp/foreign-tree
mkdir -p "$ft/scripts" "$ft/include/linux" "$ft/include/kunit" "$ft/drivers/iommu" "$ft/drivers/base/test"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n' >"$ft/Makefile"
: >"$ft/Kbuild"
echo 'int iommu_fwspec_init(struct device *dev, struct fwnode_handle *iommu_fwnode);' >"$ft/include/linux/iommu.h"
echo 'struct platform_device *kunit_platform_device_alloc(struct kunit *test, const char *name, int id);' >"$ft/include/kunit/platform_device.h"
printf 'if IOMMU_SUPPORT\nconfig X\n\tbool\nendif # IOMMU_SUPPORT\n' >"$ft/drivers/iommu/Kconfig"
echo 'obj-y += iommu.o' >"$ft/drivers/iommu/Makefile"
printf 'config DM_KUNIT_TEST\n\ttristate\n' >"$ft/drivers/base/test/Kconfig"
echo 'obj-$(CONFIG_DM_KUNIT_TEST) += root-device-test.o' >"$ft/drivers/base/test/Makefile"
tree_state() { (cd "$ft" && find . -printf '%P %y %s %i %T@ %m\n' | sort && find . -type f -exec md5sum {} + | sort); }
before=$(tree_state)
fout=$BUILD/ext-$(printf '%s' "$(cd "$ft" && pwd -P)" | md5sum | cut -c1-8)
{ IOMMU_TEST_KERNEL_SRC=$ft "$TOP/harness/tree.sh" >/dev/null || echo "make tree KERNEL_SRC=<a tree without the series> failed"
  [ "$(tree_state)" = "$before" ] || { echo "the tree changed:"; diff <(echo "$before") <(tree_state) | head; }
  grep -qx 'run drivers/base/test/device_link_unbind_kunit.c' "$fout/kunit-plan" || echo "device_link_unbind is not planned to run"
  grep -qx "skip drivers/iommu/tests/iommu_fwspec_kunit.c|the series' hook-up of the IOMMU suite (drivers/iommu/Kconfig sourcing drivers/iommu/tests/Kconfig), which both series add" "$fout/kunit-plan" ||
	echo "iommu_fwspec is not skipped for the series' hook-up"
  grep -qx 'obj-$(CONFIG_DM_KUNIT_TEST) += device_link_unbind_kunit.o' "$fout/src/drivers/base/test/Makefile" ||
	echo "the copy's drivers/base/test/Makefile does not build device_link_unbind_kunit.o"
  cmp -s "$ft/drivers/iommu/Kconfig" "$fout/src/drivers/iommu/Kconfig" || echo "the copy hooks up the iommu tests, which cannot build there"
  mkdir -p "$tmp/foreign-results"
  n=$(python3 "$TOP/harness/kunit_skips.py" "$fout/kunit-plan" "$fout/src" - "$tmp/foreign-results/kunit-um.ktap") &&
	echo "kunit-um 0 0 $n 0" >"$tmp/foreign-results/kunit-um.result" &&
	{ iommutest report "$tmp/foreign-results" >/dev/null 2>"$tmp/err"; [ ! -s "$tmp/err" ]; } ||
	{ echo "the SKIP KTAP does not read back:"; cat "$tmp/err"; }
  python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["counts"]; sys.exit(c != {"passed": 0, "failed": 0, "skipped": int(sys.argv[2])})' \
	"$tmp/foreign-results/results.json" "${n:-0}" || echo "results.json does not count the ${n:-?} skipped cases"
} >"$tmp/out" 2>&1
rm_build "$fout"
[ ! -s "$tmp/out" ]
result $? foreign_tree_untouched_and_skips_named

# the selftests table reads both kselftest_harness formats of a skip and
# tells a scenario that never reported from one that did not start
# (test_ktap.py, run by 13.)

# the harness's names of the storm scenarios are the kselftest's own
# cases, in its order, and map back: the program, built for this host and
# run on a machine it may not touch, SKIPs each case under its KTAP name
{ cc -O0 -pthread -I"$TREE/tools/testing/selftests/iommu" -o "$tmp/storm-host" \
	"$TOP/tools/testing/selftests/iommu/iommu_probe_storm.c" ||
	echo "the kselftest does not build for the host"
  want=$(for s in $STORM_SCENARIOS; do scenario_case "$s"; done)
  # every case SKIPs, so the program exits with KSFT_SKIP
  got=$({ env -u STORM_DISPOSABLE "$tmp/storm-host" 2>&1 || true; } | sed -n -E 's/^ok [0-9]+ ([^ ]+) # SKIP .*/\1/p')
  [ "$got" = "$want" ] || echo "the kselftest's cases are '$(echo $got)', the harness's '$(echo $want)'"
  for s in $STORM_SCENARIOS; do
	[ "$(case_scenario "$(scenario_case "$s")")" = "$s" ] || echo "scenario $s does not map back"
  done
  printf '%s\n' "#  RUN           load.iommu_driver_load_race ..." "# s.c:1:iommu_driver_load_race:time: 9.0 s" \
	"ok 1 load.iommu_driver_load_race" "#  RUN           storm.endpoint_bind_unbind.endpoints_work_after ..." \
	"# s.c:2:endpoints_work_after:time: 13.0 s" "ok 2 storm.endpoint_bind_unbind.endpoints_work_after" \
	"#  RUN           storm.endpoint_remove_rescan.endpoints_work_after ..." >"$tmp/scen.log"
  [ "$(scenario_lines "$tmp/scen.log" endpoint_bind_unbind | sed -n -E 's/.*:time: (.*)/\1/p')" = "13.0 s" ] ||
	echo "scenario_lines does not give endpoint_bind_unbind's own time"
  [ "$(exclude_args iommu_driver_load_race,endpoint_bind_unbind)" = "TEST_ARGS=-T,iommu_driver_load_race,-V,endpoint_bind_unbind" ] ||
	echo "exclude_args: $(exclude_args iommu_driver_load_race,endpoint_bind_unbind)"
} >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? storm_scenarios_are_the_kselftest_cases

# 19. a tree too old (or new) for the guests: an option of the guests'
# fragments that its Kconfig does not define is named, as the tree's lack
echo CONFIG_IOMMU_TEST_NOT_IN_ANY_TREE=y >"$tmp/era.config"
expect_failure guest_option_missing_from_tree_is_named \
	'Linux [0-9.]+ .* has no CONFIG_IOMMU_TEST_NOT_IN_ANY_TREE : the guests need it' \
	"$TOP/harness/build-kernel.sh" selftest-era x86_64 "$TOP/configs/x86_64-guest.config" "$tmp/era.config"
rm_build "$BUILD/selftest-era"

# 20. checkpatch's SPDX check runs and is heeded: a patch of the series with
# a license LICENSES/ does not have fails, and so does a python3 that
# cannot run spdxcheck.py (checkpatch itself then passes the patch)
last=$(series_patches | tail -n 1)
mkdir -p "$tmp/cp-bad" "$tmp/cp-good" "$tmp/nopy"
sed 's|^+// SPDX-License-Identifier: GPL-2.0$|+// SPDX-License-Identifier: GPL-2.0-no-such|' "$last" \
	>"$tmp/cp-bad/bad.patch"
grep -q GPL-2.0-no-such "$tmp/cp-bad/bad.patch" ||
	echo "selftest 20: $last adds no '// SPDX-License-Identifier: GPL-2.0' line to break" >&2
echo bad.patch >"$tmp/cp-bad/series"
cp "$last" "$tmp/cp-good/good.patch"
echo good.patch >"$tmp/cp-good/series"
printf '#!/bin/sh\n[ "$1" = -c ] && exit 0\necho "Traceback (most recent call last):" >&2\nexit 1\n' \
	>"$tmp/nopy/python3"
chmod +x "$tmp/nopy/python3"
expect_failure checkpatch_unknown_spdx_license_fails "not ok 1 bad.patch" \
	env IOMMU_TEST_PATCHES="$tmp/cp-bad" IOMMU_TEST_RESULTS="$tmp/results" "$TOP/harness/checkpatch.sh"
expect_failure checkpatch_spdxcheck_that_cannot_run_fails "not ok 1 good.patch" \
	env PATH="$tmp/nopy:$PATH" IOMMU_TEST_PATCHES="$tmp/cp-good" IOMMU_TEST_RESULTS="$tmp/results" \
	"$TOP/harness/checkpatch.sh"

# 21. The report's last lines say why each failed step failed: a unit test
# of harness/tests (test_model.py), run by 13.

# 22. A failure is a failure: a guest kernel that does not build is a FAIL
# row for each target it was asked for (none vanishes from the table),
# and a step that exits non-zero with passing results fails the run
mkdir -p "$tmp/brokenmake" "$tmp/r22"
printf '%s\n' '#!/bin/sh' 'for a; do [ "$a" != ARCH=x86_64 ] || { echo "selftest: #error in the x86_64 build"; exit 2; }; done' \
	'exec /usr/bin/make "$@"' >"$tmp/brokenmake/make"
chmod +x "$tmp/brokenmake/make"
env PATH="$tmp/brokenmake:$PATH" IOMMU_TEST_RESULTS="$tmp/r22" IOMMU_TEST_SMOKE_TARGETS=x86_64 \
	"$TOP/harness/run.sh" smoke >"$tmp/r22.out" 2>&1
rc=$?
{ [ "$rc" != 0 ] || echo "run.sh smoke exited 0 with the x86_64 kernel broken"
  for t in $(guest_kind_targets x86_64); do
	grep -qE "^$t +0 +1 +0 .* FAIL$" "$tmp/r22.out" || echo "the table has no FAIL row for $t"
  done
  grep -qE '^0 passed, 3 failed, 0 skipped$' "$tmp/r22.out" || echo "the summary is not '0 passed, 3 failed, 0 skipped'"
  grep -qE '^ +the x86_64 guest kernel or its initramfs did not build' "$tmp/r22.out" ||
	echo "the report's tail does not say the kernel did not build"
} >"$tmp/out" 2>&1
[ -s "$tmp/out" ] && tail -n 30 "$tmp/r22.out" >>"$tmp/out"
[ ! -s "$tmp/out" ]
result $? failed_guest_build_fails_each_target
printf '%s\n' '#!/bin/sh' 'echo "exits 1 0 0 0" >"$IOMMU_TEST_RESULTS/exits.result"' 'exit 3' >"$tmp/exits.sh"
chmod +x "$tmp/exits.sh"
expect_failure step_exit_status_counts 'exits-exit +0 +1 +0 .*FAIL' \
	env IOMMU_TEST_RESULTS="$tmp/r22" "$TOP/harness/run.sh" "$tmp/exits.sh"

# 23. The guest judge reads what init and the kernel say beyond the KTAP:
# a sanitizer that did not start, a program that failed with an all-ok KTAP
fake_qemu nokasan "$ok_ktap; echo 'guest-init: kernel log end'; $done_line"
fake_qemu kasan "$ok_ktap; echo '[    0.0] kasan: KernelAddressSanitizer initialized (generic)'; $done_line"
expect_failure judge_fails_when_sanitizer_did_not_start "the kernel log does not say 'KernelAddressSanitizer initialized'" \
	env IOMMU_TEST_SANITIZER_UP='KernelAddressSanitizer initialized' IOMMU_TEST_RESULTS="$tmp/results" \
	"$TOP/harness/boot.sh" selftest-nokasan 10 "$tmp/nokasan"
env IOMMU_TEST_SANITIZER_UP='KernelAddressSanitizer initialized' IOMMU_TEST_RESULTS="$tmp/results" \
	"$TOP/harness/boot.sh" selftest-kasan 10 "$tmp/kasan" >"$tmp/out" 2>&1
result $? judge_passes_when_sanitizer_started
fake_qemu progfail "$ok_ktap; echo 'guest-init: /tests/storm killed by signal 11'; echo 'guest-init: /tests/storm failed'; echo 'guest-init: done: 1 programs, 1 failed'"
expect_failure judge_reads_init_program_result 'guest-init: 1 program.* failed with no failed test.*killed by signal 11' \
	boot selftest-progfail 10 "$tmp/progfail"

# 24. QEMU holds no lock of the run and dies with the judge that started
# it, even when that one is SIGKILLed (no cleanup of its own runs)
fake_qemu orphan "echo \$\$ >'$tmp/orphan.pid'; ls -l /proc/\$\$/fd/ >'$tmp/orphan.fds'; exec sleep 60"
rm -f "$tmp/orphan.pid"
env IOMMU_TEST_RESULTS="$tmp/results" "$TOP/harness/boot.sh" selftest-orphan 60 "$tmp/orphan" >/dev/null 2>&1 &
bpid=$!
for _ in $(seq 50); do [ -s "$tmp/orphan.fds" ] && break; sleep 0.1; done
kill -9 "$bpid" 2>/dev/null
wait "$bpid" 2>/dev/null
sleep 1
qpid=$(cat "$tmp/orphan.pid" 2>/dev/null)
{ [ -n "$qpid" ] || echo "the fake QEMU never started"
  # the run's lock, held by this selftest too, is what QEMU must not get
  [ -z "${IOMMU_TEST_LOCK_FD:-}" ] || [ -e "/proc/$$/fd/$IOMMU_TEST_LOCK_FD" ] ||
	echo "this selftest does not hold the run's lock (fd $IOMMU_TEST_LOCK_FD): the case cannot see QEMU inherit it"
  grep -F "$BUILD/.lock" "$tmp/orphan.fds" 2>/dev/null | sed 's/^/QEMU holds the lock: /'
  # a zombie is dead: its reaper, not this test, collects it
  [ -n "$qpid" ] && ps -o stat= -p "$qpid" 2>/dev/null | grep -qv '^Z' &&
	echo "QEMU (pid $qpid) outlived its boot.sh, SIGKILLed 1 s ago"
} >"$tmp/out" 2>&1
[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null
[ ! -s "$tmp/out" ]
result $? qemu_holds_no_lock_and_dies_with_its_judge

# 25. The QEMU a guest boots on (harness/qemu-versions): the first line
# unless QEMU= picks another; a guest with a device its QEMU AVOIDs (the
# platform IOMMU guest_cmdline moves before the disks included) boots on
# the next line's, and the summary says so; an unknown QEMU= is refused.
# The mechanism on a list of its own (two system QEMUs, the first avoiding
# intel-iommu), then the shipped list's one AVOID: amd-iommu with
# pass-through on not on 10.0, and the amd-iommu target (pt=off) on 10.0
printf '%s\n' '# a list of two' 'a|system|-|-|intel-iommu' 'b|system|-|-|-' >"$tmp/qemu-versions"
( . "$TOP/harness/guest-cmdline.sh"
  mkdir -p "$tmp/gc"
  QEMU_VERSIONS=$tmp/qemu-versions
  [ "$(qemu_selected)" = a ] || echo "the default QEMU is not the list's first (a)"
  [ "$(QEMU=b qemu_selected)" = b ] || echo "QEMU=b does not select b"
  (QEMU=c qemu_selected) >/dev/null 2>&1 && echo "QEMU=c, not in the list, was taken"
  read -ra g <<<"$(guest_target x86_64-intel-iommu)"
  guest_cmdline /k /i "$tmp/gc" "${g[@]}"
  [ "$QEMU_NAME" = b ] || echo "the intel-iommu guest boots on QEMU $QEMU_NAME, not on b: a's AVOID is ignored"
  qemu_summary | grep -q "; x86_64-intel-iommu on QEMU b: " ||
	echo "the summary does not say that x86_64-intel-iommu boots on QEMU b: $(qemu_summary)"
  qemu_summary | grep -q "virtio" &&
	echo "the summary says a virtio-iommu target boots on another QEMU: $(qemu_summary)"
  read -ra g <<<"$(guest_target x86_64-virtio-iommu-viot)"
  guest_cmdline /k /i "$tmp/gc" "${g[@]}"
  [ "$QEMU_NAME" = a ] || echo "the virtio-iommu guest boots on QEMU $QEMU_NAME, not on a"
  QEMU_VERSIONS=$TOP/harness/qemu-versions
  for d in amd-iommu amd-iommu,pt=on; do
	[ "$(QEMU=10.0 qemu_for -device "$d")" = 7.2 ] ||
		echo "a guest with -device $d boots on QEMU 10.0, whose AMD-Vi does not translate with pass-through on (fwspec-tests.rst, QEMU versions)"
  done
  read -ra g <<<"$(guest_target x86_64-amd-iommu)"
  [ "$(QEMU=10.0 qemu_for "${g[@]:3}")" = 10.0 ] ||
	echo "the amd-iommu target (${g[*]:3}) does not boot on the default QEMU 10.0"
) >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? qemu_versions_and_avoided_devices

# 27. A check that must run is booted again after a known defect's cut,
# never counting as run: harness/tests/test_guests.py (13.)

# 28. The Linux bases of harness/bases: what each LINUX= selects, from
# the shipped list; an unknown one refused by the scripts and by make
base_of() {
	env -u IOMMU_TEST_TREE_NAME -u IOMMU_TEST_PATCHES ${1:+IOMMU_TEST_LINUX=$1} \
		bash -c '. "$1/harness/lib.sh" && echo "$LINUX ${TREE#"$1"/} ${BASE_OUT#"$1"/} ${PATCHES#"$1"/} $BASE_MESSAGES $(base_tarball)"' _ "$TOP"
}
( [ "$(base_of)" = "6.12 build/linux build patches standalone /usr/src/linux-source-6.12.tar.xz" ] ||
	echo "the default base is not 6.12 in build/linux with patches/ (messages standing alone): $(base_of)"
  [ "$(base_of 7.3)" = "7.3 build/linux-7.3 build/7.3 patches/mainline standalone $BUILD/src/7.3/usr/src/linux-source-7.3.tar.xz" ] ||
	echo "LINUX=7.3 is not build/linux-7.3, build/7.3, patches/mainline (standalone messages) and the fetched tarball: $(base_of 7.3)"
  base_of 5.10 >"$tmp/b28" 2>&1 && echo "LINUX=5.10, not in harness/bases, was taken"
  grep -q "LINUX=5.10 is not in harness/bases" "$tmp/b28" || echo "LINUX=5.10 is refused without naming harness/bases: $(cat "$tmp/b28")"
  make -C "$TOP" -s tree LINUX=5.10 >"$tmp/b28" 2>&1 && echo "make tree LINUX=5.10 succeeded"
  grep -q "LINUX=5.10 is not in harness/bases" "$tmp/b28" || echo "make tree LINUX=5.10 does not say why it failed: $(cat "$tmp/b28")"
  # run.sh's STEP@NAME: an unknown base refused before any step runs
  mkdir -p "$tmp/r28"
  IOMMU_TEST_RESULTS=$tmp/r28 "$TOP/harness/run.sh" checkpatch@5.10 >"$tmp/b28" 2>&1 &&
	echo "run.sh ran checkpatch@5.10"
  grep -q "no base 5.10 in harness/bases" "$tmp/b28" || echo "run.sh checkpatch@5.10 does not say why it failed: $(cat "$tmp/b28")"
  ls "$tmp/r28"/checkpatch* >/dev/null 2>&1 && echo "run.sh ran checkpatch for checkpatch@5.10"
) >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? linux_bases

# 29. Commit messages that stand alone: each harness term in a message is
# found (above the '---' only: a diff may say anything), the mainline
# series has none
( m=$tmp/m29
  mkdir -p "$m"
  for term in "make selftests" "BASE=fixes" "RACE_BOOTS=2" "LINUX=7.3" "IOMMU_TEST_LINUX" \
	      "the harness" "defect 5" "Defect 12" "05/26"; do
	printf 'Subject: [PATCH] iommu: x\n\nFound with %s, fixed here.\n---\n x | 1 +\n' "$term" >"$m/p.patch"
	[ -n "$(messages_naming_harness "$m/p.patch")" ] || echo "a message naming '$term' passed"
  done
  printf 'Subject: [PATCH 05/26] iommu: x\n\nBuilt with make ARCH=arm64 V=1; STORM_TRIALS=40 runs it longer.\n---\n+ make selftests BASE=fixes in the diff\n' >"$m/p.patch"
  [ -z "$(messages_naming_harness "$m/p.patch")" ] ||
	echo "the subject's [PATCH n/m], the kernel's make variables, the kselftest's environment or the diff taken for harness terms: $(messages_naming_harness "$m/p.patch")"
  mapfile -t mp < <(sed "s|^|$TOP/patches/mainline/|" "$TOP/patches/mainline/series")
  named=$(messages_naming_harness "${mp[@]}")
  [ -z "$named" ] || echo "the mainline series' messages name the harness: $named"
) >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
result $? messages_stand_alone

# 26. Last: build/linux is as this selftest found it (the cases worked in
# the scratch clone)
diff <(echo "$real_before") <(real_tree_state) >"$tmp/out" 2>&1
result $? selftest_leaves_build_linux_alone

ktap_end "$res" harness-selftest
