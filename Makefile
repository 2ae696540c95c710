# SPDX-License-Identifier: GPL-2.0
# The one entry point of the iommu_fwspec test suite. 'make help' lists the
# targets; everything is done by the scripts in harness/.
#
# Variables:
#   KERNEL_SRC=/path  run on an existing kernel tree instead of build/linux
#   LINUX=7.3         on Debian's linux-source-7.3 (build/linux-7.3, its series patches/mainline/) instead of 6.12 (harness/bases)
#   ARCH=um|arm64|x86_64  architecture for 'make kunit' (default um)
#   V=1               show full build and tool output
#   DEBUG=1           'make kunit' with KASAN (configs/kunit-debug.config)
#   COVERAGE_MIN=95   'make coverage' fails under this line coverage (%)
#   BENCH_RUNS=5      runs per figure of 'make bench-kunit'
#   BASE=pristine     'make selftests' on Debian's 6.12 without the series
#   BASE=fixes        'make selftests' on Debian's 6.12 with only the series' fixes (up to the last Cc: stable)
#   BASE=fixes-without-09  the same without fix 09 (or -08-09): shows the defect that fix closes
#   KCSAN=1           guest kernels with KCSAN instead of KASAN (build/*-kcsan)
#   QEMU=7.2          the guests on Debian's QEMU 7.2 instead of 10.0 (harness/qemu-versions)

# The knobs of harness/knobs reach the scripts as IOMMU_TEST_<name>, and
# only from this command line (or already prefixed): a plain one in the
# environment is ignored, with a warning.
HARNESS_KNOBS := $(shell awk '$$2 == "make" { print $$1 }' harness/knobs)
$(foreach v,$(HARNESS_KNOBS),$(if $(filter command line,$(origin $(v))),$(eval export IOMMU_TEST_$(v) := $($(v)))))
$(foreach v,$(HARNESS_KNOBS),$(if $(filter environment,$(origin $(v))),$(if $(IOMMU_TEST_$(v)),,$(warning $(v)=$($(v)) in the environment is ignored: give it on the command line (make ... $(v)=...) or as IOMMU_TEST_$(v)))))
.NOTPARALLEL:
H := harness
# The mainline base: the second of harness/bases (the first is the
# default); 'make check' applies, checks and builds its series too
MAINLINE := $(shell awk -F'|' '$$1 !~ /^[[:space:]]*$$/ && substr($$1, 1, 1) != "\043" && ++n == 2 { print $$1; exit }' harness/bases)

.PHONY: all run check kunit smoke checkpatch kerneldoc selftest mutate mutate-guests bench-mutate bench-qemu coverage bench-kunit kunit-repeat selftests bench-selftests kselftest-tarball bisect-check standalone-check allmod-check tree export deps \
	clean distclean help

all: run

help:
	@echo 'make              same as make run'
	@echo 'make run          KUnit suite + guest smoke tests + kselftests on 6.12, the guests again on the mainline base (7.3), then a result table; LINUX=NAME: that base only'
	@echo 'make check        the project gate (CI): both series standalone (6.12 and the mainline one on $(MAINLINE)), checkpatch and kernel-doc of both, KUnit, mutations, coverage, smoke, reduced kselftests, the kselftest tarball booted, harness selftests'
	@echo '                 (a step whose inputs are those of a run that passed is reused; FRESH=1 runs every step)'
	@echo 'make kunit        KUnit suite (drivers/iommu/tests) with kunit.py; ARCH=um|arm64|x86_64'
	@echo 'make smoke        guest boot smoke tests: arm64 SMMUv3 and virtio-iommu (DT), arm64 SMMUv3 (ACPI IORT), x86_64 virtio-iommu (ACPI VIOT), intel-iommu, amd-iommu'
	@echo 'make selftests    kselftest iommu_probe_storm in the six guests: storms, 50 load-race boots per target, a table; BASE=pristine runs it without the series, BASE=fixes with only its fixes; KCSAN=1 with KCSAN kernels'
	@echo 'make bench-selftests storm cycles per second per scenario, race boots per minute, time per target'
	@echo 'make bench-qemu   the QEMUs of harness/qemu-versions side by side: BENCH_BOOTS=20 boots of one storm scenario (or BENCH_SCENARIO=race) on each, alternating'
	@echo 'make kselftest-tarball the iommu kselftests as CI takes them (gen_tar), with per target a kernel, rootfs and QEMU command line: build/kselftest/TARGET'
	@echo 'make checkpatch   checkpatch.pl --strict on patches/ and the test sources'
	@echo 'make kerneldoc    kernel-doc -none -Wall on the files the series changes (no new warnings)'
	@echo 'make selftest     tests of the harness itself'
	@echo 'make coverage     line coverage of the series fwspec functions by the KUnit suite (gcov, UML)'
	@echo 'make bench-kunit  timings of the KUnit suite: cold, warm (one file touched), run only; medians'
	@echo 'make kunit-repeat run the built UML suite REPEAT=20 times and count failing runs (flakiness)'
	@echo 'make mutate       apply each deliberate breakage in mutations/ and check the KUnit cases it names fail'
	@echo 'make mutate-guests the same for mutations/guest/: firmware and driver code only the guests reach; MUTATIONS= picks'
	@echo 'make bench-mutate how often and how fast the race suite kills the race mutations (BENCH_ARCH=x86_64, BENCH_KILL_RUNS=20)'
	@echo 'make bisect-check build every commit of the series, no overlay: arm64 (OF, ACPI, SMMUv2/v3, virtio-iommu) and x86_64 (VIOT, intel, amd), KUnit once added'
	@echo 'make standalone-check git am patches/ onto the pristine base, nothing copied in: carries the repo tests, configures, builds KUnit objects and the kselftest'
	@echo 'make allmod-check allmodconfig builds (arm64, x86_64, arm) of the directories the series touches, W=1 on touched files'
	@echo 'make tree         prepare build/linux: Debian 6.12 base + patches/ + the repo test files written over the series ones; LINUX=7.3: build/linux-7.3, Debian 7.3 + patches/mainline/'
	@echo 'make export       fold the repo test files into the series, write patches/ from the commits base..HEAD in build/linux'
	@echo 'make deps         install the Debian packages the project needs (root)'
	@echo 'make clean        remove build outputs, keep build/linux'
	@echo 'make distclean    remove build/ entirely (refuses if build/linux has unexported work)'
	@echo 'Variables: KERNEL_SRC=/path/to/linux  LINUX=6.12|7.3  ARCH=um|arm64|x86_64  V=1  DEBUG=1  KCSAN=1  QEMU=10.0|7.2  COVERAGE_MIN=95  BENCH_RUNS=5'

