#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prepare the working copy of a KERNEL_SRC tree that is not the harness's
# own (one outside build/): build/ext-*/src, hard-linked to the tree
# (rsync --link-dest), with this repo's test files over it. The tree
# itself is never written: the overlay and the hook-up below replace
# files by rename, which leaves the tree's inode as it was, and kbuild
# writes only into O= directories.
#
# A tree whose drivers/iommu/Kconfig sources drivers/iommu/tests/Kconfig
# has the series (or at least its tests): 'make kunit' runs it as it is.
# Any other tree gets, for each KUnit test file whose needs
# (harness/kunit-needs) it meets, the Makefile and Kconfig lines that
# patches/ would add; build/ext-*/kunit-plan says what runs and what is
# skipped and why, and build/ext-*/kunitconfig is the suite's
# .kunitconfig without the options of the skipped files.
#
#   harness/foreign.sh      (after select_tree; KERNEL_SRC set)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree --preparing
[ "$SRC" != "$KSRC" ] || die "foreign.sh: $KSRC is the harness's own tree; nothing to copy."
plan=$OUT/kunit-plan
# files of the copy that are not the tree's: the repo's test files, and
# the hook-up files, which are the tree's with lines added
hookup=(drivers/iommu/Kconfig drivers/iommu/Makefile drivers/base/test/Makefile)
mkdir -p "$OUT/logs" "$SRC"
{ repo_test_files "$KSRC"; printf '%s\n' "${hookup[@]}" .harness-overlay; } | sed 's|^|/|' >"$OUT/copy-exclude"
step "KERNEL_SRC: hard-linked copy of $KSRC in ${SRC#"$TOP"/}"
run_logged "$OUT/logs/copy.log" rsync -a --delete --link-dest="$KSRC" \
	--exclude=/.git --exclude-from="$OUT/copy-exclude" "$KSRC"/ "$SRC"/ ||
	die "copying $KSRC into ${SRC#"$TOP"/} failed (log above)." "Check free disk space (df -h $BUILD)."
"$TOP/harness/overlay.sh" "$SRC"

# write_hookup FILE [LINE...]: the tree's FILE with LINEs (Kconfig: before
# its last 'endif') into the copy, by rename and only when it changes
write_hookup() {
	local f=$1 new
	shift
	[ -f "$KSRC/$f" ] || { rm -f "$SRC/$f"; return 0; }
	new=$(mktemp "$SRC/$f.XXXXXX")
	if [ "$#" -gt 0 ] && [[ "$f" == */Kconfig ]]; then
		awk -v add="$(printf '%s\n' "$@")" '{ l[NR] = $0 }
			/^endif/ { last = NR }
			END { for (i = 1; i <= NR; i++) { if (i == last) print add "\n"; print l[i] } }' \
			"$KSRC/$f" >"$new"
	else
		cat "$KSRC/$f" >"$new"
		[ "$#" = 0 ] || printf '%s\n' "$@" >>"$new"
	fi
	if cmp -s "$new" "$SRC/$f"; then rm -f "$new"; else mv "$new" "$SRC/$f"; fi
}

# the first need of FILE that the copy does not meet, or nothing
lacks() {
	local file=$1 glob tf re what
	while IFS='|' read -r glob tf re what; do
		case "$glob" in '' | '#'*) continue ;; esac
		# shellcheck disable=SC2053
		[[ "$file" == $glob ]] || continue
		grep -qE "$re" "$SRC/$tf" 2>/dev/null || { echo "$what"; return; }
	done <"$TOP/harness/kunit-needs"
}

if grep -q 'drivers/iommu/tests/Kconfig' "$KSRC/drivers/iommu/Kconfig" 2>/dev/null; then
	for f in "${hookup[@]}"; do write_hookup "$f"; done
	echo "mode series" >"$plan"
	info "KERNEL_SRC: the tree has the series' test hook-up: the KUnit suite runs as it is"
	exit 0
fi

echo "mode no-series" >"$plan"
iommu=() base=()
kconfig=$OUT/kunitconfig
grep -vE '^CONFIG_(IOMMU_FWSPEC_KUNIT_TEST|DM_KUNIT_TEST)=' "$TOP/drivers/iommu/tests/.kunitconfig" >"$kconfig"
while read -r f; do
	why=$(lacks "$f")
	if [ -n "$why" ]; then
		printf 'skip %s|%s\n' "$f" "$why" >>"$plan"
	else
		printf 'run %s\n' "$f" >>"$plan"
		case "$f" in
		drivers/iommu/tests/*) iommu+=("$f") ;;
		drivers/base/test/*) base+=("$f") ;;
		esac
	fi
done < <(repo_test_files | grep -E '_kunit\.c$')
if [ "${#iommu[@]}" -gt 0 ]; then
	write_hookup drivers/iommu/Kconfig 'source "drivers/iommu/tests/Kconfig"'
	write_hookup drivers/iommu/Makefile 'obj-$(CONFIG_IOMMU_FWSPEC_KUNIT_TEST) += tests/'
	echo CONFIG_IOMMU_FWSPEC_KUNIT_TEST=y >>"$kconfig"
else
	write_hookup drivers/iommu/Kconfig
	write_hookup drivers/iommu/Makefile
fi
if [ "${#base[@]}" -gt 0 ]; then
	mapfile -t lines < <(for f in "${base[@]}"; do
		printf 'obj-$(CONFIG_DM_KUNIT_TEST) += %s.o\n' "$(basename "${f%.c}")"; done)
	write_hookup drivers/base/test/Makefile "${lines[@]}"
	echo CONFIG_DM_KUNIT_TEST=y >>"$kconfig"
else
	write_hookup drivers/base/test/Makefile
fi
info "KERNEL_SRC: no series' test hook-up: $(grep -c '^run ' "$plan") KUnit test file(s) build here, $(grep -c '^skip ' "$plan") are skipped (${plan#"$TOP"/})"
