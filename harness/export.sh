#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Write patches/ from the commits base..HEAD in build/linux: one
# format-patch file per commit, the 'series' file, and a cover letter
# (patches/0000-cover-letter.patch, kept across exports when it exists).
#
# The test files (TEST_DIRS in lib.sh) are edited in this repo, and the
# series carries them: before exporting, the repo's version of each one is
# folded into the commit of the series that last touched it (a new file:
# the last commit that touched its directory), so that every patch keeps
# building, and a file deleted from the repo is deleted there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no kernel tree at build/linux." "Run 'make tree' first."
git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null ||
	die "build/linux has no 'base' tag." "Remove build/linux and run 'make tree'."
repair_interrupted
dirty=$(tracked_dirt)
[ -z "$dirty" ] ||
	die "build/linux has uncommitted kernel changes; only commits are exported:" \
	    "$dirty" "Commit them (git -C build/linux commit -s) and run 'make export' again."

# owner FILE: the commit of the series FILE belongs to; none when no
# commit of the series touches its directory
owner() {
	local c
	c=$(git_t log -1 --format=%H base..HEAD -- "$1")
	[ -n "$c" ] || c=$(git_t log -1 --format=%H base..HEAD -- "$(dirname "$1")")
	echo "$c"
}

fold_tests() {
	local f c n=0 outside=()
	local -A files=()
	# A series that carries no tests yet (the mainline one, patches/mainline):
	# nothing to fold into
	if [ -z "$(git_t log -1 --format=%H base..HEAD -- "${TEST_DIRS[@]}")" ]; then
		info "no commit of the series carries test files: none folded"
		return 0
	fi
	"$TOP/harness/overlay.sh" "$TREE" >/dev/null
	while read -r f; do
		if git_t ls-files --error-unmatch -- "$f" >/dev/null 2>&1 &&
		   git_t diff --quiet HEAD -- "$f"; then
			continue
		fi
		c=$(owner "$f")
		if [ -z "$c" ]; then
			outside+=("$f")
			continue
		fi
		files[$c]+="$f "
	done < <(repo_test_files "$TREE")
	# The mainline series carries some of the tests only (its own
	# directories): name what it leaves out, so that a new directory that
	# belongs in it is seen
	[ "${#outside[@]}" -eq 0 ] ||
		info "not in this series (no commit of it touches their directories; add one with git -C ${TREE#"$TOP"/} add -f FILE to carry them): ${outside[*]}"
	# files the series added that the repo no longer has
	while read -r f; do
		[ -f "$(repo_test_source "$TREE" "$f")" ] && continue
		c=$(owner "$f")
		files[$c]+="$f "
	done < <(git_t diff --name-only --diff-filter=A base HEAD -- "${TEST_DIRS[@]}")
	[ "${#files[@]}" -gt 0 ] || return 0
	for c in "${!files[@]}"; do
		read -ra fl <<<"${files[$c]}"
		git_t add -f -A -- "${fl[@]}"
		git_t commit -q --no-verify --fixup="$c"
		n=$((n + ${#fl[@]}))
		info "test files into '$(git_t log -1 --format=%s "$c")': ${fl[*]}"
	done
	GIT_SEQUENCE_EDITOR=: git_t rebase -q -i --autosquash base >"$BUILD/logs/export-rebase.log" 2>&1 ||
		die "folding the test files into the series failed; see build/logs/export-rebase.log." \
		    "build/linux is mid-rebase: resolve it there (git -C build/linux status) or 'git -C build/linux rebase --abort'."
	info "folded $n test file change(s) into the series"
}

fold_tests
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
info "exported $(wc -l <"$out/series") patches to ${out#"$TOP"/}/ (commit them in this repo)"
