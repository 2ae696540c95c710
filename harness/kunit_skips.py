#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""KTAP for the KUnit test files a KERNEL_SRC tree cannot build.

harness/iommutest/tree.py (foreign) writes a plan ("skip FILE|REASON" lines) for a tree
without the series. For each skipped file, every suite in it and every
case of that suite (read from its struct kunit_case array; a parameterised
case is one line) are reported "ok N NAME # SKIP REASON", after the suites
kunit.py ran, whose KTAP (kunit.py parse --raw_output=kunit; may be empty)
is renumbered under one plan.

usage: kunit_skips.py PLAN TREE RUN-KTAP OUT-KTAP
(TREE: the tree the plan is for, which holds the overlaid test files)
Prints the number of skipped cases.
"""

import re
import sys

CASES = re.compile(r'struct\s+kunit_case\s+(\w+)\s*\[\]\s*=\s*\{(.*?)\};', re.S)
CASE = re.compile(r'KUNIT_CASE\w*\(\s*(\w+)')
SUITE = re.compile(r'struct\s+kunit_suite\s+\w+\s*=\s*\{(.*?)\};', re.S)


def suites(path):
    src = open(path).read()
    arrays = {m[1]: CASE.findall(m[2]) for m in CASES.finditer(src)}
    for m in SUITE.finditer(src):
        name = re.search(r'\.name\s*=\s*"([^"]+)"', m[1])
        cases = re.search(r'\.test_cases\s*=\s*(\w+)', m[1])
        if not name or not cases or cases[1] not in arrays:
            sys.exit(f'kunit_skips.py: cannot read the suite of {path}')
        yield name[1], arrays[cases[1]]


def main(plan, tree, run_ktap, out):
    skipped = []
    for line in open(plan):
        if line.startswith('skip '):
            path, reason = line[5:].rstrip('\n').split('|', 1)
            for name, cases in suites(f"{tree}/{path}"):
                skipped.append((name, cases, f'needs {reason}, which this tree does not have'))
    body, ran = [], 0
    for line in open(run_ktap) if run_ktap != '-' else []:
        if re.match(r'(K?TAP version|1\.\.)', line):
            continue
        body.append(line.rstrip('\n'))
        ran += bool(re.match(r'(not )?ok \d+ ', line))
    lines = ['KTAP version 1', f'1..{ran + len(skipped)}'] + body
    n = 0
    for i, (name, cases, why) in enumerate(skipped, ran + 1):
        lines += ['    KTAP version 1', f'    # Subtest: {name}', f'    1..{len(cases)}']
        lines += [f'    ok {j} {c} # SKIP {why}' for j, c in enumerate(cases, 1)]
        lines.append(f'ok {i} {name} # SKIP {why}')
        n += len(cases)
    with open(out, 'w') as fh:
        fh.write('\n'.join(lines) + '\n')
    print(n)


if __name__ == '__main__':
    if len(sys.argv) != 5:
        sys.exit(__doc__.split('\n\n')[-2])
    main(*sys.argv[1:])
