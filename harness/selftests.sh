#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest tools/testing/selftests/iommu/iommu_probe_storm in QEMU
# guests, with the real IOMMU drivers, on the guest targets (lib.sh):
#   arm64 virt + SMMUv3 (DT), arm64 virt + virtio-iommu (DT),
#   arm64 virt + SMMUv3 under UEFI (ACPI IORT), x86_64 q35 + virtio-iommu
#   (ACPI VIOT), x86_64 q35 + intel-iommu and + amd-iommu (built in: no
#   load-race boots).
# Per target: one boot runs every scenario, then RACE_BOOTS short boots run
# only iommu_driver_load_race, RACE_TRIALS load races each (the test puts
# the machine back as it booted between two: driver unloaded, endpoints
# new). Every boot is judged by boot.sh (a kernel report or a hang fails
# it). Prints a table target x scenario.
#
#   SELFTEST_TARGETS  targets (default: all)
#   RACE_BOOTS        load-race boots per target (default 5)
#   RACE_TRIALS       load races per race boot (default 40), each a storm
#                     of RACE_TRIAL_MS (200) ms before the load and after it
#   RACE_KERNEL       lean (default): the race boots run the lean race
#                     kernels (lockdep, no KASAN or kmemleak: twice the
#                     trials a minute); sanitized: the full boot's kernel
#   STORM_SECONDS, STORM_THREADS, STORM_IOMMU_THREADS, STORM_EXCLUDE
#                     passed to the test
#   GUEST_TIMEOUT     watchdog of the full boot (default 300 s)
#
# The table gives each scenario's result and time (storm plus checks). In
# it, CRASH is a scenario that started and never reported: the
# guest died or hung in it (its log is build/results/selftests-TARGET.log).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

select_tree
# shellcheck disable=SC2086 # lists of words
guest_matrix selftests ${SELFTEST_TARGETS:-$GUEST_TARGETS}
