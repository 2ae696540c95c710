#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot a guest kernel built by smoke.sh (the machine, the disks behind the
# IOMMU, the kernel command line: harness/iommutest/guest.py), judged by
# the guest judge.
#
#   harness/guest.sh NAME KIND MACHINE IOMMU-MODULE [QEMU-ARG...]
#
# GUEST_TIMEOUT (seconds, default 90) is the watchdog; IMAGE picks the
# initramfs (build/KIND/IMAGE.cpio, default initramfs); GUEST_APPEND adds
# to the kernel command line; RESULTS is where the results go.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
exec_iommutest guest "$@"
