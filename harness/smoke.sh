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
built=" " booted=
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
		booted+=" $t"
	done
done
tp=0 tf=0 ts=0
for t in ${booted:-}; do
	read -r _ p f sk _ <"$OUT/results/$t.result" || { tf=$((tf + 1)); continue; }
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + sk))
done
[ -n "${booted:-}" ] || tf=$((tf + 1))
echo "smoke ($(kernel_version "$SRC")): $tp passed, $tf failed, $ts skipped in the guests:${booted:- none}"
exit "$rc"
