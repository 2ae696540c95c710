#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/kernel-doc -none -Wall on every .c/.h file the series changes
# and on the KUnit sources: no warning their base does not have, one KTAP line per file
# (harness/iommutest/source_checks.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
exec_iommutest kerneldoc --results "${RESULTS:-$OUT/results}" --patches "$PATCHES" \
	--base-tag="$BASE_TAG"
