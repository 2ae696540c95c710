#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the project needs, only those the make goals
# at hand need (harness/iommutest/deps.py). Idempotent; only apt-get needs
# root, nothing else in the harness does.
#
#   harness/deps.sh [--for "GOAL..."]  the packages of those make goals
#                                      (default: everything, every goal's)
#   harness/deps.sh --base    also the pinned source of the base (LINUX, harness/bases)
#   harness/deps.sh --busybox also static busybox for the guests (bench-selftests)
#   harness/deps.sh --list    print the packages the goals need, install nothing
set -euo pipefail
. "$(dirname "$0")/lib.sh"

exec_iommutest deps --linux "$LINUX" "$@"
