# SPDX-License-Identifier: GPL-2.0
"""The KUnit suite (drivers/iommu/tests) run with the kernel's own
tools/testing/kunit/kunit.py ('make kunit'), on the base's tree or on
KERNEL_SRC; UML by default, arm64 or x86_64 under QEMU.

Writes RESULTS/kunit-ARCH[-debug][-BASE].{log,ktap,json,result,problems}
(the JSON is kunit.py's, and gives the counts) and prints the KTAP and a
one-line summary. Fails when a case fails or crashes, or when the kernel
log has a report of the one list (reports.py) outside the lockdep suite,
which WARNs on purpose and counts its WARNs.

A tree without the series (KERNEL_SRC), or a base whose series does not
carry the IOMMU suite, has a plan (OUT/kunit-plan: "run FILE" and "skip
FILE|REASON" lines): the files it can build run with their own
.kunitconfig, and every case of the others is SKIP with what the tree
lacks (harness/kunit_skips.py).
"""

import contextlib
import os
import re
import subprocess
import sys
import time

from . import glue, kunit_results, reports, targets, tree

PROGRESS = re.compile(r'^\[[0-9:]+\] (Configuring|Building|Starting|Elapsed)')


def arch_args(arch):
    """kunit.py's options for a kernel of ARCH (UML: none)."""
    if arch == 'um':
        return []
    if arch not in ('arm64', 'x86_64'):
        raise SystemExit(f'ERROR: ARCH={arch} is not supported by the KUnit runs.\n'
                         '       Use ARCH=um, arm64 or x86_64.')
    return targets.ARCHES[arch].kunit.split() + ['--qemu_args=-smp 2']


def command(src, arch, bdir, *args, config='drivers/iommu/tests'):
    """kunit.py run of the suite (CONFIG: its .kunitconfig) on ARCH in
    BDIR, its compiler through ccache, ARGS added."""
    return [sys.executable, os.path.join(src, 'tools/testing/kunit/kunit.py'), 'run', f'--kunitconfig={config}',
            '--jobs', str(os.cpu_count()), '--timeout', '300', *args, *arch_args(arch), f'--build_dir={bdir}',
            '--make_options', f'CC=ccache {targets.ARCHES[arch].cross}gcc']


def run(src, arch, bdir, *args, log, config='drivers/iommu/tests', show=None):
    """kunit.py's exit status; its output in LOG, the lines SHOW matches
    on the terminal too. kunit.py makes BDIR but not its parents: a base's
    OUT that no step of this run made yet (the others were reused) is made
    here."""
    os.makedirs(os.path.dirname(os.path.abspath(bdir)), exist_ok=True)
    with open(log, 'w') as f:
        p = subprocess.Popen(command(src, arch, bdir, *args, config=config), cwd=src, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, errors='replace')
        for line in p.stdout:
            f.write(line)
            if show and show(line):
                print(line, end='', flush=True)
        return p.wait()


def base_plan(src, series, plan, kunitconfig):
    """A base whose series does not hook up the IOMMU suite (its
    drivers/iommu/Kconfig does not source it): the plan that runs the driver
    core's test files the series carries (their object in
    drivers/base/test/Makefile) and skips the others, and the suite's
    .kunitconfig with only the options of those."""
    mk = os.path.join(src, 'drivers/base/test/Makefile')
    objs = open(mk).read() if os.path.exists(mk) else ''
    lines, runs = ['mode no-series'], False
    for f in tree.test_files(src):
        if not f.endswith('_kunit.c'):
            continue
        if f.startswith('drivers/base/test/') and f'{os.path.basename(f)[:-2]}.o' in objs:
            lines.append(f'run {f}')
            runs = True
        else:
            lines.append(f'skip {f}|{series}/ does not hook up the IOMMU suite (drivers/iommu/Kconfig does not '
                         'source drivers/iommu/tests/Kconfig)')
    with open(plan, 'w') as f:
        f.write(''.join(f'{line}\n' for line in lines))
    config = [line for line in open(os.path.join(glue.TOP, 'drivers/iommu/tests/.kunitconfig')).read().split('\n')
              if line and not re.match(r'CONFIG_(IOMMU_FWSPEC_KUNIT_TEST|DM_KUNIT_TEST)=', line)]
    with open(kunitconfig, 'w') as f:
        f.write(''.join(f'{line}\n' for line in config + (['CONFIG_DM_KUNIT_TEST=y'] if runs else [])))


def count_lines(path, prefix):
    with open(path) as f:
        return sum(line.startswith(prefix) for line in f)


