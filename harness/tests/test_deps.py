# SPDX-License-Identifier: GPL-2.0
"""A make goal is held up only by the packages it needs, and 'make deps'
installs what any goal asks for."""

import unittest

from iommutest import deps


class Packages(unittest.TestCase):
    def test_uml_kunit_needs_no_qemu_and_checkpatch_no_cross_compiler(self):
        self.assertFalse([p for p in deps.packages(['kunit']) if 'qemu' in p])
        self.assertFalse([p for p in deps.packages(['checkpatch']) if 'aarch64' in p])

    def test_the_guests_need_both_qemus_and_the_arm64_firmware(self):
        for p in ('qemu-system-arm', 'qemu-system-x86', 'qemu-efi-aarch64', 'gdb'):
            self.assertIn(p, deps.packages(['smoke']))

    def test_kunit_on_arm64_needs_its_cross_compiler_and_qemu(self):
        got = deps.packages(['kunit'], arch='arm64')
        self.assertIn('gcc-aarch64-linux-gnu', got)
        self.assertIn('qemu-system-arm', got)

    def test_everything_holds_every_goals_packages(self):
        everything = set(deps.packages(['everything']))
        for goal in ('kunit', 'smoke', 'selftests', 'bench-mutate', 'bisect-check', 'allmod-check', 'checkpatch'):
            for arch in ('um', 'arm64', 'x86_64'):
                self.assertLessEqual(set(deps.packages([goal], arch, arch)), everything, f'{goal} {arch}')


if __name__ == '__main__':
    unittest.main()
