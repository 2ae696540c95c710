#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Copy the repo's test files (drivers/, tools/, Documentation/) into a kernel
# tree, and over those the files of the tree's base under base-V.P/ (see
# tree_base_dir in lib.sh). Files are only rewritten when their content changed, so an unchanged
# overlay does not trigger a rebuild. Files copied by an earlier run and since
# deleted from the repo are removed. The test files the series carries
# (TEST_DIRS in lib.sh) are tracked once it is applied: the repo's version
# is written over them, and 'make export' folds it into the series. Never
# overwrites any other file the tree's git tracks: kernel changes belong in
# the series.
#
#   harness/overlay.sh TREE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dst=${1:?usage: overlay.sh TREE}
is_kernel_tree "$dst" || die "overlay: $dst is not a kernel tree."

cd "$TOP"
mapfile -t files < <(overlay_files "$dst" drivers tools Documentation)

# The list of files this overlay owns lives beside the tree, in its .git when
# it has one, so that stale copies can be removed later.
if [ -d "$dst/.git" ]; then
	state=$dst/.git/harness-overlay
	tracked() { git -C "$dst" ls-files --error-unmatch -- "$1" >/dev/null 2>&1; }
else
	state=$dst/.harness-overlay
	tracked() { return 1; }
fi

changed=0
for f in "${files[@]}"; do
	if ! is_test_file "$f" && tracked "$f"; then
		die "overlay: $f is tracked by the kernel tree's git; the overlay would overwrite kernel code." \
		    "Put that change in a patch of the series instead (commit it in build/linux, then 'make export')."
	fi
	src=$(repo_test_source "$dst" "$f")
	if ! cmp -s "$src" "$dst/$f"; then
		# by rename: in a hard-linked copy of someone's tree
		# (foreign.sh), writing into the file would write into theirs
		mkdir -p "$dst/$(dirname "$f")"
		cp "$src" "$dst/$f.overlay-new"
		mv -f "$dst/$f.overlay-new" "$dst/$f"
		changed=$((changed + 1))
	fi
done

removed=0
if [ -f "$state" ]; then
	while IFS= read -r f; do
		[ -n "$f" ] && [ ! -f "$(repo_test_source "$dst" "$f")" ] && [ -f "$dst/$f" ] || continue
		rm -f "$dst/$f"
		removed=$((removed + 1))
	done <"$state"
fi
printf '%s\n' "${files[@]}" >"$state"

# Keep the overlay out of the tree's commits: a 'git add -A' there must not
# sweep test files into a kernel patch.
if [ -d "$dst/.git" ]; then
	exclude=$dst/.git/info/exclude
	mkdir -p "$(dirname "$exclude")"
	sed -i '/# harness-overlay begin/,/# harness-overlay end/d' "$exclude" 2>/dev/null || true
	{
		echo '# harness-overlay begin'
		printf '/%s\n' "${files[@]}"
		echo '/.harness-overlay'
		echo '# harness-overlay end'
	} >>"$exclude"
fi

info "overlay: ${#files[@]} test files, $changed updated, $removed removed"
