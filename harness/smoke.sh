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
# shellcheck disable=SC2086 # lists of words
guest_matrix smoke ${SMOKE_TARGETS:-$GUEST_KINDS}
