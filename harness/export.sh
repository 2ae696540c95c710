#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write patches/ from the commits base..HEAD in build/linux: one
# format-patch file per commit, the 'series' file, and a cover letter
# (patches/0000-cover-letter.patch, kept across exports when it exists).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no kernel tree at build/linux." "Run 'make tree' first."
git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null ||
	die "build/linux has no 'base' tag." "Remove build/linux and run 'make tree'."
dirty=$(git -C "$TREE" status --porcelain --untracked-files=no)
[ -z "$dirty" ] ||
	die "build/linux has uncommitted kernel changes; only commits are exported:" \
	    "$dirty" "Commit them (git -C build/linux commit -s) and run 'make export' again."

out=$PATCHES
mkdir -p "$out"
cover=
[ -f "$out/0000-cover-letter.patch" ] && cover=$(mktemp) && cp "$out/0000-cover-letter.patch" "$cover"
find "$out" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
git -C "$TREE" format-patch -q --zero-commit --no-signature -o "$out" base..HEAD
[ -n "$cover" ] && mv "$cover" "$out/0000-cover-letter.patch"
(cd "$out" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '^0000-' || true) >"$out/series"

# The tree now matches patches/: record it so 'make tree' knows.
record_state
info "exported $(wc -l <"$out/series") patches to patches/ (commit them in this repo)"
