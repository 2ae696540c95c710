# SPDX-License-Identifier: GPL-2.0
"""A kept result is reused only for byte-identical inputs: one byte of any
input of a step changes its key, a file that is not its input does not."""

import os
import shutil
import tempfile
import unittest

from iommutest import cache

TOOLS = ['gcc: 12.2']
FILES = {
    'harness/lib.sh': 'lib', 'harness/run.sh': 'run', 'harness/knobs': 'COVERAGE_MIN make x\nV make y\n',
    'harness/bases': 'b', 'harness/iommutest/model.py': 'm',
    'patches/series': '0001-a.patch\n', 'patches/0001-a.patch': 'diff',
    'patches/mainline/series': '0001-m.patch\n',
    'drivers/iommu/tests/fake_iommu.c': 'c', 'drivers/iommu/tests/.kunitconfig': 'CONFIG_KUNIT=y', 'tools/testing/selftests/iommu/storm.c': 's',
    'base-6.12/drivers/iommu/tests/fake_iommu.c': 'c612', 'configs/debug.config': 'CONFIG_X=y',
    'harness/build-kernel.sh': 'b', 'harness/tree.sh': 't',
    'mutations/a.patch': 'mut', 'mutations/kunit-7.3/a.patch': 'mut73',
    'harness/checkpatch.sh': 'cp', 'harness/mutate.sh': 'mu', 'harness/coverage.sh': 'co',
    'harness/standalone.sh': 'st', 'harness/kerneldoc.sh': 'kd', 'harness/guest/init.c': 'init',
    'Documentation/iommu/fwspec-tests.rst': 'doc', 'README.md': 'readme',
}


class Key(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.top = self.tmp.name
        for f, text in FILES.items():
            os.makedirs(os.path.dirname(os.path.join(self.top, f)), exist_ok=True)
            with open(os.path.join(self.top, f), 'w') as fh:
                fh.write(text)

    def tearDown(self):
        self.tmp.cleanup()

    def key(self, step, series='patches', base='6.12 6.12.117-1', environ=None):
        return cache.key(self.top, step, series, base, environ={} if environ is None else environ,
                         tools=TOOLS)

    def flip(self, f):
        """One byte of F changed."""
        p = os.path.join(self.top, f)
        with open(p, 'rb') as fh:
            b = bytearray(fh.read())
        b[0] ^= 1
        with open(p, 'wb') as fh:
            fh.write(b)

    def test_one_byte_of_any_input_changes_the_key(self):
        for step in cache.INPUTS:
            for f in cache.input_files(self.top, step, 'patches'):
                before = self.key(step)
                self.flip(f)
                self.assertNotEqual(before, self.key(step), (step, f))

    def test_a_change_to_one_test_file_reruns_exactly_the_steps_that_read_it(self):
        before = {s: self.key(s) for s in cache.INPUTS}
        self.flip('drivers/iommu/tests/fake_iommu.c')
        changed = sorted(s for s in cache.INPUTS if self.key(s) != before[s])
        self.assertEqual(changed, sorted(cache.INPUTS))  # every step reads the test sources
        before = {s: self.key(s) for s in cache.INPUTS}
        self.flip('mutations/a.patch')
        self.assertEqual([s for s in cache.INPUTS if self.key(s) != before[s]], ['mutate'])
        before = {s: self.key(s) for s in cache.INPUTS}
        self.flip('harness/guest/init.c')
        self.assertEqual([s for s in cache.INPUTS if self.key(s) != before[s]], ['checkpatch'])

    def test_hidden_files_are_inputs(self):
        self.assertIn('drivers/iommu/tests/.kunitconfig', cache.input_files(self.top, 'mutate', 'patches'))

    def test_documentation_and_the_other_series_are_no_input(self):
        before = {s: self.key(s) for s in cache.INPUTS}
        for f in ('Documentation/iommu/fwspec-tests.rst', 'README.md'):
            self.flip(f)
        self.assertEqual(before, {s: self.key(s) for s in cache.INPUTS})
        self.flip('patches/mainline/series')
        self.assertNotEqual(self.key('checkpatch', series='patches/mainline'),
                            self.key('checkpatch', series='patches'))

    def test_the_base_the_tools_and_the_make_knobs_are_inputs(self):
        k = self.key('mutate')
        self.assertNotEqual(k, self.key('mutate', base='6.12 6.12.118-1'))
        self.assertNotEqual(k, cache.key(self.top, 'mutate', 'patches', '6.12 6.12.117-1', {}, ['gcc: 12.3']))
        self.assertNotEqual(k, self.key('mutate', environ={'IOMMU_TEST_COVERAGE_MIN': '90'}))
        # where this checkout's results go, and verbosity, are not
        self.assertEqual(k, self.key('mutate', environ={'IOMMU_TEST_V': '1',
                                                        'IOMMU_TEST_RESULTS': '/elsewhere'}))


class Keep(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        os.environ['XDG_CACHE_HOME'] = os.path.join(self.tmp.name, 'cache')
        self.res = os.path.join(self.tmp.name, 'results')
        os.makedirs(self.res)

    def tearDown(self):
        del os.environ['XDG_CACHE_HOME']
        self.tmp.cleanup()

    def test_a_kept_result_comes_back_as_it_was(self):
        f = os.path.join(self.tmp.name, 'checkpatch.result')
        with open(f, 'w') as fh:
            fh.write('checkpatch 3 0 0 9\n')
        self.assertIsNone(cache.restore('k1', self.res))
        cache.store('k1', 'checkpatch', [f])
        self.assertEqual(cache.restore('k1', self.res), 'checkpatch')
        with open(os.path.join(self.res, 'checkpatch.result')) as fh:
            self.assertEqual(fh.read(), 'checkpatch 3 0 0 9\n')
        shutil.rmtree(cache.cache_dir())
        self.assertIsNone(cache.restore('k1', self.res))


if __name__ == '__main__':
    unittest.main()
