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


class Scenarios(unittest.TestCase):
    """What the storms' table, the known-defect filter and the guest
    mutations read of a guest's KTAP."""

    TABLE = ['#  RUN           storm.a.endpoints_work_after ...', 'ok 1 # SKIP old format',
             '#  RUN           storm.b.endpoints_work_after ...',
             'ok 2 storm.b.endpoints_work_after # SKIP new format',
             '#  RUN           storm.c.endpoints_work_after ...', 'not ok 3 storm.c.endpoints_work_after',
             '#  RUN           storm.d.endpoints_work_after ...', 'ok 4 storm.d.endpoints_work_after',
             '#  RUN           storm.e.endpoints_work_after ...']

    def test_status_reads_both_skip_formats_and_a_crash(self):
        doc = read(*self.TABLE)
        got = [ktap.status(doc, f'storm.{s}.endpoints_work_after') for s in 'abcdef']
        self.assertEqual(got, ['SKIP', 'SKIP', 'FAIL', 'PASS', 'CRASH', '-'])

    def test_a_smoke_check_is_found_by_its_first_word(self):
        doc = read('TAP version 13', '1..2', 'ok 1 load_module', 'not ok 2 endpoints_in_iommu_groups (1 of 2, 2 expected)')
        self.assertEqual(ktap.status(doc, 'endpoints_in_iommu_groups'), 'FAIL')
        self.assertEqual(ktap.status(doc, 'endpoints'), '-')

    def test_the_case_a_console_stopped_in(self):
        log = ['[    1.00] booting', '#  RUN           load.iommu_driver_load_race ...',
               '# s.c:1:iommu_driver_load_race:time: 9.0 s', 'ok 1 load.iommu_driver_load_race',
               '#  RUN           storm.endpoint_bind_unbind.endpoints_work_after ...',
               '# s.c:2:endpoints_work_after:time: 13.0 s',
               'ok 2 storm.endpoint_bind_unbind.endpoints_work_after',
               '[   41.25] BUG: KASAN: slab-use-after-free in x#  RUN           storm.endpoint_remove_rescan.endpoints_work_after ...']
        doc = read(*log)
        self.assertEqual(doc.in_run, 'storm.endpoint_remove_rescan.endpoints_work_after')
        said = next(t for t in doc.tests if t.name.startswith('storm.endpoint_bind')).said
        self.assertEqual(said, ['s.c:2:endpoints_work_after:time: 13.0 s'])
        self.assertEqual(read(*log[:-1]).in_run, '')

    def test_a_wrapped_case_that_never_reported_is_in_run(self):
        doc = read('TAP version 13', '1..1', '# TAP version 13', '# 1..2',
                   '# #  RUN           load.iommu_driver_load_race ...', '# ok 1 load.iommu_driver_load_race',
                   '# #  RUN           storm.x.endpoints_work_after ...')
        self.assertEqual(doc.in_run, 'storm.x.endpoints_work_after')

    def test_extract_takes_the_ktap_off_the_console(self):
        lines = list(ktap.extract(['[    1.0] virtio_blk virtio1: 1 MiB\n', '  TAP version 13\n', '1..1\n',
                                   'guest-init: running /bin/x\n', '# x\n', 'ok 1 a\n']))
        self.assertEqual(lines, ['TAP version 13', '1..1', '# x', 'ok 1 a'])
        self.assertEqual(ktap.counts(ktap.parse(lines)), (1, 0, 0))


class Nested(unittest.TestCase):
    def nested(self, *inner):
        return read('TAP version 13', '1..1', '# TAP version 13', *inner,
                    'ok 1 selftests: iommu: iommu_probe_storm')

    def test_every_planned_case_must_pass(self):
        self.assertIsNone(ktap.nested_all_passed(self.nested('# 1..2', '# ok 1 storm.a', '# ok 2 storm.b')))
        for bad in ('# ok 2 storm.b # SKIP no module', '# not ok 2 storm.b', ''):
            self.assertIsNotNone(ktap.nested_all_passed(self.nested('# 1..2', '# ok 1 storm.a', bad)), bad)

    def test_no_plan_is_said(self):
        self.assertIn('no plan', ktap.nested_all_passed(self.nested()))


class Close(unittest.TestCase):
    def test_the_cut_scenario_and_those_owed_are_skipped(self):
        doc = read('TAP version 13', '1..5', 'ok 1 storm.a', 'not ok 2 storm.b', '#  RUN   storm.c.x ...')
        self.assertEqual(ktap.close(doc, 'boot', 'did not run', 'storm.c.x', 'known defect 8 cut it'),
                         ['ok 3 storm.c.x # SKIP known defect 8 cut it', 'ok 4 test 4 # SKIP did not run',
                          'ok 5 test 5 # SKIP did not run'])

    def test_a_boot_with_no_ktap_is_one_skipped_test(self):
        self.assertEqual(ktap.close(read(), 'boot', 'did not run', 'storm.c.x', 'cut'),
                         ['KTAP version 1', '1..1', 'ok 1 storm.c.x # SKIP cut'])
        self.assertEqual(ktap.close(read('TAP version 13'), 'boot', 'did not run'),
                         ['1..1', 'ok 1 boot # SKIP did not run'])

    def test_a_complete_document_gets_nothing(self):
        self.assertEqual(ktap.close(read('TAP version 13', '1..1', 'ok 1 a'), 'boot', 'x'), [])


if __name__ == '__main__':
    unittest.main()
