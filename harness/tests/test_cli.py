# SPDX-License-Identifier: GPL-2.0
"""The command line the shell gives iommutest (harness/lib.sh)."""

import contextlib
import io
import unittest

from iommutest import __main__ as cli


class Guests(unittest.TestCase):
    def test_the_names_come_before_the_options_as_guest_matrix_gives_them(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = cli.main(['guests', 'selftests', 'arm64-smmuv3-dt', 'nope', '--src', '/s', '--out', '/o',
                           '--results', '/r', '--base-tag', '', '--kernel', '6.12.117', '--qemu-summary', 'q'])
        self.assertEqual(rc, 1)
        self.assertIn('SELFTEST_TARGETS: no such guest target nope.', err.getvalue())


if __name__ == '__main__':
    unittest.main()
