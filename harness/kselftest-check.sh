#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest-tarball step of 'make check': write the tarball and a guest
# for arm64-virtio-iommu-dt (harness/kselftest-tarball.sh), then boot that
# output alone, with its run.sh, as another runner would: boot.sh judges
# the console (kernel reports, hangs, run_kselftest.sh's result line), and
# the storm's own KTAP, nested under run_kselftest.sh's, must show every
# scenario it plans passed, none skipped. A boot that a known defect
# (harness/known-defects) cut short is booted again (must_run_boot), and
# the step fails as "did not run" when none of its boots finishes. The
# watchdog is the settings file's timeout, plus two minutes for the boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
knob SELFTEST_TARGETS "${SELFTEST_TARGETS:-arm64-virtio-iommu-dt}"
knob STORM_SECONDS "${STORM_SECONDS:-2}"
"$TOP/harness/kselftest-tarball.sh"

# shellcheck disable=SC2086 # a list of words
guest_matrix tarball $SELFTEST_TARGETS
