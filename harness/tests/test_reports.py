# SPDX-License-Identifier: GPL-2.0
"""The one list of kernel reports, and the KUnit log judge."""

import os
import re
import unittest

from iommutest import reports

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class List(unittest.TestCase):
    def test_each_pattern_matches_its_example_and_no_clean_line(self):
        got = reports.read(os.path.join(TOP, reports.HEADER))
        self.assertGreater(len(got), 20)
        for p, example in got:
            self.assertTrue(example, p)
            self.assertTrue(re.search(p, example), (p, example))
        clean = ['[    1.0] virtio_iommu virtio0: input address: 64 bits', 'ok 1 load_module']
        rx = re.compile('|'.join(p for p, _ in got))
        self.assertFalse([c for c in clean if rx.search(c)])


class KunitLog(unittest.TestCase):
    PATTERNS = ['WARNING:', 'BUG:']

    def test_the_lockdep_suites_own_warnings_are_theirs(self):
        log = ['x', '    # Subtest: iommu_lockdep', 'WARNING: at y', '    ok 1 iommu_lockdep', 'z']
        self.assertEqual(reports.first_report(log, self.PATTERNS), [])

    def test_a_report_elsewhere_is_shown_with_its_context(self):
        log = ['a', 'b', '# Subtest: iommu_fwspec_lockdep', 'WARNING: 1', 'ok 2 iommu_fwspec_lockdep',
               'c', 'BUG: sleeping function', 'd']
        self.assertEqual(reports.first_report(log, self.PATTERNS, before=1, after=1),
                         ['c', 'BUG: sleeping function', 'd'])

    def test_a_warning_in_another_suite_counts(self):
        log = ['# Subtest: iommu_of', 'WARNING: at z', 'ok 3 iommu_of']
        self.assertEqual(reports.first_report(log, self.PATTERNS, before=0, after=0), ['WARNING: at z'])


if __name__ == '__main__':
    unittest.main()
