#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write results.json and junit.xml for a run, then read them back.

Every step of a run leaves NAME.result ("NAME PASSED FAILED SKIPPED
SECONDS") in the results directory, and NAME.ktap when it has per-test
results. The KTAP is parsed with the kernel's own kunit_parser (from the
tools/testing/kunit directory given), and written out as:

  results.json  {"name": "iommu-fwspec", "kernel": VERSION, "qemu": QEMU,
                 "counts": {"passed", "failed", "skipped"},
                 "sub_groups": [one group per step]}; a step's group is
                kunit.py's JSON group (KernelCI's test API: "name",
                "sub_groups", "test_cases": [{"name", "status"}]) plus
                "status" (PASS, FAIL or SKIP), "counts", "seconds", "ktap"
                (the file's name, or null) and "ktap_errors".
  junit.xml     one <testsuite> per step, one <testcase> per KTAP test
                (a step without KTAP is one testcase of its own name), with
                <failure> or <skipped>.

Exit status 1, naming the file, when a step that passed has a KTAP the
parser cannot read (a truncated or malformed file cannot make a green), or
when the written files do not read back with the steps' totals.

usage: results.py RESULTS-DIR KUNIT-TOOL-DIR KERNEL-VERSION [QEMU]
       results.py --counts KUNIT-JSON   (kunit.py --json: "PASSED FAILED SKIPPED")
"""

import contextlib
import io
import json
import os
import sys
import xml.etree.ElementTree as ET


def die(msg):
    print(f'ERROR: {msg}', file=sys.stderr)
    sys.exit(1)


def read_steps(res):
    steps = []
    for f in sorted(os.listdir(res)):
        if not f.endswith('.result'):
            continue
        with open(os.path.join(res, f)) as fh:
            fields = fh.read().split()
        if len(fields) != 5 or not all(x.isdigit() for x in fields[1:4]):
            die(f'{f} is not "NAME PASSED FAILED SKIPPED SECONDS": {" ".join(fields)}')
        name, p, fl, s, secs = fields
        steps.append({'name': name, 'counts': {'passed': int(p), 'failed': int(fl),
                                               'skipped': int(s)},
                      'seconds': int(secs) if secs.isdigit() else None})
    return steps


def parse_ktap(path, kunit_parser, kunit_json):
    with open(path, errors='replace') as fh:
        lines = fh.readlines()
    test = kunit_parser.parse_run_tests(lines)
    group = json.loads(kunit_json.get_json_result(test, kunit_json.Metadata()))
    return group, test.counts.errors


def step_status(c):
    if c['failed']:
        return 'FAIL'
    return 'SKIP' if c['skipped'] and not c['passed'] else 'PASS'


def leaves(group):
    for t in group.get('test_cases', []):
        yield t
    for g in group.get('sub_groups', []):
        yield from leaves(g)


def junit(top):
    suites = ET.Element('testsuites', name=top['name'])
    for g in top['sub_groups']:
        cases = list(leaves(g)) or [{'name': g['name'], 'status': g['status']}]
        suite = ET.SubElement(suites, 'testsuite', name=g['name'], tests=str(len(cases)),
                              failures=str(sum(c['status'] in ('FAIL', 'ERROR') for c in cases)),
                              skipped=str(sum(c['status'] == 'SKIP' for c in cases)),
                              time=str(g['seconds'] or 0))
        for c in cases:
            tc = ET.SubElement(suite, 'testcase', classname=g['name'], name=c['name'])
            if c['status'] in ('FAIL', 'ERROR'):
                ET.SubElement(tc, 'failure', message=f'{c["status"]}; see {g["ktap"] or g["name"]}')
            elif c['status'] == 'SKIP':
                ET.SubElement(tc, 'skipped')
    return ET.ElementTree(suites)


def print_counts(path):
    try:
        cases = list(leaves(json.load(open(path))))
    except (OSError, ValueError, KeyError) as e:
        die(f'{path}: not kunit.py JSON: {e}')
    n = {s: sum(c['status'] == s for c in cases) for s in ('PASS', 'FAIL', 'ERROR', 'SKIP')}
    print(n['PASS'], n['FAIL'] + n['ERROR'], n['SKIP'])
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--counts':
        return print_counts(sys.argv[2])
    if len(sys.argv) not in (4, 5):
        die(' '.join(__doc__.strip().splitlines()[-2:]))
    res, tool, version = sys.argv[1:4]
    qemu = sys.argv[4] if len(sys.argv) == 5 else None
    sys.path.insert(0, tool)
    # kunit_printer binds sys.stdout at import; the parser's progress lines
    # are not wanted here
    with contextlib.redirect_stdout(io.StringIO()):
        import kunit_json
        import kunit_parser

    steps = read_steps(res)
    if not steps:
        die(f'no NAME.result in {res}: nothing ran')
    top = {'name': 'iommu-fwspec', 'kernel': version, 'qemu': qemu,
           'counts': {k: sum(s['counts'][k] for s in steps)
                      for k in ('passed', 'failed', 'skipped')},
           'sub_groups': []}
    bad = []
    for s in steps:
        ktap = s['name'] + '.ktap'
        group = {'sub_groups': [], 'test_cases': []}
        errors = 0
        if os.path.exists(os.path.join(res, ktap)):
            group, errors = parse_ktap(os.path.join(res, ktap), kunit_parser, kunit_json)
            if errors and not s['counts']['failed']:
                bad.append(f'{ktap}: {errors} KTAP parse error(s) in a step that passed')
        else:
            ktap = None
        group.update(name=s['name'], status=step_status(s['counts']), counts=s['counts'],
                     seconds=s['seconds'], ktap=ktap, ktap_errors=errors)
        top['sub_groups'].append(group)

    jpath, xpath = os.path.join(res, 'results.json'), os.path.join(res, 'junit.xml')
    with open(jpath, 'w') as fh:
        json.dump(top, fh, indent=1)
    tree = junit(top)
    ET.indent(tree)
    tree.write(xpath, encoding='unicode', xml_declaration=True)

    # read back what was written
    try:
        back = json.load(open(jpath))
        suites = ET.parse(xpath).getroot()
    except (ValueError, ET.ParseError) as e:
        die(f'{jpath} or {xpath} does not read back: {e}')
    totals = {k: sum(g['counts'][k] for g in back['sub_groups'])
              for k in ('passed', 'failed', 'skipped')}
    if totals != top['counts'] or len(suites) != len(steps):
        die(f'{jpath} and {xpath} do not read back with the steps\' totals {top["counts"]}')
    for b in bad:
        print(f'ERROR: malformed KTAP: {b}', file=sys.stderr)
    def shown(path):
        rel = os.path.relpath(path)
        return path if rel.startswith('..') else rel

    print(f'    results: {shown(jpath)}, {shown(xpath)} '
          f'({len(steps)} steps, {sum(len(s) for s in suites)} testcases)')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
