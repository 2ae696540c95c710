#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/kernel-doc -none -Wall on every .c/.h file the series changes
# (base..HEAD of the tree) and on the KUnit sources. A file fails on a
# warning that its base version does not have (compared without line
# numbers). One KTAP line per file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
res=$OUT/results
mkdir -p "$res"
files=()
if git -C "$SRC" rev-parse -q --verify refs/tags/base >/dev/null; then
	mapfile -t files < <(git -C "$SRC" diff --name-only --diff-filter=AM base..HEAD -- '*.[ch]')
fi
mapfile -t -O "${#files[@]}" files < <(cd "$TOP" && find drivers -name '*.[ch]' | sort)

step "kernel-doc -none -Wall: ${#files[@]} files"
t0=$(now)
echo "KTAP version 1"
echo "1..${#files[@]}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Warnings of a file, without line numbers: "file: warning: ...".
kdoc() { "$SRC/scripts/kernel-doc" -none -Wall "$1" 2>&1 | sed -E "s|^$1:[0-9]+: |$2: |" | sort -u; }
n=0 passed=0 failed=0
for f in "${files[@]}"; do
	n=$((n + 1))
	: >"$tmp/base"
	if git -C "$SRC" cat-file -e "base:$f" 2>/dev/null; then
		mkdir -p "$tmp/src/$(dirname "$f")"
		git -C "$SRC" show "base:$f" >"$tmp/src/$f"
		kdoc "$tmp/src/$f" "$f" >"$tmp/base"
	fi
	out=$(kdoc "$SRC/$f" "$f" | comm -23 - "$tmp/base")
	if [ -z "$out" ]; then
		echo "ok $n $f"
		passed=$((passed + 1))
	else
		echo "not ok $n $f"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
printf 'kernel-doc %s %s 0 %s\n' "$passed" "$failed" "$(($(now) - t0))" >"$res/kernel-doc.result"
printf 'kernel-doc: %s passed, %s failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
