#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build every commit of the series on its own (bisectability): each commit
# base..HEAD of build/linux is checked out in a worktree (build/bisect) and
# an arm64 kernel is built there: allnoconfig + configs/arm64-guest,
# arm64-acpi, bisect and debug, which compiles the IOMMU core, the OF and
# ACPI IORT/VIOT code, arm-smmu-v3, arm-smmu and virtio-iommu. tegra-smmu
# and mtk_iommu_v1 are only compiled by 'make allmod-check'. The KUnit
# suite is written against the final API, so it is only built at HEAD
# ('make kunit'). One KTAP line per commit. BISECT_FROM=N starts at the
# Nth commit (the earlier ones are SKIP), to check patches added at the end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no kernel tree at build/linux." "Run 'make tree' first."
wt=$BUILD/bisect
res=$BUILD/results
mkdir -p "$res"
if [ ! -d "$wt" ]; then
	step "creating the worktree build/bisect (about a minute)"
	git_t worktree prune
	git_t worktree add -q --detach "$wt" base
fi
mapfile -t commits < <(git_t rev-list --reverse base..HEAD)
ktap_begin "${#commits[@]}"
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(git_t log -1 --format=%s "$c")
	if [ "$n" -lt "${BISECT_FROM:-1}" ]; then
		ktap_skip "$subject" "before BISECT_FROM=$BISECT_FROM"
		continue
	fi
	git -C "$wt" checkout -q --detach "$c"
	if KERNEL_SRC=$wt "$TOP/harness/overlay.sh" "$wt" >/dev/null &&
	   KERNEL_SRC=$wt "$TOP/harness/build-kernel.sh" bisect-arm64 arm64 \
		"$TOP/configs/arm64-guest.config" "$TOP/configs/arm64-acpi.config" \
		"$TOP/configs/bisect.config" "$TOP/configs/debug.config" >"$res/bisect-$n.log" 2>&1; then
		ktap_ok "$subject"
	else
		ktap_not_ok "$subject" "$(tail -n 20 "$res/bisect-$n.log")"
	fi
done
ktap_end "$res" bisect
