#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# How surely and how fast the race suite kills the mutations that only a
# race shows: figures, never a pass/fail test (harness/iommutest/mutations.py).
#
# KUnit: those in mutations/ whose Killed-by names iommu_race's case, each
# built into a KUnit kernel for BENCH_ARCH (x86_64, two CPUs under QEMU;
# arm64 or um also work) whose race suite alone runs BENCH_KILL_RUNS (20)
# times, each cut off after BENCH_KILL_TIMEOUT (30) s: how many runs killed
# it, the median and worst time from kunit.py starting the kernel to the
# first failing case (kunit.py's time stamps, the boot included).
#
# Guests: those in mutations/guest/ killed by load.iommu_driver_load_race,
# each built into its target's guest kernel, which boots BENCH_KILL_RUNS
# times, each running BENCH_KILL_TRIALS (30) load races of RACE_TRIAL_MS
# (200) ms; a boot kills it when a trial fails or the guest dies or hangs
# in the test. The time to kill is the guest's uptime then.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutation_no_kernel_src bench-mutate
select_tree
ccache_env
mutation_runner bench --results "$OUT/results" --arch "${BENCH_ARCH:-x86_64}" --runs "${BENCH_KILL_RUNS:-20}" \
	--timeout "${BENCH_KILL_TIMEOUT:-30}" --trials "${BENCH_KILL_TRIALS:-30}" --trial-ms "${RACE_TRIAL_MS:-200}"
