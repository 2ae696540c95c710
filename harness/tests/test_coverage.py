# SPDX-License-Identifier: GPL-2.0
"""Line coverage of a function from gcov's JSON, an unreachable branch
left out."""

import unittest

from iommutest import coverage

SOURCE = '''static int helper(void)
{
	return 1;
}

int configure(struct device *dev)
{
	int err;

	if (dev_is_pci(dev)) {
		err = pci_thing(dev);
		if (err)
			return err;
	} else {
		err = of_thing(dev);
	}
	return err;
}
'''.splitlines()


def line(n, count, fn='configure'):
    return {'line_number': n, 'count': count, 'function_name': fn, 'branches': [], 'unexecuted_block': not count}


DOC = {'files': [
    {'file': '../linux/drivers/iommu/other.c', 'functions': [], 'lines': []},
    {'file': '../linux/drivers/iommu/of_iommu.c',
     'functions': [{'name': 'helper', 'start_line': 1, 'end_line': 4},
                   {'name': 'configure', 'start_line': 6, 'end_line': 18}],
     'lines': [line(1, 3, 'helper'), line(3, 3, 'helper'),
               line(6, 5), line(10, 5), line(11, 0), line(12, 0), line(13, 0), line(15, 5), line(17, 5),
               line(18, 5)]}]}


class Function(unittest.TestCase):
    def test_every_line_gcov_counts_for_the_function(self):
        self.assertEqual(coverage.function([DOC], 'drivers/iommu/of_iommu.c', 'configure', SOURCE), (8, 5))
        self.assertEqual(coverage.function([DOC], 'drivers/iommu/of_iommu.c', 'helper', SOURCE), (2, 2))

    def test_the_branch_the_platform_cannot_take_is_left_out(self):
        # the if line and its block; the else branch is counted
        self.assertEqual(coverage.function([DOC], 'drivers/iommu/of_iommu.c', 'configure', SOURCE, 'dev_is_pci'),
                         (4, 4))

    def test_a_function_gcov_does_not_have_is_none(self):
        self.assertIsNone(coverage.function([DOC], 'drivers/iommu/of_iommu.c', 'gone', SOURCE))
        self.assertIsNone(coverage.function([DOC], 'drivers/iommu/iommu.c', 'configure', SOURCE))


if __name__ == '__main__':
    unittest.main()
