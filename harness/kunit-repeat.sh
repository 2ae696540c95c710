#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Flakiness check: run the built UML KUnit suite REPEAT times (default 20)
# and count the runs with a failed case (harness/iommutest/bench.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
exec_iommutest bench repeat
