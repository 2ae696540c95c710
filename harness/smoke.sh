#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Guest smoke tests: build the arm64 guest kernel (configs/arm64-guest.config
# + configs/debug.config) and its initramfs, then boot it on QEMU 'virt'
# with SMMUv3 and with virtio-iommu (both described by the device tree).
# In each guest, harness/guest/iommu_smoke.c loads the IOMMU driver, checks
# that the virtio endpoints joined IOMMU groups and that a disk behind the
# IOMMU reads back the pattern written by the host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

H=$TOP/harness
"$H/build-kernel.sh" arm64 arm64 "$TOP/configs/arm64-guest.config" "$TOP/configs/debug.config"
"$H/initramfs.sh" arm64 arm64 "$H/guest/iommu_smoke.c"

rc=0
"$H/arm64-guest.sh" arm64-smmuv3-dt virt,iommu=smmuv3,gic-version=3 arm_smmu_v3 || rc=1
"$H/arm64-guest.sh" arm64-virtio-iommu-dt virt,gic-version=3 virtio_iommu \
	-device virtio-iommu-pci || rc=1
exit "$rc"
