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


class WhyFailed(unittest.TestCase):
    """The report's last lines say why each failed step failed, as a CI
    console that keeps only the tail shows it: a storm scenario's failed
    expectation under run_kselftest.sh, a harness check's reason, a boot's
    problem, a failed boot of several; a passed step, and a failure that
    only passed tests surround, say nothing of their own."""

    def test_the_tail_of_the_report(self):
        with tempfile.TemporaryDirectory() as d:
            write(d, 'tarball.ktap', [
                'TAP version 13', '1..1', '# selftests: iommu: iommu_probe_storm', '# TAP version 13', '# 1..2',
                '# #  RUN           load.iommu_driver_load_race ...',
                '# # s.c:510:iommu_driver_load_race:cycles in 4 s: remove/rescan 2',
                '# # s.c:521:iommu_driver_load_race:Expected work * 1000 (2000) >= (long)STORM_FLOOR * s->ms (4000)',
                '# # s.c:522:iommu_driver_load_race:remove/rescan: 2 cycles in 4000 ms, an idle storm',
                '# #          FAIL  load.iommu_driver_load_race', '# not ok 1 load.iommu_driver_load_race',
                '# #  RUN           storm.endpoint_bind_unbind.endpoints_work_after ...',
                '# # s.c:419:endpoint_bind_unbind:time: 13.0 s',
                '# ok 2 storm.endpoint_bind_unbind.endpoints_work_after',
                'not ok 1 selftests: iommu: iommu_probe_storm # exit=1'])
            write(d, 'tarball.result', 'tarball 0 1 0 60\n')
            write(d, 'cp.ktap', ['KTAP version 1', '1..2', 'not ok 1 0003-x.patch', '# ERROR: trailing whitespace',
                                 'ok 2 0004-y.patch'])
            write(d, 'cp.result', 'cp 1 1 0 3\n')
            write(d, 'boot.ktap', '')
            write(d, 'boot.problems', 'watchdog watchdog: the guest did not finish in 90 s and was killed\n')
            write(d, 'boot.result', 'boot 0 1 0 90\n')
            os.mkdir(os.path.join(d, 'race'))
            write(d, 'race.result', 'race 1 1 0 99\n')
            write(d, 'race/boot-1.result', 'boot-1 1 0 0 40\n')
            write(d, 'race/boot-2.problems', 'report the kernel log has a report: BUG: KASAN: slab-use-after-free\n')
            write(d, 'race/boot-2.result', 'boot-2 0 1 0 40\n')
            write(d, 'fine.ktap', ['KTAP version 1', '1..1', '# s.c:1:a:Expected nothing (0) == 1 (1)', 'ok 1 a'])
            write(d, 'fine.result', 'fine 1 0 0 1\n')
            write(d, 'gone.result', 'gone 0 1 0 2\n')
            rc, lines = run_report(d)
            self.assertEqual(rc, 1)
            want = [f'FAIL boot (logs: {d}/boot*):',
                    '  watchdog: the guest did not finish in 90 s and was killed',
                    f'FAIL cp (logs: {d}/cp*):', '  not ok 1 0003-x.patch', '      ERROR: trailing whitespace',
                    f'FAIL gone (logs: {d}/gone*):',
                    '  it recorded no boot problem and no failed test: its FAIL line above says why',
                    f'FAIL race (logs: {d}/race*):', '  boot-2:',
                    '    the kernel log has a report: BUG: KASAN: slab-use-after-free',
                    f'FAIL tarball (logs: {d}/tarball*):', '  not ok 1 load.iommu_driver_load_race',
                    '      s.c:521:iommu_driver_load_race:Expected work * 1000 (2000) >= (long)STORM_FLOOR * s->ms (4000)',
                    '      s.c:522:iommu_driver_load_race:remove/rescan: 2 cycles in 4000 ms, an idle storm',
                    '  not ok 1 selftests: iommu: iommu_probe_storm # exit=1',
                    '3 passed, 5 failed, 0 skipped']
            self.assertEqual(lines[-len(want):], want)


if __name__ == '__main__':
    unittest.main()
