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
  kunit-counts JSON             "PASSED FAILED SKIPPED" of kunit.py's --json
  kunit-failures JSON           each failed or crashed case of kunit.py's --json
  kunit-survivors JSON CASE[@SUITE]...
                                the cases a mutated kernel's run did not kill
  cache-key TOP STEP SERIES BASE TREE
                                the key of a deterministic step's result
                                (cache.py; nothing for a step never cached)
  cache-restore KEY RESULTS     copy a kept result into RESULTS; exit 1: none
  cache-store KEY STEP FILE...  keep a result that passed
  shell                         the arch, guest kernel and target table
                                (targets.py) as bash arrays, and KERNEL_REPORTS
  known-defect TARGET LOG LIST QEMUS QEMU KERNEL
                                "ID|SCENARIO|WRITE-UP" of the entry of LIST
                                (harness/known-defects) that the failed boot
                                LOG shows, QEMU of QEMUS (harness/qemu-versions)
                                selected; exit 1: none
  qemu-for QEMUS QEMU ARG...    the QEMU of QEMUS a guest with these QEMU
                                arguments boots on, QEMU selected
  coverage --min PCT --tree T --undo U
                                line coverage of the series' fwspec functions
                                by the KUnit suite on UML (coverage.py)
  guests smoke|selftests|tarball --src --out --results --kernel --qemu-summary
         [--base-tag] NAME...   the guest matrix (guests.py): the smoke test on
                                the guest kinds NAME, the storms and race boots
                                or the kselftest tarball's boot on the targets
  mutations kunit|guests|bench --tree --src --out --undo --results [--dir D]
            [--name N] [--names 'NAME...'] [--arch --runs --timeout --trials --trial-ms]
                                the mutation runner (mutations.py): the KUnit
                                mutations of D, the guest ones (NAMEs only),
                                or how fast the race ones are killed
  deps --linux NAME [--for "GOAL..."] [--base] [--busybox] [--list]
                                the Debian packages of those goals (deps.py)
  kunit --arch A --results R --tree T --series S --kernel V [--base-tag B] [--debug]
                                the KUnit suite with kunit.py (kunit_run.py)
  checkpatch|kerneldoc --results R --patches P [--base-tag B]
                                checkpatch.pl --strict of the series and the test
                                sources; kernel-doc of what the series changes
                                (source_checks.py)
  tree tree|export|overlay|foreign|record-state|check-unexported --tree --patches
       --linux --package --suite [--dst D] [--ksrc K --src S --out O] [--why W]
                                the tree workflow (tree.py): 'make tree',
                                'make export', the overlay of the test files,
                                a KERNEL_SRC tree's working copy
  standalone --results R --messages M [--base-tag B] --tree ... --suite S
                                the series as a maintainer takes it
                                (standalone.py)
  guest NAME KIND MACHINE IOMMU-MODULE [QEMU-ARG...]
                                boot one test guest (guest.py), judged by boot.py
  kselftest-tarball             the kselftest tarball and a guest for each
                                target, as CI takes them (tarball.py)
  bench kunit|repeat|qemu|selftests
                                the harness's figures (bench.py)
  qemu-summary, qemu-selected   the QEMUs the guests boot on (guest.py)
  selftest RESULTS              the harness's tests of itself that need its
                                scripts or a guest (selftest.py)
  kernel-reports                "PATTERN<TAB>EXAMPLE" of each kernel report
                                (reports.py: the kselftest's kernel_reports.h)
  kunit-log-report LOG          the first kernel report in a KUnit log, with
                                context, but for the suites that WARN on purpose
  ktap-extract LOG              the KTAP lines of a console log
  ktap-counts [--leaves] KTAP   "PASSED FAILED SKIPPED" of its top-level tests
                                (of its leaves: the cases of a KUnit log)
  ktap-status KTAP CASE         PASS, FAIL, SKIP; CRASH (started, no result); -
  ktap-in-run LOG               the kselftest case a log stopped in, if any
  ktap-said LOG CASE            what the case said before its result
  ktap-nested KTAP              exit 1, saying why, unless the document
                                run_kselftest.sh wrapped passed every case
  ktap-close KTAP NAME WHY [FIRST FIRST-WHY]
                                append a SKIP for each test its plan still owes
"""

import argparse
import os
import shlex
import sys

from . import (bench, boot, cache, ci_files, coverage, deps, guest, guests, known_defects, ktap, kunit_results, kunit_run, model,
               mutations, printer, qemu_versions, reports, selftest, source_checks, standalone, tarball, targets,
               tree)


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


def kunit_json(a, lines):
    """Print LINES(kunit.py's JSON of A.json), one a line."""
    try:
        for line in lines(kunit_results.read(a.json)):
            print(line)
    except (OSError, ValueError, KeyError) as e:
        return error(f'{a.json}: not kunit.py JSON: {e}')
    return 0


def cmd_kunit_counts(a):
    return kunit_json(a, lambda top: [' '.join(map(str, kunit_results.counts(top)))])


def cmd_kunit_failures(a):
    return kunit_json(a, kunit_results.failures)


def cmd_kunit_survivors(a):
    return kunit_json(a, lambda top: kunit_results.survivors(top, a.cases))


def cmd_cache_key(a):
    if a.step in cache.INPUTS:
        print(cache.key(a.top, a.step, a.series, f'{a.base} tree {a.tree}'))
    return 0


def cmd_cache_restore(a):
    step = cache.restore(a.key, a.results)
    if step is None:
        return 1
    print(step)
    return 0


def cmd_cache_store(a):
    cache.store(a.key, a.step, a.files)
    return 0


TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def report_list():
    return reports.read(os.path.join(TOP, reports.HEADER))


def cmd_shell(a):
    print(targets.shell())
    print('KERNEL_REPORTS=' + shlex.quote('|'.join(p for p, _ in report_list())))
    return 0


def cmd_known_defect(a):
    try:
        got = known_defects.match(known_defects.read(a.list), a.target, a.log,
                                  [p for p, _ in report_list()],
                                  qemu_versions.read(a.qemus), a.qemu, a.kernel)
    except (LookupError, ValueError) as e:
        return error(str(e))
    if got is None:
        return 1
    e, cut = got
    print(f'{e.id}|{cut}|{e.write_up}')
    return 0


def cmd_qemu_for(a):
    try:
        print(qemu_versions.for_args(qemu_versions.read(a.qemus), a.qemu, a.args))
    except LookupError as e:
        return error(f'{e}\n       Give such a device no AVOID there, or add a QEMU line after it.')
    return 0


def cmd_guests(a):
    known = targets.KINDS if a.what == 'smoke' else targets.TARGETS
    bad = [n for n in a.names if n not in known]
    if bad:
        return error(f'{"SMOKE_TARGETS" if a.what == "smoke" else "SELFTEST_TARGETS"}: no such guest '
                     f'{"kind" if a.what == "smoke" else "target"} {" ".join(bad)}.\n       Use: {" ".join(known)}.')
    run = guests.Run(top=TOP, src=a.src, out=a.out, res=a.results, base_tag=a.base_tag, kernel=a.kernel,
                     qemu_summary=a.qemu_summary)
    return {'smoke': guests.smoke, 'selftests': guests.selftests, 'tarball': guests.tarball}[a.what](run, a.names)


def cmd_selftest(a):
    return 0 if selftest.Selftest(TOP, a.results).main() else 1


def cmd_kernel_reports(a):
    for p, example in report_list():
        print(f'{p}\t{example}')
    return 0


def cmd_kunit_log_report(a):
    try:
        with open(a.log, errors='replace') as fh:
            lines = reports.first_report(fh, [p for p, _ in report_list()])
    except FileNotFoundError:
        return 0
    for line in lines:
        print(line)
    return 0


def cmd_ktap_extract(a):
    with open(a.log, errors='replace') as fh:
        for line in ktap.extract(fh):
            print(line)
    return 0


def cmd_ktap_counts(a):
    doc = ktap.read(a.ktap)
    if a.leaves:
        print(*(sum(t.status == s for t in doc.leaves()) for s in ('PASS', 'FAIL', 'SKIP')))
    else:
        print(*ktap.counts(doc))
    return 0


def cmd_ktap_status(a):
    print(ktap.status(ktap.read(a.ktap), a.case))
    return 0


def cmd_ktap_in_run(a):
    print(ktap.read(a.log).in_run)
    return 0


def cmd_ktap_said(a):
    for line in ktap.said(ktap.read(a.log), a.case):
        print(line)
    return 0


def cmd_ktap_nested(a):
    why = ktap.nested_all_passed(ktap.read(a.ktap))
    if why:
        print(why)
        return 1
    return 0


def cmd_ktap_close(a):
    lines = ktap.close(ktap.read(a.ktap), a.name, a.why, a.first, a.first_why)
    with open(a.ktap, 'a') as fh:
        for line in lines:
            fh.write(line + '\n')
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # the guest judge and a guest's boot take QEMU's arguments as they
    # come: no parser
    if argv[:1] == ['boot']:
        return boot.main(argv[1:])
    if argv[:1] == ['guest']:
        return guest.main(argv[1:])
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
    def cmd(name, fn, *args):
        c = sub.add_parser(name)
        for x in args:
            if x.startswith('['):
                c.add_argument(x.strip('[]'), nargs='?')
            elif x.endswith('...'):
                c.add_argument(x[:-3], nargs='+')
            else:
                c.add_argument(x)
        c.set_defaults(fn=fn)
    cmd('kunit-counts', cmd_kunit_counts, 'json')
    cmd('kunit-survivors', cmd_kunit_survivors, 'json', 'cases...')
    cmd('kunit-failures', cmd_kunit_failures, 'json')
    cmd('shell', cmd_shell)
    cmd('kernel-reports', cmd_kernel_reports)
    cmd('selftest', cmd_selftest, 'results')
    cmd('kselftest-tarball', tarball.main)
    b = sub.add_parser('bench')
    b.add_argument('what', choices=['kunit', 'repeat', 'qemu', 'selftests'])
    b.set_defaults(fn=bench.main)
    cmd('qemu-summary', lambda a: print(guest.summary()))
    cmd('qemu-selected', lambda a: print(guest.selected()))
    d = sub.add_parser('deps')
    d.add_argument('--for', dest='goals', default='everything')
    d.add_argument('--linux', required=True)
    d.add_argument('--base', action='store_true')
    d.add_argument('--busybox', action='store_true')
    d.add_argument('--list', action='store_true')
    d.set_defaults(fn=deps.main)
    for name, fn in (('checkpatch', source_checks.checkpatch), ('kerneldoc', source_checks.kerneldoc)):
        c = sub.add_parser(name)
        c.add_argument('--results', required=True)
        c.add_argument('--patches', required=True)
        c.add_argument('--base-tag', default='')
        c.set_defaults(fn=fn)
    def on_tree(name, fn):
        t = sub.add_parser(name)
        for o in ('tree', 'patches', 'linux', 'package', 'suite'):
            t.add_argument('--' + o, required=True)
        t.set_defaults(fn=fn)
        return t
    t = on_tree('tree', tree.main)
    t.add_argument('what', choices=['tree', 'export', 'overlay', 'foreign', 'record-state', 'check-unexported'])
    for o in ('dst', 'ksrc', 'src', 'out', 'why'):
        t.add_argument('--' + o)
    t = on_tree('standalone', standalone.main)
    t.add_argument('--results', required=True)
    t.add_argument('--messages', required=True)
    t.add_argument('--base-tag', default='')
    k = sub.add_parser('kunit')
    for o in ('arch', 'results', 'tree', 'series', 'kernel'):
        k.add_argument('--' + o, required=True)
    k.add_argument('--base-tag', default='')
    k.add_argument('--debug', action='store_true')
    k.set_defaults(fn=kunit_run.main)
    m = sub.add_parser('mutations')
    m.add_argument('what', choices=['kunit', 'guests', 'bench'])
    m.add_argument('--names', default='', help='only these guest mutations (names without .patch)')
    for o in ('tree', 'src', 'out', 'undo', 'results'):
        m.add_argument('--' + o, required=True)
    m.add_argument('--dir')
    m.add_argument('--name')
    m.add_argument('--arch', default='x86_64')
    for o, v in (('runs', 20), ('timeout', 30), ('trials', 30), ('trial-ms', 200)):
        m.add_argument('--' + o, type=int, default=v)
    m.set_defaults(fn=lambda a: 0 if mutations.main(a) else 1)
    g = sub.add_parser('guests')
    g.add_argument('what', choices=['smoke', 'selftests', 'tarball'])
    for o in ('src', 'out', 'results', 'kernel', 'qemu-summary'):
        g.add_argument('--' + o, required=True)
    g.add_argument('--base-tag', default='')
    g.add_argument('names', nargs='*')
    g.set_defaults(fn=cmd_guests)
    c = sub.add_parser('coverage')
    c.add_argument('--min', type=float, default=95)
    c.add_argument('--tree', required=True)
    c.add_argument('--undo', required=True)
    c.set_defaults(fn=coverage.measure)
    cmd('known-defect', cmd_known_defect, 'target', 'log', 'list', 'qemus', 'qemu', 'kernel')
    sub.add_parser('qemu-for').set_defaults(fn=cmd_qemu_for)
    sub.choices['qemu-for'].add_argument('qemus')
    sub.choices['qemu-for'].add_argument('qemu')
    sub.choices['qemu-for'].add_argument('args', nargs=argparse.REMAINDER)
    cmd('kunit-log-report', cmd_kunit_log_report, 'log')
    cmd('cache-key', cmd_cache_key, 'top', 'step', 'series', 'base', 'tree')
    cmd('cache-restore', cmd_cache_restore, 'key', 'results')
    cmd('cache-store', cmd_cache_store, 'key', 'step', 'files...')
    cmd('ktap-extract', cmd_ktap_extract, 'log')
    cmd('ktap-counts', cmd_ktap_counts, 'ktap')
    sub.choices['ktap-counts'].add_argument('--leaves', action='store_true')
    cmd('ktap-status', cmd_ktap_status, 'ktap', 'case')
    cmd('ktap-in-run', cmd_ktap_in_run, 'log')
    cmd('ktap-said', cmd_ktap_said, 'log', 'case')
    cmd('ktap-nested', cmd_ktap_nested, 'ktap')
    cmd('ktap-close', cmd_ktap_close, 'ktap', 'name', 'why', '[first]', '[first_why]')
    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == '__main__':
    sys.exit(main())