deps:
	@$(H)/deps.sh $(if $(IOMMU_TEST_KERNEL_SRC),,--base) --for "$(or $(filter-out deps,$(MAKECMDGOALS)),$(if $(MAKECMDGOALS),everything,all))"

tree: deps
	@$(H)/tree.sh

export:
	@$(H)/export.sh

kunit: tree
	@$(H)/kunit.sh

smoke: tree
	@$(H)/smoke.sh

selftests: tree
	@$(if $(IOMMU_TEST_BASE),$(H)/pristine.sh $(IOMMU_TEST_BASE),$(H)/selftests.sh)

bench-selftests: tree
	@$(H)/bench-selftests.sh

bench-qemu: tree
	@$(H)/bench-qemu.sh

kselftest-tarball: tree
	@$(H)/kselftest-tarball.sh

checkpatch: tree
	@$(H)/checkpatch.sh

kerneldoc: tree
	@$(H)/kerneldoc.sh

selftest: tree
	@$(H)/selftest.sh

mutate: tree
	@$(H)/mutate.sh

mutate-guests: tree
	@$(H)/mutate-guests.sh

bench-mutate: tree
	@$(H)/bench-mutate.sh

coverage: tree
	@$(H)/coverage.sh

bench-kunit: tree
	@$(H)/bench-kunit.sh

kunit-repeat: kunit
	@$(H)/kunit-repeat.sh

bisect-check: tree
	@$(H)/bisect.sh

standalone-check: tree
	@$(H)/standalone.sh

allmod-check: tree
	@$(H)/allmod.sh

# Both bases: 6.12 with the series, then the mainline base with its own
# (its guests: the KUnit suite builds on 6.12 only). LINUX=NAME: that one.
run: tree
ifeq ($(IOMMU_TEST_LINUX),)
	@IOMMU_TEST_LINUX=$(MAINLINE) $(H)/deps.sh --base --for run && IOMMU_TEST_LINUX=$(MAINLINE) $(H)/tree.sh
	@$(H)/run.sh kunit smoke selftests smoke@$(MAINLINE) selftests@$(MAINLINE)
else
	@$(H)/run.sh $(if $(filter $(MAINLINE),$(IOMMU_TEST_LINUX)),,kunit) smoke selftests
endif

check: tree
	@IOMMU_TEST_LINUX=$(MAINLINE) $(H)/deps.sh --base --for check && IOMMU_TEST_LINUX=$(MAINLINE) $(H)/tree.sh
	@$(H)/run.sh standalone standalone@$(MAINLINE) checkpatch checkpatch@$(MAINLINE) kerneldoc kerneldoc@$(MAINLINE) \
		kunit kunit@$(MAINLINE) mutate mutate@$(MAINLINE) coverage smoke selftests-check kselftest-check selftest

clean:
	@$(H)/clean.sh

distclean:
	@$(H)/clean.sh --all
