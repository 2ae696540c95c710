# SPDX-License-Identifier: GPL-2.0
"""The KTAP reader on each kind of KTAP the harness meets."""

import unittest

from iommutest import ktap


def read(*lines):
    return ktap.parse(line + '\n' for line in lines)


class KunitNesting(unittest.TestCase):
    def test_leaves_are_the_cases_param_cases_included(self):
        doc = read('KTAP version 1', '1..2',
                   '    KTAP version 1', '    # Subtest: suite_a', '    1..2',
                   '    ok 1 case_one',
                   '        KTAP version 1', '        # Subtest: case_param', '        1..2',
                   '        ok 1 p0', '        not ok 2 p1', '    not ok 2 case_param',
                   'not ok 1 suite_a',
                   '    KTAP version 1', '    # Subtest: suite_b', '    1..1',
                   '    ok 1 b_one # SKIP no hardware', 'ok 2 suite_b')
        self.assertEqual([(t.name, t.status) for t in doc.leaves()],
                         [('case_one', 'PASS'), ('p0', 'PASS'), ('p1', 'FAIL'), ('b_one', 'SKIP')])
        self.assertEqual(doc.plan, 2)
        self.assertEqual(doc.errors, [])

    def test_a_failed_case_says_from_its_expectation_on(self):
        doc = read('KTAP version 1', '1..1', '    # Subtest: s', '    1..1',
                   '    # c: setting up', '    # c: EXPECTATION FAILED at x.c:12',
                   '    Expected a == b', '    not ok 1 c', 'not ok 1 s')
        self.assertEqual(ktap.failure_lines(doc)[:3],
                         ['not ok 1 c', '    c: EXPECTATION FAILED at x.c:12', '    Expected a == b'])


class Kselftest(unittest.TestCase):
    def test_run_kselftest_wrapping_is_the_parents_business(self):
        doc = read('TAP version 13', '1..1', '# selftests: iommu: storm', '# TAP version 13', '# 1..2',
                   '# #  RUN           load.race ...',
                   '# # s.c:521:race:Expected work (2000) >= floor (4000)',
                   '# #          FAIL  load.race', '# not ok 1 load.race',
                   '# ok 2 storm.x.endpoints_work_after', 'not ok 1 selftests: iommu: storm # exit=1')
        self.assertEqual([(t.name, t.status) for t in doc.leaves()],
                         [('selftests: iommu: storm', 'FAIL')])
        self.assertEqual([t.name for t in doc.tests[0].wrapped], ['load.race', 'storm.x.endpoints_work_after'])
        self.assertEqual(ktap.failure_lines(doc),
                         ['not ok 1 load.race', '    s.c:521:race:Expected work (2000) >= floor (4000)',
                          'not ok 1 selftests: iommu: storm # exit=1'])

    def test_an_unnamed_skip_takes_the_name_of_its_run_line(self):
        doc = read('TAP version 13', '1..1', '#  RUN           storm.c.endpoints_work_after ...',
                   '#      SKIP      no virtio-iommu', 'ok 1 # SKIP no virtio-iommu')
        self.assertEqual([(t.name, t.status) for t in doc.tests],
                         [('storm.c.endpoints_work_after', 'SKIP')])

    def test_a_case_that_never_reported_is_still_in_run(self):
        doc = read('TAP version 13', '1..2', 'ok 1 load.race', '#  RUN           storm.c.endpoints_work_after ...')
        self.assertEqual(doc.in_run, 'storm.c.endpoints_work_after')
        self.assertEqual(len(doc.tests), 1)


class HarnessChecks(unittest.TestCase):
    def test_a_failed_check_says_why_after_its_line(self):
        doc = read('KTAP version 1', '1..2', 'not ok 1 0003-x.patch', '# ERROR: trailing whitespace',
                   'ok 2 0004-y.patch')
        self.assertEqual(ktap.failure_lines(doc), ['not ok 1 0003-x.patch', '    ERROR: trailing whitespace'])
        self.assertEqual(doc.tests[1].said, [])

    def test_nothing_is_an_empty_document(self):
        self.assertEqual(read().tests, [])
        self.assertEqual(ktap.read('/nonexistent/x.ktap').tests, [])


if __name__ == '__main__':
    unittest.main()
