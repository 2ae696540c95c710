# SPDX-License-Identifier: GPL-2.0
"""The kselftest's storm scenarios (tools/testing/selftests/iommu/
iommu_probe_storm.c), in the order it runs them, and their KTAP names:
the load race is a test of its own fixture, the storms are the variants
of one test."""

import re

SCENARIOS = ['iommu_driver_load_race', 'endpoint_bind_unbind', 'endpoint_remove_rescan',
             'iommu_unbind_bind_under_storm']
# the storms table's column heads, in that order
SHORT = ['load_race', 'bind_unbind', 'remove_rescan', 'iommu_rebind']


def case(scenario):
    if scenario == 'iommu_driver_load_race':
        return f'load.{scenario}'
    return f'storm.{scenario}.endpoints_work_after'


def scenario(case_name):
    return re.sub(r'\.endpoints_work_after$', '', re.sub(r'^(load|storm)\.', '', case_name))


def only_args(s):
    """The kernel command line's word that has the guest's kselftest run
    scenario S alone (init's TEST_ARGS, the kselftest_harness's own -r)."""
    return f'TEST_ARGS=-r,{case(s)}'


def exclude_args(scenarios):
    """The word that has it leave SCENARIOS out (-T a test, -V a variant)."""
    words = []
    for s in scenarios:
        words += ['-T' if case(s).startswith('load.') else '-V', s]
    return 'TEST_ARGS=' + ','.join(words)
