#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Guest smoke tests: build the arm64 guest kernel (configs/arm64-guest.config
# + configs/debug.config) and its initramfs, then boot it on QEMU 'virt'
# with SMMUv3 and with virtio-iommu (both described by the device tree).
# In each guest, harness/guest/iommu_smoke.c loads the IOMMU driver, checks
# that the virtio endpoints joined IOMMU groups and that a disk behind the
# IOMMU reads back the pattern written here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
TIMEOUT=${GUEST_TIMEOUT:-90}
H=$TOP/harness

"$H/build-kernel.sh" arm64 arm64 "$TOP/configs/arm64-guest.config" "$TOP/configs/debug.config"
"$H/initramfs.sh" arm64 arm64 "$H/guest/iommu_smoke.c"

# The pattern harness/guest/iommu_smoke.c expects: 2048 lines of 34 bytes.
disk=$OUT/arm64/disk.img
seq -f 'iommu-fwspec dma pattern %08g' 0 2047 >"$disk"
truncate -s 1M "$disk"

arm64_guest() {
	local name=$1 machine=$2 module=$3
	shift 3
	step "$name: booting (watchdog ${TIMEOUT} s)"
	"$H/boot.sh" "$name" "$TIMEOUT" qemu-system-aarch64 \
		-M "$machine" -cpu max,pauth-impdef=on -smp 2 -m 512 \
		-kernel "$OUT/arm64/kernel-image" -initrd "$OUT/arm64/initramfs.cpio" \
		-append "console=ttyAMA0 panic=-1 IOMMU_MODULE=$module" \
		-drive "if=none,id=disk0,format=raw,readonly=on,file=$disk" \
		-device virtio-blk-pci,drive=disk0 "$@"
}

rc=0
arm64_guest arm64-smmuv3-dt virt,iommu=smmuv3,gic-version=3 arm_smmu_v3 || rc=1
arm64_guest arm64-virtio-iommu-dt virt,gic-version=3 virtio_iommu -device virtio-iommu-pci || rc=1
exit "$rc"
