#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot one QEMU guest under a watchdog and judge it from its console:
# harness/iommutest/boot.py (the guest judge) says how. Writes
# build/results/NAME.{log,ktap,result,problems} (RESULTS= overrides the
# directory).
#
#   harness/boot.sh [--own-console] NAME TIMEOUT QEMU-BINARY QEMU-ARG...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
own=()
[ "${1:-}" != --own-console ] || { own=(--own-console); shift; }
[ $# -ge 3 ] || die "usage: boot.sh [--own-console] NAME TIMEOUT QEMU QEMU-ARG..."
exec_iommutest boot "${own[@]}" --results "${RESULTS:-$OUT/results}" "$@"
