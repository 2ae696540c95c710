#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the tree of the base (LINUX, harness/bases; build/linux for the
# first): the pristine Debian source committed and tagged 'base', its
# series applied with git am, the test files overlaid; with KERNEL_SRC,
# that tree's working copy (harness/iommutest/tree.py says how).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -z "${KERNEL_SRC:-}" ]; then
	tree_py tree
	exit
fi
# someone else's tree: a tree of the harness's own (under build/) gets the
# test files written into it; any other is never written, but copied
select_tree --preparing
info "KERNEL_SRC: $KSRC, Linux $(kernel_version "$KSRC")"
if [ "$SRC" = "$KSRC" ]; then
	tree_py overlay --dst "$SRC"
else
	tree_py foreign --ksrc "$KSRC" --src "$SRC" --out "$OUT"
fi
