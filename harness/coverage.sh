#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Line coverage of the fwspec code the series adds or changes, by the KUnit
# suite on UML: the suite's own configuration (the one 'make kunit' runs),
# with only the files of the functions below built with gcc's profiling
# (-fprofile-arcs), run once, and gcov's JSON is read for each function's
# lines (harness/iommutest/coverage.py).
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
	(cd "$bdir" && gcov --json-format --stdout -o "$(dirname "$obj")" "$SRC/$src") \
		>"$gcovd/$(basename "$src").json" 2>>"$gcovd/$(basename "$src").txt"
done

# each function's lines, from gcov's JSON (harness/iommutest/coverage.py)
json=() unreach=()
for src in $(printf '%s\n' "${funcs[@]}" | cut -d: -f1 | sort -u); do
	json+=(--json "$gcovd/$(basename "$src").json")
done
for fn in "${!uml_unreachable[@]}"; do unreach+=(--unreachable "$fn:${uml_unreachable[$fn]}"); done
iommutest coverage --min "$min" "${unreach[@]}" "${json[@]}" "$SRC" "${funcs[@]}" | tee -a "$log" ||
	die "coverage: under the $min% floor, or a function not found (above)." \
	    "See the .gcov files in ${gcovd#"$TOP"/} for the lines never run, and add cases."
pct=$(tail -n 1 "$log" | awk '{ print $NF }')
printf 'coverage 1 0 0 %s\n' "$(($(now) - t0))" >"$res/coverage.result"
echo "coverage: $pct of lines (floor $min%); annotated sources in ${gcovd#"$TOP"/}"
