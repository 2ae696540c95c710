#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The reduced kselftest run of 'make check': the two arm64 DT targets (SMMUv3
# and virtio-iommu), every scenario with 2 s storms, 3 load-race boots each.
# 'make selftests' runs all four targets with 50 load-race boots.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
knob SELFTEST_TARGETS "${SELFTEST_TARGETS:-arm64-smmuv3-dt arm64-virtio-iommu-dt}"
knob RACE_BOOTS "${RACE_BOOTS:-3}"
knob STORM_SECONDS "${STORM_SECONDS:-2}"
exec "$TOP/harness/selftests.sh"
