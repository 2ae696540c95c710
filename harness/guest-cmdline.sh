# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2054,SC2100
# (QEMU_CMD is for the caller; commas and dashes are QEMU's option syntax)
# The QEMU command line of a test guest; sourced by guest.sh (which boots
# it) and kselftest-tarball.sh (which writes it down for other runners).
#
# guest_cmdline KERNEL INITRD DIR KIND MACHINE IOMMU-MODULE [QEMU-ARG...]
#   fills QEMU_CMD (the QEMU binary, then its arguments, without the
#   console ones: -display none -monitor none -serial stdio -no-reboot)
#   and QEMU_NAME (which QEMU of harness/qemu-versions that is)
#   and writes the two disk images (and arm64-acpi's firmware copy) into
#   DIR. Two virtio-blk endpoints sit behind the IOMMU (iommu_platform=on;
#   EXPECT_ENDPOINTS=2 tells the tests): disk0 holds the pattern that
#   harness/guest/iommu_smoke.c checks, disk1 is blank.
#
# IOMMU-MODULE "-" is a driver built into the kernel (intel-iommu,
# amd-iommu); QEMU creates their IOMMU device before the disks, as it wants.
# KIND says how the kernel boots:
#   arm64       QEMU virt, device tree, -kernel
#   arm64-acpi  QEMU virt, UEFI firmware (qemu-efi-aarch64), ACPI (the arm64 kernel)
#   x86_64      QEMU q35 (ACPI), TCG
# GUEST_APPEND adds to the kernel command line (NAME=value there reaches
# the test programs' environment); GUEST_DMA_BYPASS and GUEST_CORRUPT_DISK
# are the harness selftest's (harness/knobs).
guest_cmdline() {
	local usage="guest_cmdline KERNEL INITRD DIR KIND MACHINE IOMMU-MODULE [QEMU-ARG...]"
	local kernel=${1:?$usage} initrd=${2:?$usage} dir=${3:?$usage} kind=${4:?$usage}
	local machine=${5:?$usage} module=${6?$usage} append arch qemu fw disks args
	shift 6
	# the QEMU of harness/qemu-versions that runs this guest's devices;
	# QEMU_NAME for the caller
	QEMU_NAME=$(qemu_for "$@")

	# The pattern harness/guest/iommu_smoke.c expects: 2048 lines of 34 bytes.
	seq -f 'iommu-fwspec dma pattern %08g' 0 2047 >"$dir/disk0.img"
	# GUEST_CORRUPT_DISK=1: one wrong byte in line 1000, for the harness's own
	# test that the DMA check notices
	[ "${GUEST_CORRUPT_DISK:-0}" = 0 ] ||
		printf 'X' | dd of="$dir/disk0.img" bs=1 seek=$((1000 * 34 + 5)) conv=notrunc status=none
	truncate -s 1M "$dir/disk0.img"
	truncate -s 1M "$dir/disk1.img"

	# oops=panic with panic=-1: a guest that oopses stops at once (QEMU runs
	# with -no-reboot) instead of hanging until the watchdog
	# A task blocked for 30 s is reported (with the locks held) within 35 s,
	# well within the watchdog's time (120 s for a race boot), and then panics the guest with the whole kernel log
	# printed (panic_print=0x20): a hang's log then has the messages loglevel=5
	# keeps off the console (an SMMU's event records are dev_info).
	# deferred_probe_timeout=-1: an endpoint waits for its IOMMU however long
	# the IOMMU's driver is away. With the default (10 s after boot), an
	# endpoint probed while virtio-iommu is unbound binds without it ("deferred
	# probe timeout, ignoring dependency") and stays outside the IOMMU once it
	# is back: kernel policy for optional suppliers, which the storms' checks,
	# rightly, count as an endpoint that is not behind its IOMMU.
	append="loglevel=5 oops=panic panic=-1 sysctl.kernel.hung_task_timeout_secs=30"
	append+=" sysctl.kernel.hung_task_check_interval_secs=5"
	append+=" sysctl.kernel.hung_task_panic=1 panic_print=0x20"
	append+=" deferred_probe_timeout=-1"
	# log_buf_len=8M: the judge reads the sanitizer's start line, logged in
	# the first second, from the kernel log the guest prints at its end; the
	# default 128 KiB wraps in a 40-trial race boot on 7.3 (each rescan logs
	# its BARs), and the judge then failed a boot that had passed
	append+=" log_buf_len=8M"
	[ "$module" != - ] || module=
	# the machine is set up for the checks, unless GUEST_APPEND says
	# otherwise (init's environment keeps the first of two values)
	[[ " ${GUEST_APPEND:-} " == *" EXPECT_ENDPOINTS="* ]] || append+=" EXPECT_ENDPOINTS=2"
	append+=" IOMMU_MODULE=$module STORM_DISPOSABLE=1 ${GUEST_APPEND:-}"
	[ -n "${KIND_ARCH[$kind]+x}" ] || die "guest: unknown KIND $kind." "$usage" "Kinds: $GUEST_KINDS."
	arch=${KIND_ARCH[$kind]}
	qemu=${ARCH_QEMU[$arch]}
	args=(-cpu "${ARCH_CPU[$arch]}")
	fw=${KIND_FIRMWARE[$kind]}
	if [ -n "$fw" ]; then
		[ -f "$fw" ] || die "$fw is missing." "Run 'make deps' (package ${KIND_FIRMWARE_PACKAGE[$kind]})."
		# The virt machine wants its flash images exactly 64 MiB.
		cp "$fw" "$dir/efi-code.img" && truncate -s 64M "$dir/efi-code.img"
		args+=(-drive "if=pflash,format=raw,readonly=on,file=$dir/efi-code.img")
	fi
	args+=(-append "console=${ARCH_CONSOLE[$arch]}${KIND_APPEND[$kind]:+ ${KIND_APPEND[$kind]}} $append")

	# The disks' DMA goes through the IOMMU only with iommu_platform=on
	# (VIRTIO_F_ACCESS_PLATFORM; modern virtio only): without it QEMU reads the
	# rings and buffers at guest-physical addresses, whatever the IOMMU does.
	disks=(-drive "if=none,id=disk0,format=raw,readonly=on,file=$dir/disk0.img"
	       -device "virtio-blk-pci,drive=disk0,iommu_platform=on,disable-legacy=on"
	       -drive "if=none,id=disk1,format=raw,readonly=on,file=$dir/disk1.img"
	       -device "virtio-blk-pci,drive=disk1,iommu_platform=on,disable-legacy=on")
	# GUEST_DMA_BYPASS=1: the disks without it, for the harness's own test that
	# the guest notices DMA that bypasses the IOMMU
	[ "${GUEST_DMA_BYPASS:-0}" = 0 ] || disks=("${disks[@]/iommu_platform=on/iommu_platform=off}")

	# a platform IOMMU, which must exist before the devices behind it
	[ "${1:-}" != -device ] || [[ "${2:-}" != intel-iommu* && "${2:-}" != amd-iommu* ]] ||
		{ disks=("$1" "$2" "${disks[@]}"); shift 2; }

	qemu=$(qemu_binary "$QEMU_NAME" "$qemu")
	QEMU_CMD=("$qemu" -M "$machine" -smp 2 -m 1024 -nodefaults "${args[@]}"
		  -kernel "$kernel" -initrd "$initrd" "${disks[@]}" "$@")
}