def main(a):
    t0 = time.time()
    arch_args(a.arch)
    src, out, verbose = os.environ['SRC'], os.environ['OUT'], os.environ.get('IOMMU_TEST_V') == '1'
    name = f'kunit-{a.arch}' + ('-debug' if a.debug else '') + a.base_tag
    res = a.results
    os.makedirs(res, exist_ok=True)
    log, bdir, js = (os.path.join(res, f'{name}.log'), os.path.join(out, name), os.path.join(res, f'{name}.json'))
    ktap = os.path.join(res, f'{name}.ktap')
    for f in (f'{res}/{name}.result', f'{res}/{name}.problems', f'{bdir}/test.log', js):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f)
    rel = lambda p: os.path.relpath(p, glue.TOP)

    def summary(passed, failed, skipped):
        secs = int(time.time() - t0)
        with open(f'{res}/{name}.result', 'w') as f:
            f.write(f'{name} {passed} {failed} {skipped} {secs}\n')
        print(f'{name}: {passed} passed, {failed} failed, {skipped} skipped in {secs} s')
        return 0 if failed == 0 else 1

    plan = os.path.join(out, 'kunit-plan')
    config = 'drivers/iommu/tests'
    if src == a.tree:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(plan)
        if 'tests/Kconfig' not in open(os.path.join(src, 'drivers/iommu/Kconfig')).read():
            base_plan(src, a.series, plan, os.path.join(out, 'kunitconfig'))
    if os.path.exists(plan) and 'mode no-series' in open(plan).read().split('\n'):
        what = (f'with {a.series}/, which does not carry the IOMMU suite' if src == a.tree
                else 'without the series')
        runs, skips = count_lines(plan, 'run '), count_lines(plan, 'skip ')
        print(f'    kunit: Linux {a.kernel} {what}: {runs} test file(s) build, the cases of {skips} are SKIP '
              f'({rel(plan)})', flush=True)
        config = os.path.join(out, 'kunitconfig')
        if not runs:
            p = subprocess.run([sys.executable, os.path.join(glue.TOP, 'harness/kunit_skips.py'), plan, src, '-', ktap],
                               stdout=subprocess.PIPE, text=True)
            if p.returncode:
                raise SystemExit(f"ERROR: kunit ({a.arch}): writing the skipped files' KTAP failed "
                                 f'(harness/kunit_skips.py, plan {rel(plan)}).')
            print(open(ktap).read(), end='')
            return summary(0, 0, int(p.stdout.strip()))
    extra = [f'--kunitconfig={glue.TOP}/configs/kunit-debug.config'] if a.debug else []
    print(f"==> kunit ({a.arch}{', debug' if a.debug else ''}): kunit.py run --kunitconfig={config} "
          f'(log: {rel(log)})', flush=True)
    # kunit.py's own progress lines go to the terminal; everything to the log
    rc = run(src, a.arch, bdir, *extra, f'--json={js}', log=log, config=config,
             show=(lambda line: True) if verbose else PROGRESS.match)
    test_log = os.path.join(bdir, 'test.log')
    if os.path.exists(test_log):
        p = subprocess.run([sys.executable, 'tools/testing/kunit/kunit.py', 'parse', '--raw_output=kunit', test_log],
                           cwd=src, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors='replace')
        with open(ktap, 'w') as f:
            f.write(p.stdout)
    # the counts from kunit.py's own JSON (KernelCI's test API), not its text
    try:
        passed, failed, skipped = kunit_results.counts(kunit_results.read(js))
    except (OSError, ValueError, KeyError):
        print('\n'.join(open(log, errors='replace').read().split('\n')[-41:]), file=sys.stderr)
        raise SystemExit(f'ERROR: kunit ({a.arch}): kunit.py did not run the tests (build or boot failed; log above, '
                         f'full log: {log}).\n       Fix the error, or run with V=1 for the whole output.')
    if config != 'drivers/iommu/tests':
        p = subprocess.run([sys.executable, os.path.join(glue.TOP, 'harness/kunit_skips.py'), plan, src, ktap,
                            f'{ktap}.all'], stdout=subprocess.PIPE, text=True)
        if p.returncode:
            raise SystemExit(f"ERROR: kunit ({a.arch}): adding the skipped files' cases to the KTAP failed "
                             f'(harness/kunit_skips.py, plan {rel(plan)}).\n'
                             "       Rerun 'make tree KERNEL_SRC=...' to write the plan again; if it persists, the "
                             "test file's case array is not what kunit_skips.py reads.")
        os.replace(f'{ktap}.all', ktap)
        skipped += int(p.stdout.strip())
    # what fails the run besides its cases: one problem each (the report's
    # model counts them, as it does a guest's)
    problems = []
    if passed + failed + skipped == 0:
        problems.append(f'no-tests kunit.py reported no test case (log: {rel(log)})')
    elif rc and not failed:
        problems.append(f'exit kunit.py exited with status {rc} while no case failed (log: {rel(log)})')
    patterns = [p for p, _ in reports.read(os.path.join(glue.TOP, 'tools/testing/selftests/iommu/kernel_reports.h'))]
    report = []
    if os.path.exists(test_log):
        with open(test_log, errors='replace') as f:
            report = reports.first_report(f, patterns)
    if report:
        rx = re.compile('|'.join(patterns))
        problems.append('report the kernel log of the KUnit run has a report: '
                        + next((line for line in report if rx.search(line)), report[0]))
    if problems:
        with open(f'{res}/{name}.problems', 'w') as f:
            f.write(''.join(f'{p}\n' for p in problems))
    failed += len(problems)
    if not verbose:
        with contextlib.suppress(OSError):
            print(open(ktap).read(), end='')
        if failed:
            text = re.sub(r'\x1b\[[0-9;]*m', '', open(log, errors='replace').read()).split('\n')
            start = next((i for i, line in enumerate(text) if '=====' in line), len(text))
            tail = [line for line in text[start:] if not re.match(r'^\[[0-9:]*\] *=*$', line)]
            print('\n'.join(tail[-60:]))
    if report:
        print(f'FAIL: the kernel log of the KUnit run has a report (from {test_log}):')
        print('\n'.join(f'    {line}' for line in report))
    return summary(passed, failed, skipped)
