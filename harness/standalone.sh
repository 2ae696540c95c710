#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series as a maintainer takes it: the base's series (patches/ for
# 6.12, patches/mainline/ for LINUX=7.3) applied with git am onto the
# pristine base in a worktree (OUT/standalone), nothing copied in. Checks
# that it applies; that it carries this repo's version of every test file
# in the directories it touches (else 'make export' is due); that its
# commit messages stand alone (harness/bases MESSAGES); that the tests it
# carries configure (UML allnoconfig + the suites' options) and their KUnit
# objects build; and that the kselftest builds from the series alone. One
# KTAP line per check. Only iommu_probe_storm of the iommu selftests is
# built: Debian's 6.12.117 iommufd.c uses IOMMU_HW_INFO_TYPE_DEFAULT,
# which its uapi header lacks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
[ -d "$TREE/.git" ] || die "no kernel tree at ${TREE#"$TOP"/}." "Run 'make tree${LINUX:+ LINUX=$LINUX}' first."
ccache_env
wt=$OUT/standalone
kout=$OUT/standalone-um
res=${RESULTS:-$OUT/results}
log=$res/standalone.log
mkdir -p "$res"
: >"$log"
base_worktree "$wt"

ktap_begin 6
mapfile -t patches < <(series_patches)
if git -C "$wt" -c user.name=standalone -c user.email=standalone@localhost \
	am -q --keep-cr "${patches[@]}" >>"$log" 2>&1; then
	ktap_ok "git am of the ${#patches[@]} patches onto the base"
else
	ktap_not_ok "git am of the ${#patches[@]} patches onto the base" "$(tail -n 20 "$log")"
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	for c in "the series carries the repo's test files" "commit messages stand alone" \
		 "tests configure" "KUnit objects build" "kselftest builds"; do
		ktap_skip "$c" "the series does not apply"
	done
	ktap_end "$res" "standalone$BASE_TAG"
	exit 1
fi

# The test files of the directories the series touches (the mainline
# series carries some of the suites only)
carried() {
	local f
	repo_test_files "$wt" | while read -r f; do
		git -C "$wt" diff --quiet base HEAD -- "$(dirname "$f")" || echo "$f"
	done
}
stale=$(carried | while read -r f; do cmp -s "$(repo_test_source "$wt" "$f")" "$wt/$f" || printf '%s ' "$f"; done)
# and no test file the repo has deleted
stale+=$(git -C "$wt" diff --name-only --diff-filter=A base HEAD -- "${TEST_DIRS[@]}" |
	while read -r f; do [ -f "$(repo_test_source "$wt" "$f")" ] || printf '%s (deleted here) ' "$f"; done)
if [ -z "$stale" ]; then
	ktap_ok "the series carries the repo's test files ($(carried | wc -l) files)"
else
	ktap_not_ok "the series carries the repo's test files" \
		"${PATCHES#"$TOP"/} has another version of: $stale" "Run 'make export LINUX=$LINUX' and commit ${PATCHES#"$TOP"/}."
fi

named=$(messages_naming_harness "${patches[@]}")
if [ -z "$named" ]; then
	ktap_ok "commit messages stand alone (no harness terms in ${#patches[@]} messages)"
elif [ "$BASE_MESSAGES" = harness ]; then
	ktap_skip "commit messages stand alone" \
		"harness/bases says this base's messages still name the harness ($(printf '%s\n' "$named" | cut -d: -f1 | sort -u | wc -l) patches)"
else
	ktap_not_ok "commit messages stand alone" "$named" \
		"Rewrite these in build/${TREE#"$BUILD"/} (git rebase -i base), then 'make export LINUX=$LINUX'."
fi

kmake() { make -C "$wt" O="$kout" ARCH=um CC="ccache gcc" -j"$(nproc)" "$@"; }
frag=$kout.fragment
mkdir -p "$kout"
# The options of the suites the series carries: the IOMMU suites'
# .kunitconfig, the driver core's device_link_unbind (DM_KUNIT_TEST).
# UML's allnoconfig is 32-bit; kunit.py's UML is 64-bit.
suite_dirs=()
: >"$frag"
if [ -f "$wt/drivers/iommu/tests/.kunitconfig" ]; then
	grep -E '^CONFIG_[A-Z0-9_]+=' "$wt/drivers/iommu/tests/.kunitconfig" >>"$frag" || true
	suite_dirs+=(drivers/iommu/tests/)
fi
if [ -f "$wt/drivers/base/test/device_link_unbind_kunit.c" ]; then
	printf '%s\n' CONFIG_KUNIT=y CONFIG_DM_KUNIT_TEST=y >>"$frag"
	suite_dirs+=(drivers/base/test/)
fi
echo CONFIG_64BIT=y >>"$frag"
if [ "${#suite_dirs[@]}" -eq 0 ]; then
	ktap_not_ok "tests configure" "the series carries no KUnit suite (drivers/iommu/tests/.kunitconfig, drivers/base/test/device_link_unbind_kunit.c)" \
		"A series is posted with its tests: add them (git -C build/${TREE#"$BUILD"/} add -f), then 'make export LINUX=$LINUX'."
	ktap_skip "KUnit objects build" "no suite"
elif missing= && kmake KCONFIG_ALLCONFIG="$frag" allnoconfig >>"$log" 2>&1 &&
     missing=$(grep -E '^CONFIG_[A-Z0-9_]+=y$' "$frag" | { grep -vxFf "$kout/.config" || true; } | tr '\n' ' ') &&
     [ -z "$missing" ]; then
	ktap_ok "tests configure (UML allnoconfig + ${suite_dirs[*]})"
	if kmake "${suite_dirs[@]}" >>"$log" 2>&1 &&
	   { [ ! -f "$wt/drivers/base/test/device_link_unbind_kunit.c" ] ||
	     [ -f "$kout/drivers/base/test/device_link_unbind_kunit.o" ]; }; then
		ktap_ok "KUnit objects build ($(find "${suite_dirs[@]/#/$kout/}" -name '*.o' | wc -l) objects in ${suite_dirs[*]})"
	else
		ktap_not_ok "KUnit objects build" "$(tail -n 20 "$log")"
	fi
else
	ktap_not_ok "tests configure (UML allnoconfig + ${suite_dirs[*]})" \
		"${missing:-the configuration failed}: did not stick; see ${log#"$TOP"/}"
	ktap_skip "KUnit objects build" "the tests do not configure"
fi

# The kselftest with its own Makefile, against the series' uapi headers
# (x86_64's: UML exports none)
sout=$OUT/standalone-selftests hout=$OUT/standalone-headers
rm_build "$sout"
mkdir -p "$sout"
if make -C "$wt" O="$hout" ARCH=x86_64 headers >>"$log" 2>&1 &&
   make -C "$wt/tools/testing/selftests/iommu" OUTPUT="$sout" \
	KHDR_INCLUDES="-isystem $hout/usr/include" CC="ccache gcc" \
	"$sout/iommu_probe_storm" >>"$log" 2>&1 &&
   [ -x "$sout/iommu_probe_storm" ]; then
	ktap_ok "kselftest builds (iommu_probe_storm with the selftests' iommu Makefile)"
else
	ktap_not_ok "kselftest builds (iommu_probe_storm with the selftests' iommu Makefile)" "$(tail -n 20 "$log")"
fi
ktap_end "$res" "standalone$BASE_TAG"
