#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Guest smoke tests: build the guest kernels (configs/*.config + debug) and
# their initramfs, then boot:
#   arm64 virt + SMMUv3, device tree          (OF path, arm-smmu-v3)
#   arm64 virt + virtio-iommu, device tree    (OF path, virtio-iommu)
#   arm64 virt + SMMUv3, UEFI + ACPI IORT     (IORT path)
#   x86_64 q35 + virtio-iommu, ACPI VIOT      (VIOT path)
# In each guest, harness/guest/iommu_smoke.c loads the IOMMU driver, checks
# that the virtio endpoints joined IOMMU groups and that a disk behind the
# IOMMU reads back the pattern written by the host.
#
#   SMOKE_TARGETS="arm64 arm64-acpi x86_64" (default: all three kernels)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

H=$TOP/harness
C=$TOP/configs
targets=${SMOKE_TARGETS:-arm64 arm64-acpi x86_64}
smoke=$H/guest/iommu_smoke.c
rc=0
for kind in $targets; do
	case "$kind" in
	arm64)		arch=arm64; frags=("$C/arm64-guest.config") ;;
	arm64-acpi)	arch=arm64; frags=("$C/arm64-guest.config" "$C/arm64-acpi.config") ;;
	x86_64)		arch=x86_64; frags=("$C/x86_64-guest.config") ;;
	*)		die "smoke: unknown target $kind." "SMOKE_TARGETS takes arm64, arm64-acpi, x86_64." ;;
	esac
	if ! "$H/build-kernel.sh" "$kind" "$arch" "${frags[@]}" "$C/debug.config" ||
	   ! "$H/initramfs.sh" "$kind" "$arch" "$smoke"; then
		rc=1
		continue
	fi
	case "$kind" in
	arm64)
		"$H/guest.sh" arm64-smmuv3-dt arm64 virt,iommu=smmuv3,gic-version=3 arm_smmu_v3 || rc=1
		"$H/guest.sh" arm64-virtio-iommu-dt arm64 virt,gic-version=3 virtio_iommu \
			-device virtio-iommu-pci || rc=1 ;;
	arm64-acpi)
		"$H/guest.sh" arm64-smmuv3-iort arm64-acpi virt,iommu=smmuv3,gic-version=3 arm_smmu_v3 || rc=1 ;;
	x86_64)
		"$H/guest.sh" x86_64-virtio-iommu-viot x86_64 q35 virtio_iommu \
			-device virtio-iommu-pci || rc=1 ;;
	esac
done
exit "$rc"
