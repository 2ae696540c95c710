# SPDX-License-Identifier: GPL-2.0
"""A failed boot is a known defect only by the entry's own signature, on
its QEMU, base, target and scenario (harness/known-defects)."""

import os
import tempfile
import unittest

from iommutest import known_defects, qemu_versions, reports

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORTS = [p for p, _ in reports.read(os.path.join(TOP, reports.HEADER))]
QEMUS = qemu_versions.read(os.path.join(TOP, 'harness', 'qemu-versions'))
HANG = ('9|10.0 7.2|^6\\.12\\.|arm64-smmuv3-dt|iommu_driver_load_race|INFO: task .* blocked for more than|'
        'fault from EP;event 0x[0-9a-f]+ received|1 of 2|a write-up|\\] +__device_attach\\+0x')
FRAME = '[  60.3]  __device_attach+0x1c/0x40'


def run_line(scenario='load.iommu_driver_load_race'):
    return f'#  RUN           {scenario} ...'


def hang(scenario='load.iommu_driver_load_race'):
    return [run_line(scenario), '[  60.1] INFO: task kworker/0:0:8 blocked for more than 60 seconds.',
            '[  60.2]  #7: fff0000002f0f358 (&disk->open_mutex){+.+.}-{3:3}, at: bdev_open+0x2bc/0xa4c']


class Match(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def boot(self, log, problems=None, crash=None):
        base = os.path.join(self.tmp.name, 'boot')
        for ext, lines in (('.log', log), ('.problems', problems), ('.qemu-crash', crash)):
            if os.path.exists(base + ext):
                os.remove(base + ext)
            if lines is not None:
                with open(base + ext, 'w') as fh:
                    fh.write('\n'.join(lines) + '\n')
        return base + '.log'

    def known(self, log, entries=(HANG,), target='arm64-smmuv3-dt', qemu='10.0', kernel='6.12.117'):
        got = known_defects.match(known_defects.parse(entries), target, log, REPORTS, QEMUS, qemu, kernel)
        return None if got is None else f'{got[0].id}|{got[1]}|{got[0].write_up}'

    def test_the_hang_is_known_by_the_blocked_tasks_own_stack(self):
        self.assertEqual(self.known(self.boot(hang() + [FRAME])), '9|iommu_driver_load_race|a write-up')
        self.assertIsNone(self.known(self.boot(hang())), 'a lock merely held is no signature')

    def test_anything_else_is_a_failure(self):
        fault = '[  30.0] virtio_iommu virtio0: write fault from EP 8 at 0x1000'
        for why, log in (('an IOMMU fault logged', hang() + [FRAME, fault]),
                         ('another scenario', hang('storm.endpoint_bind_unbind.endpoints_work_after') + [FRAME]),
                         ('no scenario cut', hang() + ['ok 1 load.iommu_driver_load_race', FRAME]),
                         ('a KASAN report first',
                          ['[  50.0] BUG: KASAN: slab-use-after-free in iommu_deinit_device+0x1/0x2'] + hang() + [FRAME])):
            self.assertIsNone(self.known(self.boot(log)), why)
        self.assertIsNone(self.known(self.boot(hang() + [FRAME]), target='arm64-virtio-iommu-dt'))
        self.assertIsNone(self.known(self.boot(hang() + [FRAME]), kernel='6.1.192'))
        only72 = HANG.replace('9|10.0 7.2|', '9|7.2|')
        self.assertIsNone(self.known(self.boot(hang() + [FRAME]), [only72], qemu='10.0'))
        self.assertIsNotNone(self.known(self.boot(hang() + [FRAME]), [only72], qemu='7.2'))

    def test_first_alternatives(self):
        alt = HANG.replace('|INFO: task .* blocked for more than|',
                           '|INFO: task .* blocked for more than;soft lockup - CPU#[0-9]+ stuck|')
        lockup = [run_line(), '[  96.4] watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [x:40]',
                  '[  96.5]  __device_attach+0x1c/0x40']
        self.assertIsNotNone(self.known(self.boot(lockup), [alt]))
        self.assertIsNone(self.known(self.boot(lockup)))
        self.assertIsNone(self.known(self.boot([x.replace('soft lockup', 'hard LOCKUP') for x in lockup]), [alt]))

    def test_the_shipped_list_knows_qemus_crashes_by_their_frame_only(self):
        shipped = known_defects.read(os.path.join(TOP, 'harness', 'known-defects'))

        def known(log, target, qemu):
            got = known_defects.match(shipped, target, log, REPORTS, QEMUS, qemu, '6.12.117')
            return got and got[0].id
        q = 'qemu-crash QEMU crashed (qemu-system-aarch64 exited with status 139, SIGSEGV)'
        for f in ('write', 'read'):
            log = self.boot([run_line()], [f'{q} in memory_region_dispatch_{f}(): a bug of QEMU'],
                            [f'#0  0x000055d0 in memory_region_dispatch_{f} (mr=0x0, addr=24)'])
            self.assertEqual(known(log, 'arm64-smmuv3-dt', '7.2'), '8')
            self.assertFalse(known(log, 'arm64-smmuv3-dt', '10.0'))
        self.assertFalse(known(self.boot([run_line()], [f'{q}: a bug of QEMU']), 'arm64-smmuv3-dt', '7.2'))
        self.assertFalse(known(self.boot([run_line()], [f'{q} in tlb_flush_page(): a bug']), 'arm64-smmuv3-dt', '7.2'))
        a = 'qemu-crash QEMU crashed (qemu-system-aarch64 exited with status 134, SIGABRT) in virtio_iommu_x()'
        frames = ['#2  0x00007f61 in __GI_raise (sig=sig@entry=6)', '#3  0x00007f61 in __GI_abort () at ./stdlib/abort.c:79',
                  '#4  0x000055d0 in virtio_iommu_x ()']
        log = self.boot([run_line()], [a], frames)
        self.assertEqual(known(log, 'arm64-virtio-iommu-dt', '10.0'), '23')
        self.assertFalse(known(log, 'arm64-smmuv3-dt', '10.0'))
        self.assertFalse(known(log, 'arm64-virtio-iommu-dt', '7.2'))
        c = self.boot([run_line('storm.iommu_unbind_bind_under_storm.endpoints_work_after')], [a], frames)
        self.assertFalse(known(c, 'arm64-virtio-iommu-dt', '10.0'))
        self.assertFalse(known(self.boot([run_line()], [a], frames[-1:]), 'arm64-virtio-iommu-dt', '10.0'))


class QemuFor(unittest.TestCase):
    def test_a_device_a_qemu_avoids_boots_on_the_next(self):
        self.assertEqual(qemu_versions.for_args(QEMUS, '10.0', ['-device', 'amd-iommu,pt=on']), '7.2')
        self.assertEqual(qemu_versions.for_args(QEMUS, '10.0', ['-device', 'amd-iommu,pt=off']), '10.0')
        self.assertEqual(qemu_versions.for_args(QEMUS, '10.0', ['-device', 'amd-iommu']), '7.2')
        with self.assertRaises(LookupError):
            qemu_versions.for_args(QEMUS, '9.9', [])


if __name__ == '__main__':
    unittest.main()
