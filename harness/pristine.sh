#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# 'make selftests BASE=pristine': the kselftests on Debian's 6.12 as it
# ships, without the series. 'make selftests BASE=fixes': on Debian's 6.12
# with only the fixes of the series, the patches whose message has a
# Fixes: tag (they come first and apply to the base on their own), which is
# what a distribution taking them alone would ship.
# 'make selftests BASE=fixes-without-06' (or -05-06): those fixes but the
# numbered ones, to show in a guest the defect a single fix closes.
# A worktree of build/linux (build/pristine or build/fixes) at tag base,
# the fixes applied for BASE=fixes, the test files overlaid, run as a
# KERNEL_SRC tree (results under build/ext-*/results).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no kernel tree at build/linux." "Run 'make tree' first."
kind=${1:-pristine}
omit=
case "$kind" in
pristine | fixes) ;;
fixes-without-[0-9][0-9]*)
	omit=" $(printf '%s' "${kind#fixes-without-}" | tr '-' ' ') "
	[[ "$omit" =~ ^(\ [0-9]{2})+\ $ ]] ||
		die "BASE=$kind: give the fixes to leave out as two-digit patch numbers." \
		    "For example BASE=fixes-without-06 or BASE=fixes-without-05-06."
	kind=fixes ;;
*) die "BASE=$kind is not known." "Use BASE=pristine, BASE=fixes or BASE=fixes-without-NN." ;;
esac
wt=$BUILD/$kind
base_worktree "$wt"
if [ "$kind" = fixes ]; then
	fixes=()
	while read -r p; do
		n=$(basename "$p" | cut -c3-4)
		grep -q '^Fixes: ' "$p" || continue
		if [[ "$omit" == *" $n "* ]]; then
			info "fixes: leaving out $(basename "$p")"
			omit=${omit/" $n "/ }
			continue
		fi
		fixes+=("$p")
	done < <(series_patches)
	[ -z "${omit// /}" ] || die "BASE=fixes-without-…: patch${omit% } has no Fixes: tag, so it is not among the fixes." \
		"The fixes are patches $(cd "$PATCHES" && grep -l '^Fixes: ' 0*.patch | cut -c3-4 | tr '\n' ' ')"
	[ "${#fixes[@]}" -gt 0 ] || die "no patch of the series has a Fixes: tag."
	git -C "$wt" -c user.name=fixes -c user.email=fixes@localhost \
		am -q --keep-cr "${fixes[@]}" >"$BUILD/logs/fixes-am.log" 2>&1 ||
		die "the fixes do not apply to the base on their own; see build/logs/fixes-am.log." \
		    "Each patch with a Fixes: tag must apply to the base without the rework."
	info "fixes: ${#fixes[@]} patches on the base: $(git -C "$wt" log --format=%s base..HEAD | tr '\n' ';')"
fi
"$TOP/harness/overlay.sh" "$wt" >/dev/null
info "$kind: $wt, Linux $(kernel_version "$wt")"
IOMMU_TEST_KERNEL_SRC=$wt exec "$TOP/harness/selftests.sh"
