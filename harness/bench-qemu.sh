#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Figures, never pass/fail: the QEMUs of harness/qemu-versions side by
# side, BENCH_BOOTS (20) boots of BENCH_SCENARIO (iommu_unbind_bind_under_storm,
# or race) on each, alternating, on BENCH_TARGETS (arm64-virtio-iommu-dt):
# how each boot ended, its time, the storm rates (harness/iommutest/bench.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
exec_iommutest bench qemu
