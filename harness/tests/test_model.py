# SPDX-License-Identifier: GPL-2.0
"""One verdict: the table, the summary line, results.json, junit.xml and
the exit status of a run all come from the model, and agree."""

import contextlib
import io
import json
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from iommutest import __main__ as cli
from iommutest import model

# A boot of the storms that a known defect cut short in its third
# scenario, as result_as_known leaves it: the scenario it stopped in and
# those its plan still owed are skipped, naming the defect; the scenario
# that failed before it still fails; the defect's own report is excused
# ("known-report"), the sanitizer that did not start is not.
KNOWN_BOOT_KTAP = ['TAP version 13', '1..4',
                   '#  RUN           load.iommu_driver_load_race ...',
                   'ok 1 load.iommu_driver_load_race',
                   '#  RUN           storm.endpoint_bind_unbind.endpoints_work_after ...',
                   '# s.c:300:endpoints_work_after:Expected reads (0) == 2048 (2048)',
                   'not ok 2 storm.endpoint_bind_unbind.endpoints_work_after',
                   '#  RUN           storm.endpoint_remove_rescan.endpoints_work_after ...',
                   'ok 3 storm.endpoint_remove_rescan.endpoints_work_after # SKIP known defect 9 (see x) cut the boot short in it',
                   'ok 4 test 4 # SKIP did not run: the boot ended in storm.endpoint_remove_rescan']
KNOWN_BOOT_PROBLEMS = ['known-report the kernel log has a report: INFO: task x blocked for more than 120 seconds',
                       'known-watchdog watchdog: the guest did not finish in 300 s and was killed',
                       "sanitizer the kernel log does not say 'KernelAddressSanitizer initialized'"]


def write(d, name, text):
    with open(os.path.join(d, name), 'w') as fh:
        fh.write('\n'.join(text) + '\n' if isinstance(text, list) else text)


def run_report(d):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        rc = cli.main(['report', d])
    return rc, out.getvalue().splitlines()


class OneVerdict(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def five(self):
        """The five outputs' word on each step: {step: [(p, f, s, status), ...]}
        from the table, results.json, junit.xml; the summary line and the
        exit status for the run."""
        rc, lines = run_report(self.d)
        table = {}
        for line in lines:
            f = line.split()
            if len(f) == 6 and f[5] in model.STATUSES:
                table[f[0]] = (int(f[1]), int(f[2]), int(f[3]), f[5])
        with open(os.path.join(self.d, 'results.json')) as fh:
            j = json.load(fh)
        x = ET.parse(os.path.join(self.d, 'junit.xml')).getroot()
        steps = {}
        for g in j['sub_groups']:
            c = g['counts']
            steps[g['name']] = [table[g['name']], (c['passed'], c['failed'], c['skipped'], g['status'])]
        for s in x:
            f = sum(tc.find('failure') is not None for tc in s)
            k = sum(tc.find('skipped') is not None for tc in s)
            p = len(s) - f - k
            st = 'FAIL' if f else 'SKIP' if k and not p else 'PASS'
            steps[s.get('name')].append((p, f, k, st))
            self.assertEqual((int(s.get('failures')), int(s.get('skipped')), int(s.get('tests'))), (f, k, len(s)))
        return rc, lines[-1], j['counts'], steps

    def test_known_defect_boot_with_an_earlier_failure_agrees_everywhere(self):
        write(self.d, 'selftests-t.ktap', KNOWN_BOOT_KTAP)
        write(self.d, 'selftests-t.problems', KNOWN_BOOT_PROBLEMS)
        write(self.d, 'selftests-t.result', 'selftests-t 1 2 2 300\n')
        write(self.d, 'checkpatch.ktap', ['KTAP version 1', '1..1', 'ok 1 0001-a.patch'])
        write(self.d, 'checkpatch.result', 'checkpatch 1 0 0 3\n')
        rc, summary, counts, steps = self.five()
        want = (1, 2, 2, 'FAIL')
        self.assertEqual(steps['selftests-t'], [want] * 3)
        self.assertEqual(steps['checkpatch'], [(1, 0, 0, 'PASS')] * 3)
        self.assertEqual(summary, '2 passed, 2 failed, 2 skipped')
        self.assertEqual(counts, {'passed': 2, 'failed': 2, 'skipped': 2})
        self.assertEqual(rc, 1)

    def test_the_same_boot_without_its_failures_passes_everywhere(self):
        write(self.d, 'selftests-t.ktap', [line.replace('not ok 2', 'ok 2') for line in KNOWN_BOOT_KTAP])
        write(self.d, 'selftests-t.problems', KNOWN_BOOT_PROBLEMS[:2])
        write(self.d, 'selftests-t.result', 'selftests-t 2 0 2 300\n')
        rc, summary, counts, steps = self.five()
        self.assertEqual(steps['selftests-t'], [(2, 0, 2, 'PASS')] * 3)
        self.assertEqual((rc, summary), (0, '2 passed, 0 failed, 2 skipped'))

    def test_a_boot_problem_beside_passing_tests_fails_in_junit_too(self):
        write(self.d, 'x86_64-t.ktap', ['TAP version 13', '1..1', 'ok 1 load_module'])
        write(self.d, 'x86_64-t.problems', ['report the kernel log has a report: WARNING: at x'])
        write(self.d, 'x86_64-t.result', 'x86_64-t 1 1 0 9\n')
        rc, summary, counts, steps = self.five()
        self.assertEqual(steps['x86_64-t'], [(1, 1, 0, 'FAIL')] * 3)
        self.assertEqual(rc, 1)

    def test_two_verdicts_that_disagree_fail_the_step(self):
        write(self.d, 'x86_64-t.ktap', ['TAP version 13', '1..1', 'not ok 1 load_module'])
        write(self.d, 'x86_64-t.result', 'x86_64-t 1 0 0 9\n')
        rc, lines = run_report(self.d)
        self.assertEqual(rc, 1)
        self.assertTrue(any('x86_64-t.result says 1 passed, 0 failed, 0 skipped, but its KTAP' in x
                            for x in lines), lines)

    def test_a_step_without_ktap_is_its_result(self):
        write(self.d, 'coverage.result', 'coverage 1 0 0 28\n')
        write(self.d, 'race.result', 'race 3 1 2 99\n')
        rc, summary, counts, steps = self.five()
        self.assertEqual(steps['race'], [(3, 1, 2, 'FAIL')] * 3)
        self.assertEqual(summary, '4 passed, 1 failed, 2 skipped')

    def test_a_truncated_ktap_of_a_step_that_passed_fails_the_run(self):
        write(self.d, 'two.ktap', ['KTAP version 1', '1..3', 'ok 1 a', 'ok 2 b'])
        write(self.d, 'two.result', 'two 2 0 0 1\n')
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            self.assertEqual(cli.main(['report', self.d]), 1)
        self.assertIn('malformed KTAP: two.ktap: its plan says 3 tests, 2 reported', err.getvalue())

    def test_a_malformed_result_is_named(self):
        write(self.d, 'three.result', 'three 1 x\n')
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            self.assertEqual(cli.main(['report', self.d]), 1)
        self.assertIn('three.result is not "NAME PASSED FAILED SKIPPED SECONDS"', err.getvalue())

    def test_nothing_ran_is_a_failure(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(cli.main(['report', self.d]), 1)
        self.assertIn('nothing ran', err.getvalue())


if __name__ == '__main__':
    unittest.main()
