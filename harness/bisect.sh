#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build every commit of the series on its own (bisectability), as a
# maintainer who applied patches/ would: each commit base..HEAD of
# build/linux is checked out in a worktree (build/bisect), with nothing
# copied in (no overlay: the series carries its tests), and built for
#  - arm64: allnoconfig + configs/arm64-guest, arm64-acpi, bisect and debug,
#    which compiles the IOMMU core, the OF and ACPI IORT/VIOT code,
#    arm-smmu-v3, arm-smmu and virtio-iommu;
#  - x86_64: allnoconfig + configs/x86_64-guest and debug (ACPI VIOT,
#    virtio-iommu, intel-iommu and amd-iommu);
# each with the KUnit suites (the =y options of drivers/iommu/tests/
# .kunitconfig, the driver core's device_link_unbind) once the series has
# added them. LINUX=7.3: the mainline series on build/linux-7.3, in
# build/7.3/bisect. tegra-smmu and mtk_iommu_v1 are only compiled by
# 'make allmod-check'. One KTAP line per commit and arch. BISECT_FROM=N
# starts at the Nth commit (the earlier ones are SKIP); BISECT_ARCHS
# (default "arm64 x86_64") picks the arches.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
[ -d "$TREE/.git" ] || die "no kernel tree at ${TREE#"$TOP"/}." "Run 'make tree${LINUX:+ LINUX=$LINUX}' first."
wt=$OUT/bisect
res=$OUT/results
archs=(${BISECT_ARCHS:-arm64 x86_64})
mkdir -p "$res"
base_worktree "$wt"
mapfile -t commits < <(git_t rev-list --reverse base..HEAD)
ktap_begin $((${#commits[@]} * ${#archs[@]}))
C=$TOP/configs
kunit_frag=$OUT/bisect-kunit.config
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(git_t log -1 --format=%s "$c")
	if [ "$n" -lt "${BISECT_FROM:-1}" ]; then
		for a in "${archs[@]}"; do ktap_skip "$a: $subject" "before BISECT_FROM=$BISECT_FROM"; done
		continue
	fi
	# nothing but the commit: no overlay copies, no leftovers
	git -C "$wt" clean -fdxq
	git -C "$wt" checkout -q -f --detach "$c"
	extra=()
	: >"$kunit_frag"
	if [ -f "$wt/drivers/iommu/tests/.kunitconfig" ]; then
		grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$wt/drivers/iommu/tests/.kunitconfig" >>"$kunit_frag"
	fi
	# the driver core's suite, once the series has it (the mainline one
	# carries it as a patch of its own)
	if [ -f "$wt/drivers/base/test/device_link_unbind_kunit.c" ]; then
		printf '%s\n' CONFIG_KUNIT=y CONFIG_DM_KUNIT_TEST=y >>"$kunit_frag"
	fi
	[ ! -s "$kunit_frag" ] || extra=("$kunit_frag")
	for a in "${archs[@]}"; do
		[ -n "${ARCH_BISECT_CONFIGS[$a]:-}" ] ||
			die "BISECT_ARCHS: $a is not supported." "Use arm64 and/or x86_64 (harness/iommutest/targets.py)."
		read -ra frags <<<"$(configs_of "${ARCH_BISECT_CONFIGS[$a]}")"
		log=$res/bisect-$n-$a.log
		if IOMMU_TEST_KERNEL_SRC=$wt "$TOP/harness/build-kernel.sh" "bisect-$a" "$a" \
			"${frags[@]}" "$C/debug.config" "$C/kmemleak.config" "${extra[@]}" >"$log" 2>&1; then
			ktap_ok "$a: $subject"
		else
			ktap_not_ok "$a: $subject" "$(tail -n 20 "$log")"
		fi
	done
done
ktap_end "$res" bisect
