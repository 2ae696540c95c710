#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the tree of the base (LINUX, harness/bases; build/linux for the
# first): the pristine Debian source committed and tagged 'base', its
# series (patches/ for 6.12) applied with git am, the test files overlaid.
# Idempotent:
#  - the base is unpacked once (an interrupted unpack restarts from scratch);
#  - an unchanged series is not re-applied;
#  - a changed series is re-applied from 'base', but only when the tree holds
#    no kernel work that is not in patches/ (commit + 'make export' first);
#  - a patch that does not apply is named and the tree is put back as it was.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

TARBALL=$(base_tarball)
rel=${TREE#"$TOP"/}

unpack_base() {
	local new=$TREE.new ver t0
	ver=$(base_installed)
	[ -f "$TARBALL" ] || die "$TARBALL is missing." "Run 'make deps LINUX=$LINUX' (harness/deps.sh --base) as root."
	rm_build "$new"
	mkdir -p "$new"
	t0=$(now)
	step "unpacking $BASE_PACKAGE $ver into $rel (about a minute)"
	tar -xJf "$TARBALL" -C "$new" --strip-components=1 ||
		die "unpacking $TARBALL failed." "Check free disk space (df -h $BUILD) and rerun 'make tree LINUX=$LINUX'."
	# Debian's top-level .gitignore ignores everything but debian/ (their
	# packaging); drop that so the kernel's own ignore rules apply.
	sed -i -e '/^# Debian packaging: ignore everything/,/^!\/debian\/$/d' "$new/.gitignore"
	grep -qx '/\*' "$new/.gitignore" &&
		die "could not remove Debian's '/*' rule from the top-level .gitignore." \
		    "The tarball layout changed; adjust unpack_base() in harness/tree.sh."
	step "committing the pristine base (about a minute)"
	git -C "$new" init -q -b work
	# git am needs a committer; keep the user's identity when there is one.
	git -C "$new" config user.name >/dev/null ||
		git -C "$new" config user.name "iommu-fwspec harness"
	git -C "$new" config user.email >/dev/null ||
		git -C "$new" config user.email "harness@localhost"
	git -C "$new" config gc.auto 0
	git -C "$new" add -A
	git -C "$new" commit -q -m "base: Debian $BASE_PACKAGE $ver" \
		-m "Unpacked from $TARBALL; Debian's top-level .gitignore rule '/*' removed."
	git -C "$new" tag -a base -m "$BASE_PACKAGE $ver"
	printf '%s\n' "$ver" >"$new/.git/harness-base"
	rm_build "$TREE"
	mv "$new" "$TREE"
	printf '%s %s\n' "$(sha1sum </dev/null | cut -d' ' -f1)" "$(tree_sum)" >"$STATE"
	info "base committed in $(($(now) - t0)) s: $(kernel_version "$TREE") ($ver)"
}

apply_series() {
	local old p n=0 total
	mapfile -t patches < <(series_patches)
	total=${#patches[@]}
	old=$(git_t rev-parse HEAD)
	step "applying the series: $total patches from ${PATCHES#"$TOP"/}/series"
	undo_note reset "$old"
	git_t reset -q --hard base
	# the overlay's copies of test files the series adds would stop git am
	repo_test_files "$TREE" | (cd "$TREE" && while read -r p; do
		git ls-files --error-unmatch -- "$p" >/dev/null 2>&1 || rm -f -- "$p"
	done)
	for p in "${patches[@]}"; do
		n=$((n + 1))
		if ! git_t am -q --keep-cr "$p" >"$BUILD/logs/git-am.log" 2>&1; then
			grep -vE '^(hint:|When you have|If you prefer|To restore)' "$BUILD/logs/git-am.log" >&2
			git_t am --abort >/dev/null 2>&1 || true
			git_t reset -q --hard "$old"
			undo_done
			die "patch $n/$total does not apply: $p" \
			    "git am output is above; $rel is back where it was (HEAD $(git_t rev-parse --short HEAD))." \
			    "Rebase the patch onto the base: fix it in $rel, then 'make export'."
		fi
		[ "$V" = 1 ] && info "applied $(basename "$p")"
	done
	record_state
	undo_done
	info "series applied: HEAD is $(git_t log -1 --format='%h %s')"
}

# KERNEL_SRC: someone else's tree. Leave the base's tree alone. A tree of the
# harness's own (a worktree under build/) gets the test files written into
# it; any other is never written: foreign.sh prepares a hard-linked copy.
foreign_tree() {
	select_tree --preparing
	info "KERNEL_SRC: $KSRC, Linux $(kernel_version "$KSRC")"
	if [ "$SRC" = "$KSRC" ]; then
		"$TOP/harness/overlay.sh" "$SRC"
	else
		"$TOP/harness/foreign.sh"
	fi
}

main() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		foreign_tree
		return
	fi
	mkdir -p "$BUILD/logs"
	rm_build "$TREE.new"
	[ ! -d "$TREE/.git" ] || repair_interrupted
	if [ -d "$TREE/.git" ] && git_t rev-parse -q --verify refs/tags/base >/dev/null &&
	   [ -f "$STATE" ] && [ -f "$TREE/.git/harness-base" ]; then
		local have want
		have=$(cat "$TREE/.git/harness-base")
		want=$(base_installed)
		if [ "$have" != "$want" ]; then
			check_no_unexported_work "the installed base is $want but $rel is on $have"
			unpack_base
		fi
	elif [ -e "$TREE" ]; then
		warn "$rel is incomplete (an interrupted 'make tree'?); preparing it again."
		[ -d "$TREE/.git" ] && git -C "$TREE" rev-parse -q --verify refs/tags/base >/dev/null &&
			[ -n "$(git -C "$TREE" log --oneline base..HEAD 2>/dev/null)" ] &&
			die "$rel has commits on top of base but no harness state." \
			    "Export them by hand (git -C $rel format-patch -o ${PATCHES#"$TOP"/} base..HEAD) or remove $rel."
		rm_build "$TREE"
		unpack_base
	else
		unpack_base
	fi

	read -r rec_series rec_tree <"$STATE"
	if [ "$rec_series" = "$(series_sum)" ]; then
		info "series unchanged ($(git_t rev-list --count base..HEAD) commits on base)"
		# Kernel work in progress: build it as it is, and say it is
		# not in patches/ yet.
		[ "$rec_tree" = "$(tree_sum)" ] ||
			warn "$rel has commits that are not exported to ${PATCHES#"$TOP"/}/ yet: run 'make export' and commit ${PATCHES#"$TOP"/}/."
	else
		check_no_unexported_work "${PATCHES#"$TOP"/}/ changed since $rel was last prepared"
		apply_series
	fi
	"$TOP/harness/overlay.sh" "$TREE"
	info "tree ready: $rel, $(kernel_version "$TREE")"
}

main "$@"
