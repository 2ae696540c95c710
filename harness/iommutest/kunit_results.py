# SPDX-License-Identifier: GPL-2.0
"""kunit.py's --json (KernelCI's test API), read for the harness: the
counts of a run, and which of a mutation's cases it did not kill."""

import json


def leaves(group):
    yield from group.get('test_cases', [])
    for g in group.get('sub_groups', []):
        yield from leaves(g)


def read(path):
    with open(path) as fh:
        return json.load(fh)


def counts(top):
    """(passed, failed, skipped); a crashed case (ERROR) is a failure."""
    n = {s: 0 for s in ('PASS', 'FAIL', 'ERROR', 'SKIP')}
    for c in leaves(top):
        n[c['status']] = n.get(c['status'], 0) + 1
    return n['PASS'], n['FAIL'] + n['ERROR'], n['SKIP']


def failures(group, path=()):
    """"suite.case" of each failed or crashed case."""
    for c in group.get('test_cases', []):
        if c['status'] in ('FAIL', 'ERROR'):
            yield '.'.join(path + (c['name'] or '(a case the kernel died in)',)) + f' {c["status"]}'
    for g in group.get('sub_groups', []):
        yield from failures(g, path + (g['name'],) if g['name'] != 'KUnit Test Group' else path)


def _find(group, name):
    """The test case or the group (a parameterised case, a suite) NAME."""
    for c in group.get('test_cases', []):
        if c['name'] == name:
            return c
    for g in group.get('sub_groups', []):
        if g['name'] == name:
            return g
        found = _find(g, name)
        if found is not None:
            return found
    return None


def _killed(node):
    if 'status' in node and 'sub_groups' not in node:
        return node['status'] in ('FAIL', 'ERROR')
    return any(c['status'] in ('FAIL', 'ERROR') for c in leaves(node))


def survivors(top, cases):
    """The cases of CASES ("CASE" or "CASE@SUITE") that the run did not
    kill, each with why. A case that hung or crashed the kernel may have
    no result of its own (the console's last lines go with the kernel):
    it is killed all the same when its suite crashed or failed with no
    result for it."""
    out = []
    for spec in cases:
        case, _, suite = spec.partition('@')
        node = _find(top, case)
        if node is not None:
            if not _killed(node):
                out.append(case)
            continue
        s = _find(top, suite) if suite else None
        if s is None or not _killed(s):
            out.append(f'{case} (no such case ran)')
    return out
