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
  cache-key TOP STEP SERIES BASE TREE
                                the key of a deterministic step's result
                                (cache.py; nothing for a step never cached)
  cache-restore KEY RESULTS     copy a kept result into RESULTS; exit 1: none
  cache-store KEY STEP FILE...  keep a result that passed
  shell                         the arch, guest kernel and target table
                                (targets.py) as bash arrays
  boot [--own-console] --results DIR NAME TIMEOUT QEMU QEMU-ARG...
                                the guest judge (boot.py)
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
                                scripts or a guest (selftest.py)"""

import argparse
import os
import sys

from . import (bench, boot, cache, ci_files, coverage, deps, guest, guests, kunit_run, model, mutations, printer,
               selftest, source_checks, standalone, tarball, targets, tree)


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


def cmd_shell(a):
    print(targets.shell())
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
    cmd('shell', cmd_shell)
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
    cmd('cache-key', cmd_cache_key, 'top', 'step', 'series', 'base', 'tree')
    cmd('cache-restore', cmd_cache_restore, 'key', 'results')
    cmd('cache-store', cmd_cache_store, 'key', 'step', 'files...')
    a = p.parse_args(argv)
    return a.fn(a)


if __name__ == '__main__':
    sys.exit(main())
