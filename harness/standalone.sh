#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series as a maintainer takes it: patches/ applied with git am onto the
# pristine base in a worktree (build/standalone), nothing copied in. Checks
# that it applies, that it carries this repo's version of every test file
# (else 'make export' is due), that the tests' Kconfig configures (UML,
# allnoconfig + the suite's .kunitconfig) and that the KUnit objects and the
# kselftest build from the series alone. One KTAP line per check. Only
# iommu_probe_storm of the iommu selftests is built: Debian's 6.12.117
# iommufd.c uses IOMMU_HW_INFO_TYPE_DEFAULT, which its uapi header lacks.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no kernel tree at build/linux." "Run 'make tree' first."
ccache_env
wt=$BUILD/standalone
kout=$BUILD/standalone-um
res=${RESULTS:-$BUILD/results}
log=$res/standalone.log
mkdir -p "$res"
: >"$log"
base_worktree "$wt"

ktap_begin 5
mapfile -t patches < <(series_patches)
if git -C "$wt" -c user.name=standalone -c user.email=standalone@localhost \
	am -q --keep-cr "${patches[@]}" >>"$log" 2>&1; then
	ktap_ok "git am of the ${#patches[@]} patches onto the base"
else
	ktap_not_ok "git am of the ${#patches[@]} patches onto the base" "$(tail -n 20 "$log")"
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	for c in "the series carries the repo's test files" "tests configure" \
		 "KUnit objects build" "kselftest builds"; do
		ktap_skip "$c" "the series does not apply"
	done
	ktap_end "$res" standalone
	exit 1
fi

stale=$(repo_test_files | while read -r f; do cmp -s "$TOP/$f" "$wt/$f" || printf '%s ' "$f"; done)
# and no test file the repo has deleted
stale+=$(git -C "$wt" diff --name-only --diff-filter=A base HEAD -- "${TEST_DIRS[@]}" |
	while read -r f; do [ -f "$TOP/$f" ] || printf '%s (deleted here) ' "$f"; done)
if [ -z "$stale" ]; then
	ktap_ok "the series carries the repo's test files"
else
	ktap_not_ok "the series carries the repo's test files" \
		"patches/ has another version of: $stale" "Run 'make export' and commit patches/."
fi

kmake() { make -C "$wt" O="$kout" ARCH=um CC="ccache gcc" -j"$(nproc)" "$@"; }
frag=$kout.fragment
mkdir -p "$kout"
# UML's allnoconfig is 32-bit; kunit.py's UML is 64-bit
{ grep -E '^CONFIG_[A-Z0-9_]+=' "$wt/drivers/iommu/tests/.kunitconfig" &&
  echo CONFIG_64BIT=y; } >"$frag" 2>/dev/null || : >"$frag"
if [ -s "$frag" ] && kmake KCONFIG_ALLCONFIG="$frag" allnoconfig >>"$log" 2>&1 &&
   grep -qx 'CONFIG_IOMMU_FWSPEC_KUNIT_TEST=y' "$kout/.config" &&
   grep -qx 'CONFIG_DM_KUNIT_TEST=y' "$kout/.config"; then
	ktap_ok "tests configure (UML allnoconfig + drivers/iommu/tests/.kunitconfig)"
	# the IOMMU suites and the driver core's (09/26's device_link_unbind)
	if kmake drivers/iommu/tests/ drivers/base/test/ >>"$log" 2>&1 &&
	   [ -f "$kout/drivers/base/test/device_link_unbind_kunit.o" ]; then
		ktap_ok "KUnit objects build ($(find "$kout/drivers/iommu/tests" "$kout/drivers/base/test" -name '*.o' | wc -l) objects)"
	else
		ktap_not_ok "KUnit objects build" "$(tail -n 20 "$log")"
	fi
else
	ktap_not_ok "tests configure (UML allnoconfig + drivers/iommu/tests/.kunitconfig)" \
		"CONFIG_IOMMU_FWSPEC_KUNIT_TEST=y or CONFIG_DM_KUNIT_TEST=y did not stick; see ${log#"$TOP"/}"
	ktap_skip "KUnit objects build" "the tests do not configure"
fi

# The kselftest with its own Makefile, against the series' uapi headers
# (x86_64's: UML exports none)
sout=$BUILD/standalone-selftests hout=$BUILD/standalone-headers
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
ktap_end "$res" standalone
