#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/checkpatch.pl --strict on every patch of the series, and on the
# test sources the harness overlays. One KTAP line per file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
res=$OUT/results
mkdir -p "$res"
log=$res/checkpatch.log
: >"$log"
mapfile -t patches < <(series_patches)
mapfile -t sources < <(cd "$TOP" && find drivers tools harness/guest -type f -name '*.[ch]' 2>/dev/null | sort)

step "checkpatch --strict: ${#patches[@]} patches, ${#sources[@]} test sources"
t0=$(now)
n=0 passed=0 failed=0
echo "KTAP version 1"
echo "1..$((${#patches[@]} + ${#sources[@]}))"
check() {
	local label=$1 out
	shift
	n=$((n + 1))
	if out=$("$SRC/scripts/checkpatch.pl" --strict --no-summary --terse "$@" 2>&1); then
		echo "ok $n $label"
		passed=$((passed + 1))
	else
		echo "not ok $n $label"
		printf '%s\n' "$out" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
	printf '== %s\n%s\n' "$label" "$out" >>"$log"
}
for p in "${patches[@]}"; do check "$(basename "$p")" "$p"; done
for f in "${sources[@]}"; do check "$f" --no-tree -f "$TOP/$f"; done
printf 'checkpatch %s %s 0 %s\n' "$passed" "$failed" "$(($(now) - t0))" >"$res/checkpatch.result"
printf 'checkpatch: %s passed, %s failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
