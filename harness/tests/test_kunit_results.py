# SPDX-License-Identifier: GPL-2.0
"""Which of a mutation's cases a run of the mutated kernel killed, from
kunit.py's --json."""

import unittest

from iommutest import kunit_results


def group(name, cases=(), groups=()):
    return {'name': name, 'test_cases': [{'name': n, 'status': s} for n, s in cases],
            'sub_groups': list(groups)}


RUN = group('KUnit Test Group', groups=[
    group('iommu_fwspec', [('fwspec_a', 'PASS'), ('fwspec_b', 'FAIL'), ('fwspec_c', 'SKIP')]),
    group('iommu_race', groups=[group('race_configure_vs_iommu_registration',
                                      [('configure vs register', 'PASS'), ('configure vs unregister', 'ERROR')])]),
    # a suite the kernel died in: kunit.py closes it with a nameless crashed case
    group('iommu_of', [('of_a', 'PASS'), ('', 'ERROR')]),
    group('iommu_lockdep', [('lockdep_a', 'PASS')]),
])


class Survivors(unittest.TestCase):
    def test_a_failed_or_crashed_case_is_killed(self):
        self.assertEqual(kunit_results.survivors(RUN, ['fwspec_b@iommu_fwspec',
                                                       'race_configure_vs_iommu_registration@iommu_race']), [])

    def test_a_passed_or_skipped_case_survives(self):
        self.assertEqual(kunit_results.survivors(RUN, ['fwspec_a@iommu_fwspec', 'fwspec_c@iommu_fwspec']),
                         ['fwspec_a', 'fwspec_c'])

    def test_a_case_without_result_is_killed_by_its_suites_crash_only(self):
        self.assertEqual(kunit_results.survivors(RUN, ['of_hung@iommu_of']), [])
        self.assertEqual(kunit_results.survivors(RUN, ['lockdep_hung@iommu_lockdep', 'nowhere']),
                         ['lockdep_hung (no such case ran)', 'nowhere (no such case ran)'])

    def test_failures_are_named_by_suite_and_case(self):
        self.assertEqual(list(kunit_results.failures(RUN)),
                         ['iommu_fwspec.fwspec_b FAIL',
                          'iommu_race.race_configure_vs_iommu_registration.configure vs unregister ERROR',
                          'iommu_of.(a case the kernel died in) ERROR'])

    def test_counts_take_a_crash_for_a_failure(self):
        self.assertEqual(kunit_results.counts(RUN), (4, 3, 1))


if __name__ == '__main__':
    unittest.main()
