#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Line coverage of the fwspec code the series adds or changes, by the KUnit
# suite on UML: the suite's own configuration (the one 'make kunit' runs),
# with only the files of the functions below built with gcc's profiling
# (-fprofile-arcs), run once, and gcov's per-function summaries are read.
# Prints a table per function and the total; fails when the total is under
# COVERAGE_MIN percent (default 95).
#
# Not UML's CONFIG_GCOV (kunit.py's coverage_uml.config): it profiles
# every file and wants CONFIG_MODULES=n, so nothing of 'make kunit's build
# could be reused and the build took 8 min cold. This way every other
# object is the one ccache holds from 'make kunit', and the suite runs as
# it does there.
#
# Only code UML runs is measured: the ACPI paths (IORT, VIOT) are not built
# there, and UML has no PCI, so the PCI branch of of_iommu_configure() is
# left out (uml_unreachable below); the guest smoke tests run those.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

min=${COVERAGE_MIN:-95}
funcs=(
	drivers/iommu/iommu.c:iommu_fwspec_alloc
	drivers/iommu/iommu.c:iommu_fwspec_dealloc
	drivers/iommu/iommu.c:iommu_fwspec_append_ids
	drivers/iommu/iommu.c:iommu_fwspec_add_ids
	drivers/iommu/iommu.c:iommu_fwspec_init
	drivers/iommu/iommu.c:iommu_fwspec_of_xlate
	drivers/iommu/iommu.c:iommu_probe_device_fwspec
	drivers/iommu/iommu.c:dev_iommu_free
	drivers/iommu/of_iommu.c:of_iommu_xlate
	drivers/iommu/of_iommu.c:of_iommu_configure_dev_id
	drivers/iommu/of_iommu.c:of_iommu_configure_dev
	drivers/iommu/of_iommu.c:of_iommu_configure_device
	drivers/iommu/of_iommu.c:of_iommu_configure
)
# Branches UML cannot take, not counted: function -> the condition of an
# "if (COND(...)) { ... } else {" whose first block is skipped.
declare -A uml_unreachable=([of_iommu_configure]=dev_is_pci)

select_tree
ccache_env
bdir=$OUT/kunit-coverage
res=$OUT/results
log=$res/coverage.log
mkdir -p "$res"
t0=$(now)
step "coverage: building and running the suite with gcov on UML (log: ${log#"$TOP"/})"
find "$bdir" -name '*.gcda' -delete 2>/dev/null || true

# UML's linker script keeps .fini_array but not .fini_array.NNNNN, where gcc
# (7 and later) puts the destructor that writes the .gcda files at exit: the
# data would never be written. The coverage build adds it to build/linux
# for its duration (harness/uml-gcov-fini-array.patch).
lds_fix=$TOP/harness/uml-gcov-fini-array.patch
if ! grep -q 'fini_array\.\*' "$SRC/arch/um/include/asm/common.lds.S"; then
	[ -z "${KERNEL_SRC:-}" ] ||
		die "coverage: $KERNEL_SRC's UML linker script drops gcov's exit handler." \
		    "Apply harness/uml-gcov-fini-array.patch to it, or run on build/linux."
	mutation_apply "$lds_fix"
fi
# Profiling per object: kbuild's CFLAGS_<stem>.o, from make's command line
# (so every sub-make has it). No other object of the UML build has those
# stems (checked below: exactly one .gcno each).
profile=(-fprofile-arcs -ftest-coverage)
mk_profile=()
for src in $(printf '%s\n' "${funcs[@]}" | cut -d: -f1 | sort -u); do
	mk_profile+=("--make_options=CFLAGS_$(basename "${src%.c}").o=${profile[*]}")
done
# The UML link is gcc's, but without -fprofile-arcs: libgcov is named
# to the linker, with the symbols the profiled objects need asked for
# first (it comes before the objects). gcc 12's libgcov has a global
# mangle_path(), as fs/seq_file.c does; let the link keep the kernel's
# (libgcov only calls its own when GCOV_PREFIX mangling is asked for,
# which it is not here).
libgcov=$(gcc -print-file-name=libgcov.a)
[ -f "$libgcov" ] || die "coverage: gcc has no libgcov.a ($libgcov)." "Install gcc's full package (libgcc-12-dev)."
gcov_link="LDFLAGS_EXECSTACK=-z noexecstack --no-warn-rwx-segments --allow-multiple-definition"
gcov_link+=" -u __gcov_init -u __gcov_exit -u __gcov_merge_add $libgcov"
kunit_py um "$bdir" --make_options="$gcov_link" "${mk_profile[@]}" \
	>"$log" 2>&1 || {
	tail -n 30 "$log" >&2
	die "coverage: the gcov build or run of the suite failed (log above)." "Run 'make kunit' first to see whether the suite itself passes."
}

