#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/checkpatch.pl --strict on every patch of the series and on the
# test sources of this repo, one KTAP line per file
# (harness/iommutest/source_checks.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
exec_iommutest checkpatch --results "${RESULTS:-$OUT/results}" --patches "$PATCHES" \
	--base-tag="$BASE_TAG"
