#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# 'make selftests BASE=pristine': the kselftests on Debian's 6.12 as it
# ships, without the series. 'make selftests BASE=fixes': on Debian's 6.12
# with only the fixes of the series: they come first, up to the last patch
# marked for stable ('Cc: stable@vger.kernel.org'), and apply to the base
# without the rework, which is what a distribution taking them alone would
# ship.
# 'make selftests BASE=fixes-without-09' (or -08-09): those fixes but the
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
		    "For example BASE=fixes-without-09 or BASE=fixes-without-08-09."
	kind=fixes ;;
*) die "BASE=$kind is not known." "Use BASE=pristine, BASE=fixes or BASE=fixes-without-NN." ;;
esac
wt=$BUILD/$kind
base_worktree "$wt"
if [ "$kind" = fixes ]; then
	# The fixes come first: every patch up to the last one for stable
	# (Cc: stable@vger.kernel.org), with what those need.
	mapfile -t series < <(series_patches)
	last=-1
	for i in "${!series[@]}"; do
		grep -q '^Cc: stable@vger.kernel.org' "${series[$i]}" && last=$i
	done
	[ "$last" -ge 0 ] || die "no patch of the series is marked for stable (Cc: stable@vger.kernel.org)."
	fixes=()
	for p in "${series[@]:0:$((last + 1))}"; do
		n=$(basename "$p" | cut -c3-4)
		if [[ "$omit" == *" $n "* ]]; then
			info "fixes: leaving out $(basename "$p")"
			omit=${omit/" $n "/ }
			continue
		fi
		fixes+=("$p")
	done
	[ -z "${omit// /}" ] || die "BASE=fixes-without-…: patch${omit% } is not among the fixes." \
		"The fixes are patches 01 to $(basename "${series[$last]}" | cut -c3-4), up to the last one marked for stable."
	[ "${#fixes[@]}" -gt 0 ] || die "BASE=fixes-without-…: that leaves no fix."
	git -C "$wt" -c user.name=fixes -c user.email=fixes@localhost \
		am -q --keep-cr "${fixes[@]}" >"$BUILD/logs/fixes-am.log" 2>&1 ||
		die "the fixes do not apply to the base on their own; see build/logs/fixes-am.log." \
		    "The fixes must apply to the base without the rework."
	info "fixes: ${#fixes[@]} patches on the base: $(git -C "$wt" log --format=%s base..HEAD | tr '\n' ';')"
fi
tree_py overlay --dst "$wt" >/dev/null
info "$kind: $wt, Linux $(kernel_version "$wt")"
IOMMU_TEST_KERNEL_SRC=$wt exec "$TOP/harness/selftests.sh"
