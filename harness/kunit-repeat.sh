#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Flakiness check: run the UML KUnit suite REPEAT times (default 20) on one
# build ('make kunit' builds it; here only 'kunit.py exec' runs it) and count
# the runs with a failed case. The race and fail-nth suites are the ones
# that could be flaky; every run gets new random registration times.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

n=${REPEAT:-20}
select_tree
bdir=$OUT/kunit-um
res=$OUT/results
mkdir -p "$res"
[ -x "$bdir/linux" ] || die "no UML KUnit kernel in ${bdir#"$TOP"/}." "Run 'make kunit' first."

step "kunit-repeat: $n runs of the built UML suite (kunit.py exec)"
ktap_begin "$n"
for i in $(seq "$n"); do
	log=$res/kunit-repeat-$i.log
	rm -f "$bdir/repeat.json"
	if (cd "$SRC" && python3 tools/testing/kunit/kunit.py exec --build_dir="$bdir" \
		--json="$bdir/repeat.json" --timeout 300) >"$log" 2>&1; then
		rm -f "$log"
		ktap_ok "run $i"
	else
		ktap_not_ok "run $i" "$(iommutest kunit-failures "$bdir/repeat.json" 2>&1 | sed -n 1,10p)
see ${log#"$TOP"/}"
	fi
done
ktap_end "$res" kunit-repeat
