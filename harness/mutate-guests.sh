#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Do the guests notice when code only they reach is broken? The mutations
# of mutations/guest/ (mutations/guest-NAME/ for LINUX=NAME) break the
# firmware code, an IOMMU driver or one of the series' driver fixes; each
# is built into a guest kernel of its own (build/mutant-KIND), whose target
# boots: harness/iommutest/mutations.py.
#
#   MUTATIONS="name ..."   only these (file names without .patch)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mutation_no_kernel_src mutate-guests
select_tree
mdir=mutations/guest
[ "$BASE_OUT" = "$BUILD" ] || mdir=mutations/guest-$LINUX
mutation_runner guests --names "${MUTATIONS:-}" --dir "$mdir" --results "$OUT/results"
