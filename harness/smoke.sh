#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Guest smoke tests: build the guest kernels (configs/*.config + debug) and
# their initramfs, then boot:
#   arm64 virt + SMMUv3, device tree          (OF path, arm-smmu-v3)
#   arm64 virt + virtio-iommu, device tree    (OF path, virtio-iommu)
#   arm64 virt + SMMUv3, UEFI + ACPI IORT     (IORT path)
#   x86_64 q35 + virtio-iommu, ACPI VIOT      (VIOT path)
#   x86_64 q35 + intel-iommu, amd-iommu       (built in: no module to load)
# In each guest, harness/guest/iommu_smoke.c loads the IOMMU driver, checks
# that the virtio endpoints joined IOMMU groups and that a disk behind the
# IOMMU reads back the pattern written by the host.
#
#   SMOKE_TARGETS="arm64 arm64-acpi x86_64" (default: all three boot kinds;
#   arm64 and arm64-acpi share one kernel)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
targets=${SMOKE_TARGETS:-$GUEST_KINDS}
smoke=$TOP/harness/guest/iommu_smoke.c
rc=0
built=" " booted=
res=${RESULTS:-$OUT/results}
for kind in $targets; do
	guest_kind_targets "$kind" >/dev/null ||
		die "SMOKE_TARGETS: no guest kind $kind." "Kinds: $GUEST_KINDS."
	if [[ "$built" != *" $(kind_dir "$kind") "* ]]; then
		if ! build_guest_kernel "$kind" ||
		   ! "$TOP/harness/initramfs.sh" "$(kind_dir "$kind")" "$(kind_arch "$kind")" "$smoke"; then
			rc=1
			for t in $(guest_kind_targets "$kind"); do
				target_not_run "$res" "$t$BASE_TAG" "the $kind guest kernel or its initramfs did not build (output above; build/logs/build-$(kind_dir "$kind").log)"
				booted+=" $t$BASE_TAG"
			done
			continue
		fi
		built+="$(kind_dir "$kind") "
	fi
	for t in $(guest_kind_targets "$kind"); do
		read -ra g <<<"$(guest_target "$t")"
		# on another base than the first, the results' names say which
		rm -f "$res/$t$BASE_TAG.result"
		"$TOP/harness/guest.sh" "$t$BASE_TAG" "${g[@]}" || rc=1
		[ -f "$res/$t$BASE_TAG.result" ] ||
			target_not_run "$res" "$t$BASE_TAG" "the guest was not booted or not judged (output above)"
		booted+=" $t$BASE_TAG"
	done
done
tp=0 tf=0 ts=0
for t in ${booted:-}; do
	read -r _ p f sk _ <"$res/$t.result" || { tf=$((tf + 1)); continue; }
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + sk))
done
[ -n "${booted:-}" ] || tf=$((tf + 1))
echo "smoke ($(kernel_version "$SRC"), $(qemu_summary)): $tp passed, $tf failed, $ts skipped in the guests:${booted:- none}"
exit "$rc"
