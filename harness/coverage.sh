#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Line coverage of the fwspec code the series adds or changes, by the KUnit
# suite on UML (harness/iommutest/coverage.py): a table per function and
# the total; fails when the total is under COVERAGE_MIN percent (95).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
ccache_env
exec_iommutest coverage --min "${COVERAGE_MIN:-95}" --tree "$TREE" --undo "$UNDO"
