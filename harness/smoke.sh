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
targets=${SMOKE_TARGETS:-arm64 arm64-acpi x86_64}
smoke=$TOP/harness/guest/iommu_smoke.c
rc=0
built=" "
for kind in $targets; do
	if [[ "$built" != *" $(kind_dir "$kind") "* ]]; then
		if ! build_guest_kernel "$kind" ||
		   ! "$TOP/harness/initramfs.sh" "$(kind_dir "$kind")" "$(kind_arch "$kind")" "$smoke"; then
			rc=1
			continue
		fi
		built+="$(kind_dir "$kind") "
	fi
	for t in $GUEST_TARGETS; do
		read -ra g <<<"$(guest_target "$t")"
		[ "${g[0]}" = "$kind" ] || continue
		"$TOP/harness/guest.sh" "$t" "${g[@]}" || rc=1
	done
done
exit "$rc"
