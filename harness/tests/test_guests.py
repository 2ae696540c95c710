# SPDX-License-Identifier: GPL-2.0
"""The guest matrix's handling of known defects: a boot a known defect cut
short keeps only the scenario it cut (and those its plan owed) skipped,
and a check that must run is booted again, never counting as run."""

import contextlib
import io
import os
import tempfile
import unittest

from iommutest import guests, known_defects, model

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HANG = known_defects.parse(['9|10.0 7.2|.|arm64-smmuv3-dt|iommu_driver_load_race|INFO: task .* blocked for more '
                            'than|-|r|a write-up|\\] +__device_attach\\+0x'])


def write(path, lines):
    with open(path, 'w') as fh:
        fh.write(''.join(line + '\n' for line in lines))


class Known(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name
        self.run = guests.Run(top=TOP, src=TOP, out=self.d, res=self.d, base_tag='', kernel='6.12.117',
                              qemu_summary='QEMU 10.0')
        self.m = guests.Matrix(self.run, entries=HANG)

    def tearDown(self):
        self.tmp.cleanup()

    def quiet(self, fn, *args):
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return fn(*args)

    def test_only_the_cut_scenario_is_skipped(self):
        """what the boot reported before stays as it was, a failed scenario
        failed, and so does a problem that is not the defect's"""
        cases = ['ok 1 storm.a.endpoints_work_after', 'not ok 2 storm.b.endpoints_work_after',
                 '#  RUN   storm.c.endpoints_work_after ...']
        boots = {'direct': (['TAP version 13', '1..5'] + cases, []),
                 'other': (['TAP version 13', '1..3', cases[0], cases[2]],
                           ["sanitizer the kernel log does not say 'KernelAddressSanitizer initialized'"]),
                 'clean': (['TAP version 13', '1..2', cases[0], cases[2]], []),
                 'none': ([], [])}
        for n, (ktap_lines, more) in boots.items():
            write(os.path.join(self.d, n + '.ktap'), ktap_lines)
            write(os.path.join(self.d, n + '.result'), [f'{n} 0 2 0 9'])
            write(os.path.join(self.d, n + '.problems'), ['report the kernel log has a report: x'] + more)
            guests.Matrix.as_known(self.d, n, 'known defect 8 (see a write-up)', 'c')
        want = {'direct': (1, 1, 3), 'other': (1, 1, 2), 'clean': (1, 0, 1), 'none': (0, 0, 1)}
        for n, counts in want.items():
            step = model.load_step(self.d, n)
            self.assertEqual(step.declared, counts, n)
            self.assertEqual(tuple(step.counts[k] for k in ('passed', 'failed', 'skipped')), counts, n)
        with open(os.path.join(self.d, 'direct.ktap')) as fh:
            text = fh.read()
        self.assertIn('ok 3 storm.c.endpoints_work_after # SKIP known defect 8 (see a write-up) cut the boot '
                      'short in it\n', text)
        self.assertIn('ok 4 test 4 # SKIP did not run: the boot ended in storm.c.endpoints_work_after with known '
                      'defect 8', text)
        with open(os.path.join(self.d, 'other.problems')) as fh:
            self.assertEqual(fh.read().splitlines(), ['known-report the kernel log has a report: x',
                                                      "sanitizer the kernel log does not say "
                                                      "'KernelAddressSanitizer initialized'"])

    def cut(self):
        write(os.path.join(self.d, 'b.log'), ['#  RUN           load.iommu_driver_load_race ...',
                                               '[  60.1] INFO: task k:1 blocked for more than 60 seconds.',
                                               '[  60.3]  __device_attach+0x1c/0x40'])
        write(os.path.join(self.d, 'b.result'), ['b 0 1 0 9'])
        write(os.path.join(self.d, 'b.problems'), ['report the kernel log has a report: INFO: task k:1 blocked'])
        return 1

    def passed(self):
        write(os.path.join(self.d, 'b.log'), ['ok 1 load.iommu_driver_load_race'])
        write(os.path.join(self.d, 'b.result'), ['b 1 0 0 9'])
        return 0

    def failed(self):
        write(os.path.join(self.d, 'b.log'), ['[   1.0] BUG: KASAN: slab-use-after-free in x+0x1/0x2'])
        write(os.path.join(self.d, 'b.result'), ['b 0 1 0 9'])
        write(os.path.join(self.d, 'b.problems'), ['report the kernel log has a report: BUG: KASAN'])
        return 1

    def test_a_check_cut_short_every_time_did_not_run(self):
        ok, cuts = self.quiet(self.m.must_run, self.d, 'b', 'arm64-smmuv3-dt', self.cut)
        self.assertFalse(ok)
        self.assertEqual(len(cuts), 1 + guests.KNOWN_RETRIES)
        with open(os.path.join(self.d, 'b.result')) as fh:
            self.assertEqual(fh.read(), 'b 0 1 0 0\n')
        with open(os.path.join(self.d, 'b.problems')) as fh:
            self.assertTrue(fh.read().startswith(f'not-run did not run: each of its {1 + guests.KNOWN_RETRIES} '
                                                 'boots was cut short by a known defect'))
        self.assertEqual(len([f for f in os.listdir(self.d) if f.startswith('b.cut-') and f.endswith('.log')]),
                         1 + guests.KNOWN_RETRIES)
        with open(os.path.join(self.d, 'known-defects.hits')) as fh:
            self.assertEqual(fh.read().splitlines(), ['b arm64-smmuv3-dt 9'] * (1 + guests.KNOWN_RETRIES))

    def test_a_boot_cut_once_then_passed_passed(self):
        seq = iter([self.cut, self.passed])
        ok, cuts = self.quiet(self.m.must_run, self.d, 'b', 'arm64-smmuv3-dt', lambda: next(seq)())
        self.assertEqual((ok, len(cuts)), (True, 1))
        self.assertTrue(os.path.exists(os.path.join(self.d, 'b.cut-1.log')))

    def test_a_boot_that_failed_otherwise_is_not_booted_again(self):
        ok, cuts = self.quiet(self.m.must_run, self.d, 'b', 'arm64-smmuv3-dt', self.failed)
        self.assertEqual((ok, cuts), (False, []))
        self.assertFalse(os.path.exists(os.path.join(self.d, 'b.cut-1.log')))
        with open(os.path.join(self.d, 'b.problems')) as fh:
            self.assertTrue(fh.read().startswith('report '))


if __name__ == '__main__':
    unittest.main()
