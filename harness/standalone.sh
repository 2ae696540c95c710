#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series as a maintainer takes it: the base's series (patches/ for
# 6.12, patches/mainline/ for LINUX=7.3) applied with git am onto the
# pristine base in a worktree (OUT/standalone), nothing copied in; it
# applies, carries the repo's test files, its messages stand alone, its
# tests configure and build (harness/iommutest/standalone.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
[ -d "$TREE/.git" ] || die "no kernel tree at ${TREE#"$TOP"/}." "Run 'make tree${LINUX:+ LINUX=$LINUX}' first."
ccache_env
on_tree standalone --results "${RESULTS:-$OUT/results}" --messages "$BASE_MESSAGES" --base-tag="$BASE_TAG"
