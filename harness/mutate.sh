#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Do the tests notice when the code is broken? Each patch in mutations/
# (mutations/kunit-NAME/ for LINUX=NAME, a base other than the first in
# harness/bases) breaks the tree on purpose; its header names what it breaks and the
# KUnit cases that must then fail:
#
#   Mutation: <what the patch breaks>
#   Killed-by: <case> [<case>...]
#   Timeout: <seconds>   (optional: kunit.py's run timeout, for a mutation
#                         that hangs the kernel; 300 s without it)
#
# Every mutation is applied to the base's tree on its own, the UML suite is
# built and run, and the patch is taken out again (also on error or ^C).
# A mutation passes (is killed) when every case it names fails or crashes
# the kernel; one that a named case survives is a hole in the suite. One
# KTAP line per mutation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutation_no_kernel_src mutate
select_tree
ccache_env
res=${RESULTS:-$OUT/results}
bdir=$OUT/kunit-um
mkdir -p "$res"

shopt -s nullglob
mdir=mutations
[ "$BASE_OUT" = "$BUILD" ] || mdir=mutations/kunit-$LINUX
muts=("$TOP/$mdir"/*.patch)
[ "${#muts[@]}" -gt 0 ] || die "no mutations in $mdir/."

step "mutations: ${#muts[@]} deliberate breakages, each must fail the cases it names"
ktap_begin "${#muts[@]}"
for m in "${muts[@]}"; do
	name=$(basename "$m" .patch)
	read -ra cases <<<"$(sed -n 's/^Killed-by: *//p' "$m")"
	if [ "${#cases[@]}" = 0 ]; then
		ktap_not_ok "$name" "${m#"$TOP"/} has no 'Killed-by:' line naming the cases it must fail"
		continue
	fi
	if ! git_t apply --check "$m" 2>/dev/null; then
		ktap_not_ok "$name" "${m#"$TOP"/} does not apply to ${SRC#"$TOP"/}: refresh it against the series"
		continue
	fi
	mutation_apply "$m"
	log=$res/mutate-$name.log
	rm -f "$bdir/test.log"
	run_timeout=$(sed -n 's/^Timeout: *//p' "$m")
	glob=$(suites_glob "${cases[@]}")
	rm -f "$bdir/mutate.json"
	kunit_py um "$bdir" --json="$bdir/mutate.json" ${run_timeout:+--timeout "$run_timeout"} ${glob:+"$glob"} >"$log" 2>&1 || true
	mutation_restore
	if [ ! -s "$bdir/test.log" ]; then
		ktap_not_ok "$name" "the mutated kernel did not build or boot: see ${log#"$TOP"/}"
		continue
	fi
	# kunit.py's verdict per case, from its JSON. A case that hung or
	# crashed the kernel may have no result of its own (the console's last
	# lines go with the kernel): it is killed all the same when its suite
	# crashed (a file's stem is its suite's name).
	specs=()
	for c in "${cases[@]}"; do specs+=("$c@$(case_suite "$c")"); done
	mapfile -t survived < <(iommutest kunit-survivors "$bdir/mutate.json" "${specs[@]}" ||
		echo "(kunit.py wrote no JSON: see ${log#"$TOP"/})")
	if [ "${#survived[@]}" = 0 ]; then
		ktap_ok "$name"
	else
		ktap_not_ok "$name" "$(sed -n 's/^Mutation: *//p' "$m"), and these cases still pass:
$(printf '  %s\n' "${survived[@]}")"
	fi
done
ktap_end "$res" "mutate$BASE_TAG"
