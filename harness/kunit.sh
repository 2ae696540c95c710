#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the KUnit suite in drivers/iommu/tests with the kernel's own
# tools/testing/kunit/kunit.py, on build/linux or on KERNEL_SRC
# (harness/iommutest/kunit_run.py).
#
#   ARCH=um (default) | arm64 | x86_64   (non-UML runs under QEMU)
#   DEBUG=1   add configs/kunit-debug.config (KASAN) to the suite's config
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
ccache_env
debug=()
[ "${DEBUG:-0}" != 1 ] || debug=(--debug)
exec_iommutest kunit --arch "${ARCH:-um}" "${debug[@]}" --base-tag="$BASE_TAG" \
	--results "${RESULTS:-$OUT/results}" --tree "$TREE" --series "$BASE_SERIES" --kernel "$(kernel_version "$SRC")"
