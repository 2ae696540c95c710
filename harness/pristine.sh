#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# 'make selftests BASE=pristine': the kselftests on Debian's 6.12 as it
# ships, without the series: a worktree of build/linux at tag base
# (build/pristine) with the test files overlaid, run as a KERNEL_SRC tree
# (results under build/ext-*/results).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no kernel tree at build/linux." "Run 'make tree' first."
wt=$BUILD/pristine
if [ ! -e "$wt/.git" ]; then
	step "creating the worktree build/pristine at tag base (about a minute)"
	git_t worktree prune
	git_t worktree add -q --detach "$wt" base
fi
git -C "$wt" checkout -q --detach base
"$TOP/harness/overlay.sh" "$wt" >/dev/null
info "pristine base: $wt, Linux $(kernel_version "$wt") without the series"
KERNEL_SRC=$wt exec "$TOP/harness/selftests.sh"
