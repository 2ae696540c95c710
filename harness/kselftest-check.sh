#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest-tarball step of 'make check': write the tarball and a guest
# for arm64-virtio-iommu-dt (harness/kselftest-tarball.sh), then boot that
# output alone, with its run.sh, as another runner would: boot.sh judges
# the console (kernel reports, hangs, run_kselftest.sh's result line), and
# the storm's own KTAP, nested under run_kselftest.sh's, must show every
# scenario it plans passed, none skipped. A boot that a known defect
# (harness/known-defects) cut short is booted again (must_run_boot), and
# the step fails as "did not run" when none of its boots finishes. The
# watchdog is the settings file's timeout, plus two minutes for the boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
knob SELFTEST_TARGETS "${SELFTEST_TARGETS:-arm64-virtio-iommu-dt}"
knob STORM_SECONDS "${STORM_SECONDS:-2}"
"$TOP/harness/kselftest-tarball.sh"

res=${RESULTS:-$OUT/results}
rc=0
for t in $SELFTEST_TARGETS; do
	out=$OUT/kselftest/$t
	name=kselftest-tarball-$t
	settings=$(tar -xzOf "$out/kselftest.tar.gz" ./iommu/settings)
	limit=$(sed -n 's/^timeout=//p' <<<"$settings")
	[[ "$limit" =~ ^[0-9]+$ ]] ||
		die "$t: the tarball's iommu/settings has no timeout= line." "It is tools/testing/selftests/iommu/settings (in the series, its last patch)."
	read -ra g <<<"$(guest_target "$t")"
	# the series' own guests decompress modules (configs/module-xz.config):
	# a rootfs with plain ones would pass without the compressed-module path
	if [ "$SRC" = "$TREE" ] && ! grep -q '\.ko\.xz ' "$OUT/$(kind_dir "${g[0]}")/kselftest.list"; then
		target_not_run "$res" "$name" "the rootfs's modules are not xz-compressed: the compressed-module loading was not exercised (the guest kernel needs configs/module-xz.config: CONFIG_MODULE_DECOMPRESS; lib.sh build_guest_kernel)"
		rc=1
		continue
	fi
	knob DECODE_KERNEL "$OUT/$(kind_dir "${g[0]}")"
	knob DECODE_CROSS "${ARCH_CROSS[$(kind_arch "${g[0]}")]}"
	# the check must run: a boot that a known defect cut short is booted
	# again (must_run_boot)
	tarball_boot() {
		step "$name: ${out#"$TOP"/}/run.sh (watchdog: settings' $limit s + 120 s)"
		(cd "$out" && "$TOP/harness/boot.sh" --own-console "$name" $((limit + 120)) ./run.sh)
	}
	if ! must_run_boot "$res" "$res" "$name" "$t" tarball_boot; then
		rc=1
		continue
	fi
	if ! why=$(ktap_nested_all_passed "$res/$name.ktap"); then
		record_failure "$res" "$name" nested-ktap "$why (${res#"$TOP"/}/$name.log)"
		rc=1
	fi
done
exit "$rc"
