# SPDX-License-Identifier: GPL-2.0
"""results.json and junit.xml of a run, from its model, and read back.

results.json  {"name": "iommu-fwspec", "kernel", "qemu", "counts",
              "sub_groups": [one group per step]}: a step's group has
              KernelCI's test API shape (as kunit.py --json writes it:
              "name", "sub_groups", "test_cases": [{"name", "status"}])
              plus "status", "counts", "seconds", "ktap" and "problems".
junit.xml     one <testsuite> per step, one <testcase> per case of the
              model (a KTAP leaf, a problem, a count of a step without
              KTAP), <failure> or <skipped>.
"""

import json
import xml.etree.ElementTree as ET

from . import model
from .kunit_results import leaves


def _ktap_group(t):
    g = {'name': t.name, 'sub_groups': [], 'test_cases': []}
    for s in t.subtests:
        if s.subtests:
            g['sub_groups'].append(_ktap_group(s))
        else:
            g['test_cases'].append({'name': s.name, 'status': s.status})
    return g


def step_group(step):
    g = {'name': step.name, 'sub_groups': [], 'test_cases': []}
    if step.doc is not None:
        for t in step.doc.tests:
            if t.subtests:
                g['sub_groups'].append(_ktap_group(t))
            else:
                g['test_cases'].append({'name': t.name, 'status': t.status})
    # what the KTAP does not have: the problems, a step's own count
    ktap_cases = sum(1 for _ in step.doc.leaves()) if step.doc is not None else 0
    for c in step.cases[ktap_cases:]:
        g['test_cases'].append({'name': c.name, 'status': c.status, 'message': c.why})
    g.update(status=step.status, counts=step.counts, seconds=step.seconds, ktap=step.ktap_name,
             problems=[{'kind': k, 'why': w} for k, w in step.problems])
    return g


def to_json(run):
    return {'name': 'iommu-fwspec', 'kernel': run.kernel, 'qemu': run.qemu,
            'counts': run.counts, 'sub_groups': [step_group(s) for s in run.steps]}


def to_junit(run):
    suites = ET.Element('testsuites', name='iommu-fwspec')
    for s in run.steps:
        c = s.counts
        suite = ET.SubElement(suites, 'testsuite', name=s.name, tests=str(len(s.cases)),
                              failures=str(c['failed']), skipped=str(c['skipped']),
                              time=str(s.seconds or 0))
        for case in s.cases:
            tc = ET.SubElement(suite, 'testcase', classname=s.name, name=case.name)
            if case.status == 'FAIL':
                ET.SubElement(tc, 'failure', message=case.why or f'see {s.ktap_name or s.name}')
            elif case.status == 'SKIP':
                ET.SubElement(tc, 'skipped', message=case.why)
    tree = ET.ElementTree(suites)
    ET.indent(tree)
    return tree


def write(run, json_path, junit_path):
    with open(json_path, 'w') as fh:
        json.dump(to_json(run), fh, indent=1)
    to_junit(run).write(junit_path, encoding='unicode', xml_declaration=True)


def read_back(json_path, junit_path):
    """The (passed, failed, skipped) of each step as results.json and as
    junit.xml say, by their cases: {step: (json counts, junit counts)}."""
    with open(json_path) as fh:
        back = json.load(fh)
    suites = ET.parse(junit_path).getroot()
    out = {}
    for g in back['sub_groups']:
        cases = list(leaves(g))
        out[g['name']] = [tuple(sum(c['status'] == st for c in cases) for st in model.STATUSES)]
    for suite in suites:
        n = [0, 0, 0]
        for tc in suite:
            n[1 if tc.find('failure') is not None else 2 if tc.find('skipped') is not None else 0] += 1
        out.setdefault(suite.get('name'), [None]).append(tuple(n))
    return out
