#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Do the tests notice when the code is broken? The KUnit mutations of
# mutations/ (mutations/kunit-NAME/ for LINUX=NAME, a base other than the
# first of harness/bases), each applied on its own, the UML suite built
# and run, the patch taken out again: harness/iommutest/mutations.py.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutation_no_kernel_src mutate
select_tree
ccache_env
mdir=mutations
[ "$BASE_OUT" = "$BUILD" ] || mdir=mutations/kunit-$LINUX
mutation_runner kunit --dir "$mdir" --name "mutate$BASE_TAG" --results "${RESULTS:-$OUT/results}"
