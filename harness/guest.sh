#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot a guest kernel built by smoke.sh, with the QEMU command line of
# harness/guest-cmdline.sh (the machine, the disks behind the IOMMU, the
# kernel command line), judged by boot.sh.
#
#   harness/guest.sh NAME KIND MACHINE IOMMU-MODULE [QEMU-ARG...]
#
# KIND is the kernel build under build/ (arm64 and arm64-acpi share one)
# and how it boots (guest-cmdline.sh). GUEST_TIMEOUT (seconds, default 90)
# is the watchdog; IMAGE picks the initramfs (build/KIND/IMAGE.cpio, default
# initramfs); GUEST_APPEND adds to the kernel command line; RESULTS is
# passed on to boot.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest-cmdline.sh"

usage="usage: guest.sh NAME KIND MACHINE IOMMU-MODULE [QEMU-ARG...]"
name=${1:?$usage}
kind=${2:?$usage}
machine=${3:?$usage}
module=${4:?$usage}
shift 4
select_tree
timeout=${GUEST_TIMEOUT:-90}
k=$OUT/$(kind_dir "$kind")
initrd=$k/${IMAGE:-initramfs}.cpio
[ -f "$initrd" ] || die "no $kind guest kernel in ${k#"$TOP"/}." "Run 'make smoke' first."

guest_cmdline "$k/kernel-image" "$initrd" "$k" "$kind" "$machine" "$module" "$@"

# for boot.sh's scripts/decode_stacktrace.sh of a kernel report
knob DECODE_KERNEL "$k"
knob DECODE_CROSS "${ARCH_CROSS[$(kind_arch "$kind")]}"

# the start line of the sanitizer built into the kernel, which boot.sh
# requires in the log of a guest that ran to its end
san=
! grep -q '^CONFIG_KASAN=y' "$k/.config" 2>/dev/null || san='KernelAddressSanitizer initialized'
! grep -q '^CONFIG_KCSAN=y' "$k/.config" 2>/dev/null || san='kcsan: enabled early'
knob SANITIZER_UP "$san"

step "$name: booting on QEMU $QEMU_NAME (watchdog $timeout s)"
exec "$TOP/harness/boot.sh" "$name" "$timeout" "${QEMU_CMD[@]}"
