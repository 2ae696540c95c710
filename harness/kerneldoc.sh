#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/kernel-doc -none -Wall on every .c/.h file the series changes
# (base..HEAD of the tree) and on the KUnit sources. A file fails on a
# warning that its base version does not have (compared without line
# numbers). One KTAP line per file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
res=${RESULTS:-$OUT/results}
mkdir -p "$res"
files=()
if git -C "$SRC" rev-parse -q --verify refs/tags/base >/dev/null; then
	mapfile -t files < <(git -C "$SRC" diff --name-only --diff-filter=AM base..HEAD -- '*.[ch]')
fi
mapfile -t -O "${#files[@]}" files < <(cd "$TOP" && find drivers -name '*.[ch]' | sort)

step "kernel-doc -none -Wall: ${#files[@]} files"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Warnings of a file, without line numbers: "file: warning: ...". 6.12's
# kernel-doc prints "FILE:LINE: warning: TEXT", 7.3's (the Python one)
# "Warning: FILE:LINE TEXT"; both become "NAME: TEXT".
kdoc() {
	"$SRC/scripts/kernel-doc" -none -Wall "$1" 2>&1 |
		sed -E -e "s|^$1:[0-9]+: warning: |$2: |" -e "s|^Warning: $1:[0-9]+ |$2: |" | sort -u
}
ktap_begin "${#files[@]}"
for f in "${files[@]}"; do
	: >"$tmp/base"
	if git -C "$SRC" cat-file -e "base:$f" 2>/dev/null; then
		mkdir -p "$tmp/src/$(dirname "$f")"
		git -C "$SRC" show "base:$f" >"$tmp/src/$f"
		kdoc "$tmp/src/$f" "$f" >"$tmp/base"
	fi
	out=$(kdoc "$SRC/$f" "$f" | comm -23 - "$tmp/base")
	if [ -z "$out" ]; then
		ktap_ok "$f"
	else
		ktap_not_ok "$f" "$out"
	fi
done
ktap_end "$res" "kernel-doc$BASE_TAG"
