# SPDX-License-Identifier: GPL-2.0
"""The guest judge's readings of a crashed QEMU and of init's word."""

import unittest

from iommutest import boot

ABORT_BT = '''#0  __pthread_kill_implementation (no_tid=0, signo=6) at ./nptl/pthread_kill.c:44
#1  0x00007f in __pthread_kill_internal (signo=6) at ./nptl/pthread_kill.c:78
#2  0x00007f in __GI_raise (sig=sig@entry=6) at ../sysdeps/posix/raise.c:26
#3  0x00007f in __GI_abort () at ./stdlib/abort.c:79
#4  0x00007f in __assert_fail_base (fmt=0x0) at ./assert/assert.c:92
#5  0x00007f in __GI___assert_fail (assertion=0x0) at ./assert/assert.c:101
#6  0x000055 in virtio_iommu_handle_command (vdev=0x0) at ../hw/virtio/virtio-iommu.c:1 
#7  0x000055 in virtio_queue_notify (vdev=0x0) at ../hw/virtio/virtio.c:2'''


class CrashFrame(unittest.TestCase):
    def test_the_code_that_gave_up_not_the_abort(self):
        self.assertEqual(boot.crash_frame(ABORT_BT), 'virtio_iommu_handle_command')

    def test_no_frame_of_its_own(self):
        self.assertIsNone(boot.crash_frame('#0  0x00007f in __GI_abort () at abort.c:79'))

    def test_what_qemu_said_once_each(self):
        log = ['[ 1.0] boot', 'qemu-system-aarch64: ../hw/x.c:3: f: Assertion `ok\' failed.',
               'qemu-system-aarch64: ../hw/x.c:3: f: Assertion `ok\' failed.', '**', 'ERROR:../y.c:1:g: oops']
        self.assertEqual(boot.qemu_said(log), "qemu-system-aarch64: ../hw/x.c:3: f: Assertion `ok' failed.; "
                                              'ERROR:../y.c:1:g: oops')


class Sanitizer(unittest.TestCase):
    UP = 'KernelAddressSanitizer initialized'

    def test_a_finished_guest_without_the_line_lacks_it(self):
        self.assertTrue(boot.sanitizer_missing(['guest-init: done: 1 programs, 0 failed'], self.UP))

    def test_a_guest_that_died_is_judged_by_its_death(self):
        self.assertFalse(boot.sanitizer_missing(['Kernel panic - not syncing'], self.UP))

    def test_the_line_anywhere_is_enough(self):
        self.assertFalse(boot.sanitizer_missing(['[0.0] kasan: KernelAddressSanitizer initialized (generic)',
                                                 'guest-init: done: 1 programs, 0 failed'], self.UP))


if __name__ == '__main__':
    unittest.main()
