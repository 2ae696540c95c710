# SPDX-License-Identifier: GPL-2.0
"""The kernel log reports that fail a run whatever its tests say: the one
list is the KERNEL_REPORTS macro of the kselftest's kernel_reports.h (the
guests' tests compile it in), one extended regex a line, each with an
example of the line it is for."""

import re

from . import ktap

HEADER = 'tools/testing/selftests/iommu/kernel_reports.h'
# the KUnit suites that WARN on purpose and count their WARNs themselves
# (kunit_expect_warns(), drivers/iommu/tests/warn_count.c)
WARNING_SUITES = ('iommu_lockdep', 'iommu_fwspec_lockdep')


def read(path):
    """[(pattern, example)] of the header's KERNEL_REPORTS."""
    out, example, on = [], '', False
    with open(path) as fh:
        for line in fh:
            s = line.strip()
            if s.startswith('#define KERNEL_REPORTS'):
                on = True
                continue
            if not on:
                continue
            m = re.match(r'/\* e\.g\. (.*?) \*/', s)
            if m:
                example = m.group(1)
            elif s.startswith('"'):
                out.append((re.sub(r'\|$', '', s[1:s.rindex('"')]), example))
                example = ''
            if not line.rstrip('\n').endswith('\\'):
                break
    return out


def first_report(lines, patterns, skip_suites=WARNING_SUITES, before=5, after=40):
    """The first report in a KUnit run's kernel log, with context, leaving
    out the suites that WARN on purpose; [] when there is none."""
    judged = list(ktap.outside_subtests(lines, skip_suites))
    rx = re.compile('|'.join(patterns))
    for i, line in enumerate(judged):
        if rx.search(line):
            return judged[max(i - before, 0):i + after + 1]
    return []
