# SPDX-License-Identifier: GPL-2.0
"""The mutation runner's reading of a mutation, of the suite a case is in,
and of a guest boot's time to kill."""

import os
import tempfile
import unittest

from iommutest import mutations

SUITE = '''static struct kunit_case %s_cases[] = {
	KUNIT_CASE(%s_one),
	KUNIT_CASE_PARAM(%s_two, gen_params),
	{}
};

static struct kunit_suite %s_suite = {
	.name = "%s",
	.test_cases = %s_cases,
};
'''


class Suites(unittest.TestCase):
    def setUp(self):
        self.src = tempfile.mkdtemp()
        for d, name in (('drivers/iommu/tests', 'alpha'), ('drivers/base/test', 'beta')):
            os.makedirs(os.path.join(self.src, d))
            with open(os.path.join(self.src, d, f'{name}_kunit.c'), 'w') as f:
                f.write(SUITE % ((name,) * 6))

    def test_a_case_names_its_suite(self):
        self.assertEqual(mutations.case_suite(self.src, 'alpha_two'), 'alpha')
        self.assertEqual(mutations.case_suite(self.src, 'beta_one'), 'beta')
        self.assertIsNone(mutations.case_suite(self.src, 'alpha_three'))

    def test_cases_of_one_suite_run_it_alone_of_two_every_suite(self):
        self.assertEqual(mutations.suites_glob(self.src, ['alpha_one', 'alpha_two']), 'alpha')
        self.assertIsNone(mutations.suites_glob(self.src, ['alpha_one', 'beta_one']))
        self.assertIsNone(mutations.suites_glob(self.src, ['alpha_one', 'nowhere']))


class Header(unittest.TestCase):
    def test_the_header_lines(self):
        with tempfile.NamedTemporaryFile('w', suffix='.patch', delete=False) as f:
            f.write('Mutation: breaks x\nKilled-by: a b\nTimeout: 30\n---\n+Killed-by: not this\n')
        m = mutations.Mutation(f.name)
        self.assertEqual((m.what, m.killed_by, m.timeout), ('breaks x', ['a', 'b'], '30'))


class KillTime(unittest.TestCase):
    def boot(self, log, ktap, problems):
        base = os.path.join(tempfile.mkdtemp(), 'boot')
        for ext, lines in (('log', log), ('ktap', ktap), ('problems', problems)):
            with open(f'{base}.{ext}', 'w') as f:
                f.write(''.join(f'{line}\n' for line in lines))
        return mutations.guest_kill_seconds(base, ['BUG: KASAN'])

    RUN = f'#  RUN           {mutations.LOAD_RACE} ...'

    def test_the_failing_trials_uptime(self):
        self.assertEqual(self.boot([self.RUN, '# s.c:1:x:trial 3 of 30 failed, at 57 s of uptime'],
                                   [f'not ok 1 {mutations.LOAD_RACE}'], []), 57)

    def test_else_the_first_reports_stamp(self):
        self.assertEqual(self.boot([self.RUN, '[   41.25] BUG: KASAN: slab-use-after-free', '[   50.00] x'],
                                   [], ['report the kernel log has a report']), 41)

    def test_a_pass_or_a_qemu_crash_is_no_kill(self):
        self.assertIsNone(self.boot([self.RUN, f'ok 1 {mutations.LOAD_RACE}'], [f'ok 1 {mutations.LOAD_RACE}'], []))
        self.assertIsNone(self.boot([self.RUN, '[   12.00] up'], [], ['qemu-crash QEMU crashed']))


if __name__ == '__main__':
    unittest.main()
