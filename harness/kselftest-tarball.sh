#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest as kernel CI takes it: the iommu collection packed by
# 'make gen_tar', and for each guest target a kernel, rootfs and QEMU
# command line in build/kselftest/TARGET/ (harness/iommutest/tarball.py).
#
#   SELFTEST_TARGETS  targets (default: all)
#   STORM_SECONDS, STORM_THREADS, STORM_IOMMU_THREADS
#                     on the guest's kernel command line, as selftests.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
ccache_env
exec_iommutest kselftest-tarball
