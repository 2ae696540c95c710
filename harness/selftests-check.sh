#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The reduced kselftest run of 'make check': the two arm64 DT targets (SMMUv3
# and virtio-iommu), every scenario with 2 s storms, and one load-race boot
# of 20 load races each, on the full boot's KASAN kernel (the lean race
# kernel would be one more kernel to build). 'make selftests' runs all four
# targets, 5 race boots of 40 each on the lean race kernels.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
knob SELFTEST_TARGETS "${SELFTEST_TARGETS:-arm64-smmuv3-dt arm64-virtio-iommu-dt}"
knob RACE_BOOTS "${RACE_BOOTS:-1}"
knob RACE_TRIALS "${RACE_TRIALS:-20}"
knob RACE_KERNEL "${RACE_KERNEL:-sanitized}"
knob STORM_SECONDS "${STORM_SECONDS:-2}"
exec "$TOP/harness/selftests.sh"
