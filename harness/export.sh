#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write patches/ from the commits base..HEAD in build/linux: one
# format-patch file per commit, the 'series' file, the cover letter kept;
# the repo's test files folded into the commits that carry them first
# (harness/iommutest/tree.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree_py export
