#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the harness itself: its failures must speak and must not damage
# the prepared tree. Needs a prepared build/linux ('make tree').
#  1. KERNEL_SRC pointing nowhere: non-zero exit, names the path.
#  2. KERNEL_SRC pointing at something that is not a kernel: non-zero exit.
#  3. A series with a patch that does not apply: non-zero exit, names the
#     patch, and build/linux is exactly as before (HEAD, index, state).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "harness selftest needs build/linux." "Run 'make tree' first."
res=$BUILD/results
mkdir -p "$res"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0 t0=$(now)

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
		passed=$((passed + 1))
	else
		echo "not ok $n $2"
		sed 's/^/# /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

# expect_failure NAME PATTERN CMD...: CMD must exit non-zero and say PATTERN.
expect_failure() {
	local label=$1 pattern=$2 rc=0
	shift 2
	"$@" >"$tmp/out" 2>&1 || rc=$?
	[ "$rc" != 0 ] && grep -qE "$pattern" "$tmp/out"
	result $? "$label"
}

echo "KTAP version 1"
echo "1..4"
expect_failure kernel_src_missing 'KERNEL_SRC=/nonexistent/linux does not exist' \
	env KERNEL_SRC=/nonexistent/linux "$TOP/harness/kunit.sh"
expect_failure kernel_src_not_a_kernel 'is not a Linux kernel tree' \
	env KERNEL_SRC="$TOP/harness" "$TOP/harness/tree.sh"

# A copy of the series whose first patch has a context line (in its first
# hunk) that is not in the base; with no series yet, a file that is not a
# patch at all.
mkdir -p "$tmp/patches"
first=$(series_patches | head -n 1)
if [ -n "$first" ]; then
	awk '/^@@/ { hunk = 1 }
	     hunk && !done && /^ / { print " this context line is not in the base"; done = 1; next }
	     { print }' "$first" >"$tmp/patches/0001-broken.patch"
else
	printf 'not a patch\n' >"$tmp/patches/0001-broken.patch"
fi
echo 0001-broken.patch >"$tmp/patches/series"
before=$(git -C "$TREE" rev-parse HEAD; git -C "$TREE" status --porcelain --untracked-files=no; cat "$STATE")
expect_failure broken_patch_is_named 'does not apply: .*0001-broken\.patch' \
	env PATCHES="$tmp/patches" "$TOP/harness/tree.sh"
after=$(git -C "$TREE" rev-parse HEAD; git -C "$TREE" status --porcelain --untracked-files=no; cat "$STATE")
{ echo "before: $before"; echo "after: $after"; } >"$tmp/out"
[ "$before" = "$after" ] && [ ! -d "$TREE/.git/rebase-apply" ]
result $? broken_patch_leaves_tree_unchanged

printf 'harness-selftest %s %s 0 %s\n' "$passed" "$failed" "$(($(now) - t0))" >"$res/harness-selftest.result"
printf 'harness-selftest: %s passed, %s failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
