#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the arm64 guest built by smoke.sh (build/arm64: kernel, initramfs) on
# QEMU 'virt' with two virtio-blk endpoints: disk0 holds the pattern that
# harness/guest/iommu_smoke.c checks, disk1 is blank.
#
#   harness/arm64-guest.sh NAME MACHINE IOMMU-MODULE [QEMU-ARG...]
#
# GUEST_TIMEOUT (seconds, default 90) is the watchdog; RESULTS is passed on
# to boot.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: arm64-guest.sh NAME MACHINE IOMMU-MODULE [QEMU-ARG...]}
machine=${2:?usage: arm64-guest.sh NAME MACHINE IOMMU-MODULE [QEMU-ARG...]}
module=${3:?usage: arm64-guest.sh NAME MACHINE IOMMU-MODULE [QEMU-ARG...]}
shift 3
select_tree
timeout=${GUEST_TIMEOUT:-90}
k=$OUT/arm64
[ -f "$k/initramfs.cpio" ] || die "no arm64 guest kernel in ${k#"$TOP"/}." "Run 'make smoke' first."

# The pattern harness/guest/iommu_smoke.c expects: 2048 lines of 34 bytes.
seq -f 'iommu-fwspec dma pattern %08g' 0 2047 >"$k/disk0.img"
truncate -s 1M "$k/disk0.img"
truncate -s 1M "$k/disk1.img"

step "$name: booting (watchdog $timeout s)"
exec "$TOP/harness/boot.sh" "$name" "$timeout" qemu-system-aarch64 \
	-M "$machine" -cpu max,pauth-impdef=on -smp 2 -m 512 -nodefaults \
	-kernel "$k/kernel-image" -initrd "$k/initramfs.cpio" \
	-append "console=ttyAMA0 loglevel=5 panic=-1 IOMMU_MODULE=$module" \
	-drive "if=none,id=disk0,format=raw,readonly=on,file=$k/disk0.img" \
	-device virtio-blk-pci,drive=disk0 \
	-drive "if=none,id=disk1,format=raw,readonly=on,file=$k/disk1.img" \
	-device virtio-blk-pci,drive=disk1 "$@"
