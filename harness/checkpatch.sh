#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/checkpatch.pl --strict on every patch of the series, and on the
# test sources of this repo (the series carries them too, but the repo's
# copy is the one edited). One KTAP line per file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
# checkpatch runs scripts/spdxcheck.py with the python3 on PATH; one of the
# user's own (pyenv, a venv) lacks Debian's python3-ply or python3-git:
# take the system's
if ! python3 -c 'import ply, git' 2>/dev/null; then
	/usr/bin/python3 -c 'import ply, git' 2>/dev/null ||
		die "checkpatch: scripts/spdxcheck.py needs python3's ply and git modules." \
			"Run 'make deps' as root."
	mkdir -p "$OUT/python3-system"
	ln -sfn /usr/bin/python3 "$OUT/python3-system/python3"
	PATH=$OUT/python3-system:$PATH
fi
res=${RESULTS:-$OUT/results}
mkdir -p "$res"
log=$res/checkpatch.log
: >"$log"
mapfile -t patches < <(series_patches)
mapfile -t sources < <(cd "$TOP" && find drivers tools harness/guest base-*/ -type f -name '*.[ch]' 2>/dev/null | sort)

step "checkpatch --strict: ${#patches[@]} patches, ${#sources[@]} test sources"
ktap_begin $((${#patches[@]} + ${#sources[@]}))
check() {
	local label=$1 out
	shift
	# build/linux is Debian's tarball on one commit: the upstream commits
	# that Fixes: tags name are not in it. The test files the series adds
	# are covered by MAINTAINERS already (IOMMU SUBSYSTEM: drivers/iommu/,
	# IOMMUFD: tools/testing/selftests/iommu/).
	# A traceback is spdxcheck.py that could not run: no SPDX line was
	# checked, whatever checkpatch's status says
	if out=$("$SRC/scripts/checkpatch.pl" --strict --no-summary --terse \
			--ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES "$@" 2>&1) &&
		! grep -q '^Traceback' <<<"$out"; then
		ktap_ok "$label"
	else
		ktap_not_ok "$label" "$out"
	fi
	printf '== %s\n%s\n' "$label" "$out" >>"$log"
}
for p in "${patches[@]}"; do check "$(basename "$p")" "$p"; done
for f in "${sources[@]}"; do check "$f" --no-tree -f "$TOP/$f"; done
ktap_end "$res" "checkpatch$BASE_TAG"
