#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Figures of the kselftests, never pass/fail: make selftests with
# BENCH_BOOTS (5) race boots per target, then the storm rate of each
# scenario, load races per minute, the full boot's time, and a shell-loop
# reference boot per target (harness/iommutest/bench.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
exec_iommutest bench selftests
