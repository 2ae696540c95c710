#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Remove build outputs. build/linux is kept unless --all is given, and even
# then only when it holds no kernel work missing from patches/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$BUILD" ] || exit 0
if [ "${1:-}" = --all ]; then
	[ -d "$TREE/.git" ] && [ -f "$STATE" ] &&
		tree_py check-unexported --why "make distclean would delete build/linux"
	rm -rf "$BUILD"
	info "removed build/"
	exit 0
fi
find "$BUILD" -mindepth 1 -maxdepth 1 ! -name linux ! -name .lock -exec rm -rf {} +
info "removed build outputs; kept build/linux (make distclean removes it)"
