# SPDX-License-Identifier: GPL-2.0
"""The harness's Python side (run as: PYTHONPATH=harness python3 -m iommutest).

  report DIR [--wall S] [--kernel V] [--qemu-summary S] [--qemu-selected Q]
             [--known-defects FILE]
      the result table, the known defects, why each failed step failed and
      the summary line; writes DIR/results.json and DIR/junit.xml and reads
      them back. Exit status 1 when a step failed or none passed, when a
      step that passed has a KTAP that does not read (a truncated file
      cannot make a green), or when the written files do not read back
      with the model's counts.
  kunit-counts JSON
      "PASSED FAILED SKIPPED" of kunit.py's --json
  shell
      the arch, guest kernel and target table (targets.py) as bash arrays
"""

import argparse
import json
import os
import sys

from . import ci_files, model, printer, targets


def error(msg):
    print(f'ERROR: {msg}', file=sys.stderr)
    return 1


def cmd_report(a):
    try:
        run = model.load_run(a.dir, kernel=a.kernel, qemu=a.qemu_summary)
    except (model.BadResult, OSError) as e:
        return error(f'{e}\n       The step that wrote it is broken; rerun it.')
    if not run.steps:
        return error(f'no results in {printer.rel(a.dir)}: nothing ran.\n'
                     f"       Run 'make run' or 'make check'.")
    rc = 0 if run.ok else 1
    jpath, xpath = os.path.join(a.dir, 'results.json'), os.path.join(a.dir, 'junit.xml')
    ci_files.write(run, jpath, xpath)
    try:
        back = ci_files.read_back(jpath, xpath)
    except (ValueError, OSError) as e:
        back = {}
        rc = error(f'{jpath} or {xpath} does not read back: {e}')
    for s in run.steps:
        want = tuple(s.counts[k] for k in ('passed', 'failed', 'skipped'))
        if back and back.get(s.name) != [want, want]:
            rc = error(f'{printer.rel(jpath)} and {printer.rel(xpath)} do not read back with '
                       f'{s.name}\'s {model.fmt(want)}: {back.get(s.name)}')
    for e in run.ktap_errors():
        rc = error(f'malformed KTAP: {e}')
    lines = printer.report(run, wall=a.wall, qemu_summary=a.qemu_summary,
                           defects_path=a.known_defects, qemu_selected=a.qemu_selected,
                           files=f'{printer.rel(jpath)}, {printer.rel(xpath)} ({len(run.steps)} steps, '
                                 f'{sum(len(s.cases) for s in run.steps)} testcases)')
    sys.stderr.flush()
    for line in lines:
        print(line)
    return rc


def cmd_kunit_counts(a):
    try:
        with open(a.json) as fh:
            cases = list(ci_files.leaves(json.load(fh)))
    except (OSError, ValueError, KeyError) as e:
        return error(f'{a.json}: not kunit.py JSON: {e}')
    n = {s: sum(c['status'] == s for c in cases) for s in ('PASS', 'FAIL', 'ERROR', 'SKIP')}
    print(n['PASS'], n['FAIL'] + n['ERROR'], n['SKIP'])
    return 0


def cmd_shell(a):
    print(targets.shell())
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog='iommutest')
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('report')
    r.add_argument('dir')
    r.add_argument('--wall', type=int)
    r.add_argument('--kernel')
    r.add_argument('--qemu-summary')
    r.add_argument('--qemu-selected')
    r.add_argument('--known-defects')
    r.set_defaults(fn=cmd_report)
    k = sub.add_parser('kunit-counts')
    k.add_argument('json')
    k.set_defaults(fn=cmd_kunit_counts)
    sub.add_parser('shell').set_defaults(fn=cmd_shell)
    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == '__main__':
    sys.exit(main())