mutation_restore

for src in $(printf '%s\n' "${funcs[@]}" | cut -d: -f1 | sort -u); do
	stem=$(basename "${src%.c}")
	built=$(find "$bdir" -name "$stem.gcno" -newer "$bdir/.config" | wc -l)
	[ "$built" = 1 ] ||
		die "coverage: $built objects named $stem.o were built with profiling, not 1." \
		    "A second $stem.o in the UML build: give harness/coverage.sh a narrower way to pick $src."
done

gcovd=$bdir/gcov
rm_build "$gcovd"
mkdir -p "$gcovd"
for src in $(printf '%s\n' "${funcs[@]}" | cut -d: -f1 | sort -u); do
	obj=$bdir/${src%.c}.o
	[ -f "${obj%.o}.gcda" ] ||
		die "coverage: no ${obj#"$TOP"/} coverage data." "The suite did not run, or $src is not built for UML."
	# from the build directory: the objects name their sources relative
	# to it (CCACHE_BASEDIR)
	(cd "$bdir" && gcov -f -o "$(dirname "$obj")" "$SRC/$src" && mv -f ./*.gcov "$gcovd/") \
		>"$gcovd/$(basename "$src").txt" 2>&1
done

printf '%-44s %6s %6s %8s\n' function lines run covered
total=0 hit=0
for f in "${funcs[@]}"; do
	src=${f%%:*} fn=${f#*:}
	# The function's own lines in the annotated source: from its definition
	# (a line starting at column 0 that names it and opens it) to its
	# closing brace; "-" lines are not code, "#####" lines never ran.
	# Lines of inline helpers from headers are not counted.
	read -r n run < <(awk -v fn="$fn" -v skip="${uml_unreachable[$fn]:-}" '
		{
			count = $0; sub(/:.*/, "", count); gsub(/[ *]/, "", count)
			rest = $0; sub(/^[^:]*:/, "", rest)
			line = rest; sub(/:.*/, "", line); line += 0
			text = rest; sub(/^[^:]*:/, "", text)
		}
		!in_fn && text ~ ("^[a-z].*[ *]" fn "\\(") && text !~ /;$/ { in_fn = 1 }
		in_fn && skip != "" && text ~ ("if \\(" skip "\\(") { skipping = 1 }
		in_fn && skipping && text ~ /^\t} else {/ { skipping = 0 }
		in_fn {
			if (count != "-" && !skipping) {
				n++
				if (count != "#####" && count != "=====") run++
			}
			if (text == "}") { print n + 0, run + 0; exit }
		}
	' "$gcovd/$(basename "$src").gcov") || true
	[ -n "${n:-}" ] && [ "$n" -gt 0 ] ||
		die "coverage: no lines of $fn found in $src." "Is it still in the series? Update harness/coverage.sh."
	pct=$(awk -v r="$run" -v n="$n" 'BEGIN { printf "%.1f", 100 * r / n }')
	printf '%-44s %6s %6s %7s%%\n' "$fn" "$n" "$run" "$pct"
	total=$((total + n)) hit=$((hit + run))
	unset n run
done
pct=$(awk -v h="$hit" -v t="$total" 'BEGIN { printf "%.1f", 100 * h / t }')
printf '%-44s %6s %6s %7s%%\n' TOTAL "$total" "$hit" "$pct"
awk -v p="$pct" -v m="$min" 'BEGIN { exit !(p >= m) }' ||
	die "coverage: $pct% of the series' fwspec lines run, under the $min% floor." \
	    "See the .gcov files in ${gcovd#"$TOP"/} for the lines never run, and add cases."
printf 'coverage 1 0 0 %s\n' "$(($(now) - t0))" >"$res/coverage.result"
echo "coverage: $pct% of lines (floor $min%); annotated sources in ${gcovd#"$TOP"/}"
