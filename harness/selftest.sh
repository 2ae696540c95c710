#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the harness itself (harness/iommutest/selftest.py lists them).
# Needs a prepared build/linux ('make tree'); the cases work in a scratch
# clone of it, never in it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "harness selftest needs build/linux." "Run 'make tree' first."
# exec: this process holds the run's lock, which the cases look for
exec_iommutest selftest "$BUILD/results"
