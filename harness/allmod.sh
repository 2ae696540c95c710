#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build every file the series touches: allmodconfig (COMPILE_TEST, WERROR)
# for arm64, x86_64 and 32-bit arm (mtk_iommu_v1 is arm only), building
# only the directories the series changes. Then rebuild the touched .c
# files with W=1 and fail on a W=1 warning in a line the series changed.
# One KTAP line per architecture.
#
#   ALLMOD_ARCHES="arm64 x86_64 arm" (default)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
ccache_env
git -C "$SRC" rev-parse -q --verify refs/tags/base >/dev/null ||
	die "allmod: $SRC has no 'base' tag to tell the series' changes from the rest." \
	    "Tag the commit the series applies to: git -C $SRC tag base <commit>"
arches=${ALLMOD_ARCHES:-arm64 x86_64 arm}
res=$OUT/results
mkdir -p "$res"

# "file:line" for every line the series adds or changes in a .c file.
changed=$res/allmod-changed-lines
git -C "$SRC" diff -U0 base..HEAD -- '*.c' | awk '
	/^\+\+\+ b\// { file = substr($2, 3) }
	/^@@/ { split($3, r, ","); n = (r[2] == "") ? 1 : r[2]
		for (i = 0; i < n; i++) print file ":" substr(r[1], 2) + i }' | sort -u >"$changed"
mapfile -t touched < <(git -C "$SRC" diff --name-only base..HEAD -- '*.c' | grep -v '^drivers/iommu/tests/')
mapfile -t dirs < <(printf '%s\n' "${touched[@]}" | cut -d/ -f1-2 | sort -u | sed 's|$|/|')

ktap_begin "$(wc -w <<<"$arches")"
for arch in $arches; do
	arch_known "$arch" allmod
	cross=${ARCH_CROSS[$arch]}
	o=$OUT/allmod-$arch
	log=$res/allmod-$arch.log
	kmake() {
		make -C "$SRC" O="$o" ARCH="$arch" CROSS_COMPILE="$cross" \
			CC="ccache ${cross}gcc" -j"$(nproc)" "$@"
	}
	st=$(now)
	step "allmod $arch: allmodconfig, then ${dirs[*]} (log: ${log#"$TOP"/})" >&2
	why= details=
	if ! kmake allmodconfig >"$log" 2>&1; then
		why="allmodconfig failed"
	elif ! kmake "${dirs[@]}" >>"$log" 2>&1; then
		why="the build failed"
	else
		# W=1 on the touched files this config builds.
		objs=()
		for f in "${touched[@]}"; do
			[ -f "$o/${f%.c}.o" ] && objs+=("${f%.c}.o")
		done
		rm -f "${objs[@]/#/$o/}"
		kmake W=1 KCFLAGS=-Wno-error "${objs[@]}" >"$log.w1" 2>&1 || why="the W=1 build failed"
		grep -oE '^[^ :]+:[0-9]+:[0-9]+: warning' "$log.w1" | cut -d: -f1,2 |
			sed "s|^$SRC/||" | sort -u >"$log.w1-locations" || true
		new=$(comm -12 "$log.w1-locations" "$changed" | sed -n 1,20p)
		if [ -n "$new" ]; then
			why="new W=1 warnings at: $(echo $new)"
			details=$(grep -F "$(echo "$new" | sed -n 1,1p)" "$log.w1" | sed -n 1,5p)
		fi
		echo "# $arch: ${#objs[@]} touched objects built, $(wc -l <"$log.w1-locations") W=1 warning locations in them" >&2
	fi
	if [ -z "$why" ]; then
		ktap_ok "allmodconfig_$arch ($(($(now) - st)) s)"
	else
		ktap_not_ok "allmodconfig_$arch: $why" "${details:-$(grep -E 'error|warning' "$log" | sed -n 1,20p)}"
	fi
done
ktap_end "$res" allmod
