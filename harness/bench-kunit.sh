#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Timings of the KUnit suite on UML: cold, warm (one test file touched) and
# run-only, BENCH_RUNS (5) times; medians and the warm/cold ratio, never a
# pass/fail test (harness/iommutest/bench.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
ccache_env
exec_iommutest bench kunit
