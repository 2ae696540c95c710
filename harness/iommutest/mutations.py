# SPDX-License-Identifier: GPL-2.0
"""One mutation runner: do the tests notice when the code is broken?

Each patch of a mutation directory breaks the tree on purpose; its header
says what it breaks and what must then fail:

  Mutation: <what the patch breaks>
  Killed-by: <case> [<case>...]     KUnit (mutations/, 'make mutate')
  Killed-by: <target> <check>       a guest (mutations/guest/, 'make mutate-guests')
  Timeout: <seconds>                optional: kunit.py's run timeout, for a
                                    mutation that hangs the kernel (300 s)

Every mutation is applied to the tree on its own (an undo note lets the
next 'make tree' take it out of a run that was killed), the kernel is
built and run, and the patch is taken out again, also on an error or ^C.
A KUnit mutation is killed when every case it names fails or crashes the
kernel (kunit.py's JSON); a guest one when its check fails in the boot's
KTAP, or the guest dies of a kernel report or hangs in it (the boot's
NAME.problems), and the known-defect filter does not take that failure
for a known defect (its entry would then be wide enough to hide a
breakage). One KTAP line per mutation.

'make bench-mutate' measures, never judges, how surely and how fast the
race suite kills the mutations only a race shows.
"""

import contextlib
import glob
import os
import re
import signal
import statistics
import subprocess
import sys

from . import glue, guest, guests, known_defects, ktap, kunit_results, kunit_run, storms, targets, tree

RACE_CASE = 'race_configure_vs_iommu_registration'
LOAD_RACE = storms.case('iommu_driver_load_race')


class Mutation:
    def __init__(self, path):
        self.path, self.name = path, os.path.basename(path)[:-len('.patch')]
        self.header = {}
        with open(path, errors='replace') as f:
            for line in f:
                m = re.match(r'(Mutation|Killed-by|Timeout): *(.*)', line)
                if m:
                    self.header.setdefault(m.group(1), m.group(2).strip())
        self.what = self.header.get('Mutation', '')
        self.killed_by = self.header.get('Killed-by', '').split()
        self.timeout = self.header.get('Timeout')


def in_dir(top, d, names=None):
    """The mutations of D (a directory under TOP), or those NAMES of it."""
    if not names:
        return [Mutation(p) for p in sorted(glob.glob(os.path.join(top, d, '*.patch')))]
    out = []
    for n in names:
        p = os.path.join(top, d, f'{n}.patch')
        if not os.path.isfile(p):
            have = ' '.join(sorted(f[:-6] for f in os.listdir(os.path.join(top, d)) if f.endswith('.patch')))
            raise SystemExit(f'ERROR: no {d}/{n}.patch.\n       Names: {have}')
        out.append(Mutation(p))
    return out


def _raise_exit(signum, frame):
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def applied(tree, undo, m):
    """M (a Mutation, or a patch's path) applied to TREE for the block;
    taken out after it, also when it raises or the run gets SIGINT, SIGTERM
    or SIGHUP; the note UNDO lets the next 'make tree' take it out of a
    run that was killed."""
    m = Mutation(m) if isinstance(m, str) else m
    old = {s: signal.signal(s, _raise_exit) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    with open(undo, 'w') as f:
        f.write(f'apply-R {m.path}\n')
    try:
        if subprocess.run(['git', '-C', tree, 'apply', m.path]).returncode:
            os.unlink(undo)
            raise SystemExit(f'ERROR: could not apply {m.path} to {tree}.')
        try:
            yield
        finally:
            if subprocess.run(['git', '-C', tree, 'apply', '-R', m.path]).returncode:
                raise SystemExit(f'ERROR: could not take {m.path} out of {tree}.\n'
                                 f"       Run 'git -C {tree} checkout -- .' by hand.")
            os.unlink(undo)
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def applies(tree, m):
    return subprocess.run(['git', '-C', tree, 'apply', '--check', m.path],
                          stderr=subprocess.DEVNULL).returncode == 0


def case_suite(src, case):
    """The KUnit suite (its .name) of the file that holds CASE; None when
    no file or not one suite."""
    rx = re.compile(r'KUNIT_CASE[A-Z_]*\(' + re.escape(case) + r'[,)]')
    for d in ('drivers/iommu/tests', 'drivers/base/test'):
        for f in sorted(glob.glob(os.path.join(src, d, '*.c'))):
            text = open(f, errors='replace').read()
            if rx.search(text):
                names = re.findall(r'^static struct kunit_suite [^=]*=\s*\{[^}]*?\.name = "([^"]+)"', text, re.M | re.S)
                return names[0] if len(names) == 1 else None
    return None


def suites_glob(src, cases):
    """kunit.py's filter for a mutation's run: the one suite that holds all
    CASES; None (every suite) when they are in several. A mutation is judged
    on the cases it names only, and the race suite alone takes most of a
    run."""
    suites = {case_suite(src, c) for c in cases}
    return suites.pop() if len(suites) == 1 and None not in suites else None


class Runner:
    def __init__(self, a):
        self.top, self.tree, self.src, self.undo = glue.TOP, a.tree, a.src, a.undo
        self.results, self.out = a.results, a.out
        self.rel = lambda p: os.path.relpath(p, self.top)

    def kunit(self, mdir, name):
        muts = in_dir(self.top, mdir)
        if not muts:
            raise SystemExit(f'ERROR: no mutations in {mdir}/.')
        bdir = os.path.join(self.out, 'kunit-um')
        print(f'==> mutations: {len(muts)} deliberate breakages, each must fail the cases it names', flush=True)
        k = ktap.Writer(name)
        k.plan(len(muts))
        for m in muts:
            if not m.killed_by:
                k.not_ok(m.name, f"{self.rel(m.path)} has no 'Killed-by:' line naming the cases it must fail")
                continue
            if not applies(self.tree, m):
                k.not_ok(m.name, f'{self.rel(m.path)} does not apply to {self.rel(self.src)}: '
                         'refresh it against the series')
                continue
            log = os.path.join(self.results, f'mutate-{m.name}.log')
            js = os.path.join(bdir, 'mutate.json')
            for f in (os.path.join(bdir, 'test.log'), js):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f)
            suite = suites_glob(self.src, m.killed_by)
            args = [f'--json={js}', *(['--timeout', m.timeout] if m.timeout else []), *([suite] if suite else [])]
            with applied(self.tree, self.undo, m):
                kunit_run.run(self.src, 'um', bdir, *args, log=log)
            if not nonempty(os.path.join(bdir, 'test.log')):
                k.not_ok(m.name, f'the mutated kernel did not build or boot: see {self.rel(log)}')
                continue
            # a case that hung or crashed the kernel may have no result of
            # its own: it is killed all the same when its suite crashed
            try:
                survived = kunit_results.survivors(kunit_results.read(js),
                                                   [f'{c}@{case_suite(self.src, c) or ""}' for c in m.killed_by])
            except (OSError, ValueError):
                survived = [f'(kunit.py wrote no JSON: see {self.rel(log)})']
            if survived:
                k.not_ok(m.name, f'{m.what}, and these cases still pass:\n' + '\n'.join(f'  {s}' for s in survived))
            else:
                k.ok(m.name)
        return k.end(self.results)

    def guest_kernel(self, m, kind, image, prog, log):
        """KIND's guest kernel built with M applied (beside the real one:
        GUEST_KERNEL_PREFIX=mutant-, ccache sharing the objects), and its
        IMAGE initramfs of PROG."""
        with applied(self.tree, self.undo, m), open(log, 'w') as out:
            return glue.lib('build_guest_kernel "$1" && IOMMU_TEST_IMAGE=$2 "$TOP/harness/initramfs.sh" '
                            '"$(kind_dir "$1")" "$(kind_arch "$1")" "$3"', kind, image, prog,
                            stdout=out).returncode == 0

    def guest_killed(self, check, out):
        try:
            problems = [line.split(' ')[0] for line in open(f'{out}.problems').read().split('\n') if line]
        except OSError:
            problems = []
        if check == 'kernel_report':
            return 'report' in problems
        st = ktap.status(ktap.read(f'{out}.ktap'), check) if os.path.exists(f'{out}.ktap') else '-'
        if st == 'FAIL':
            return True
        # a scenario that ran and the guest died of a report or hung in it
        if check.startswith(('load.', 'storm.')):
            log = open(f'{out}.log', errors='replace').read() if os.path.exists(f'{out}.log') else ''
            return (re.search(rf'RUN +{re.escape(check)} ', log) is not None
                    and bool({'report', 'watchdog', 'died'} & set(problems)))
        return False

    def guests(self, mdir, names):
        os.environ.update(IOMMU_TEST_GUEST_KERNEL_PREFIX='mutant-', IOMMU_TEST_KCSAN='0')
        muts = in_dir(self.top, mdir, names)
        if not muts:
            raise SystemExit(f'ERROR: no mutations in {mdir}/.')
        print(f'==> guest mutations: {len(muts)} breakages of code only the guests reach, each must fail its check',
              flush=True)
        k = ktap.Writer('mutate-guests')
        k.plan(len(muts))
        res = os.path.join(self.results, 'mutate-guests')
        for m in muts:
            if len(m.killed_by) != 2 or m.killed_by[0] not in targets.TARGETS:
                k.not_ok(m.name, f"{self.rel(m.path)} needs one 'Killed-by: <target> <check>' line "
                         f'(targets: {" ".join(targets.TARGETS)})')
                continue
            target, check = m.killed_by
            t = targets.TARGETS[target]
            if not applies(self.tree, m):
                k.not_ok(m.name, f'{self.rel(m.path)} does not apply to {self.rel(self.tree)}: '
                         'refresh it against the series')
                continue
            log = os.path.join(self.results, f'mutate-guest-{m.name}.log')
            image, prog, append = 'initramfs', os.path.join(self.top, 'harness/guest/iommu_smoke.c'), ''
            if check.startswith(('load.', 'storm.')):
                image, prog = 'storm', os.path.join(self.src, 'tools/testing/selftests/iommu/iommu_probe_storm.c')
                append = f'{storms.only_args(storms.scenario(check))} STORM_SECONDS=3'
            print(f'    {m.name}: building the {t.kind} guest kernel with it', flush=True)
            if not self.guest_kernel(m, t.kind, image, prog, log):
                k.not_ok(m.name, f'the mutated kernel did not build: see {self.rel(log)}')
                continue
            print(f'    {m.name}: booting {target}', flush=True)
            out = os.path.join(res, m.name)
            for f in glob.glob(f'{glob.escape(out)}.*'):
                os.unlink(f)
            with open(log, 'a') as lf:
                subprocess.run([os.path.join(self.top, 'harness/guest.sh'), m.name, *guest_args(t)],
                               stdout=lf, stderr=subprocess.STDOUT,
                               env=dict(os.environ, IOMMU_TEST_IMAGE=image, IOMMU_TEST_GUEST_TIMEOUT='90',
                                        IOMMU_TEST_RESULTS=res, IOMMU_TEST_GUEST_APPEND=append))
            try:
                secs = open(f'{out}.result').read().split()[4]
            except (OSError, IndexError):
                secs = '-'
            if not self.guest_killed(check, out):
                k.not_ok(m.name, f'{m.what}, and {target} {check} did not fail (log: {self.rel(log)})')
                continue
            # the known-defect filter of the real runs must not excuse it
            hit = known_defects.of_boot(self.top, target, f'{out}.log', tree.kernel_version(self.src),
                                        guest.selected())
            if hit:
                kid, cut = hit[0].id, hit[1]
                k.not_ok(m.name, f'{target} {check} failed, but harness/known-defects takes the failure for '
                         f'known defect {kid} (in {cut}): that entry\'s signature is wide enough to hide this breakage')
            else:
                k.ok(f'{m.name}: {target} {check} failed in {secs} s')
        return k.end(self.results)

    def bench(self, arch, runs, timeout, trials, trial_ms):
        """Figures, never a verdict: per race mutation, how many of RUNS
        runs kill it and how soon."""
        bdir = os.path.join(self.out, f'kunit-{arch}-mutant')
        muts = [m for m in in_dir(self.top, 'mutations') if RACE_CASE in m.killed_by]
        if not muts:
            raise SystemExit(f'ERROR: no mutation in mutations/ names {RACE_CASE}.')
        for m in muts:
            log = os.path.join(self.results, f'bench-mutate-{m.name}.log')
            print(f'==> bench-mutate {m.name}: building the {arch} KUnit kernel with it (log: {self.rel(log)})',
                  flush=True)
            with applied(self.tree, self.undo, m):
                kunit_run.run(self.src, arch, bdir, 'iommu_race', '--timeout', str(timeout), log=log)
            if not os.path.exists(os.path.join(bdir, '.config')):
                raise SystemExit(f'ERROR: bench-mutate: the {arch} KUnit kernel did not build.\n'
                                 f'       See {self.rel(log)}.')
            print(f'==> bench-mutate {m.name}: {runs} runs of iommu_race', flush=True)
            times = []
            for _ in range(runs):
                # a broken kernel may hang after its first failure:
                # kunit.py's own timeout ends the run, the failure seen by then
                js = os.path.join(bdir, 'bench.json')
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(js)
                p = subprocess.run([sys.executable, 'tools/testing/kunit/kunit.py', 'exec', f'--build_dir={bdir}',
                                    f'--json={js}', *kunit_run.arch_args(arch), '--timeout', str(timeout),
                                    'iommu_race'], cwd=self.src, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors='replace')
                with open(log, 'a') as f:
                    f.write(p.stdout)
                with contextlib.suppress(OSError, ValueError):
                    if not kunit_results.survivors(kunit_results.read(js), [f'{RACE_CASE}@iommu_race']):
                        times.append(kunit_kill_seconds(p.stdout.split('\n')))
            print(f'{m.name} on {arch}: killed in {len(times)} of {runs} runs; time to kill: {stats(times)}')

        os.environ.update(IOMMU_TEST_GUEST_KERNEL_PREFIX='mutant-', IOMMU_TEST_KCSAN='0')
        storm = os.path.join(self.src, 'tools/testing/selftests/iommu/iommu_probe_storm.c')
        for m in in_dir(self.top, 'mutations/guest'):
            if len(m.killed_by) != 2 or m.killed_by[1] != LOAD_RACE:
                continue
            target = m.killed_by[0]
            t = targets.TARGETS[target]
            log = os.path.join(self.results, f'bench-mutate-{m.name}.log')
            d = os.path.join(self.results, f'bench-mutate-{m.name}')
            glue.lib('rm_build "$1"', d)
            print(f'==> bench-mutate {m.name}: building the {t.kind} guest kernel with it (log: {self.rel(log)})',
                  flush=True)
            if not self.guest_kernel(m, t.kind, 'storm', storm, log):
                raise SystemExit(f'ERROR: bench-mutate: the mutated {t.kind} guest kernel did not build.\n'
                                 f'       See {self.rel(log)}.')
            print(f'==> bench-mutate {m.name}: {runs} boots of {target}, {trials} load races each', flush=True)
            times = []
            for i in range(1, runs + 1):
                env = {f'IOMMU_TEST_{k}': str(v) for k, v in guests.load_race(trials, trial_ms).items()}
                with open(log, 'a') as f:
                    subprocess.run([os.path.join(self.top, 'harness/guest.sh'), f'boot-{i}', *guest_args(t)],
                                   stdout=f, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, IOMMU_TEST_RESULTS=d, **env))
                s = guest_kill_seconds(os.path.join(d, f'boot-{i}'))
                if s is not None:
                    times.append(s)
            print(f'{m.name} on {target}: killed in {len(times)} of {runs} boots; '
                  f'time to kill (uptime): {stats(times)}')
        return True


def nonempty(path):
    return os.path.exists(path) and os.path.getsize(path) > 0


def guest_args(t):
    """guest.sh's arguments after the boot's name: kind, machine, module,
    the QEMU arguments of the IOMMU device."""
    return [t.kind, t.machine, t.module, *t.qemu_args.split()]


def stats(values):
    if not values:
        return '-'
    return (f'median {statistics.median(values):.1f} s, min {min(values):.1f}, max {max(values):.1f} '
            f'(n={len(values)})')


def _clock(stamp):
    h, m, s = stamp.strip('[]').split(':')
    return int(h) * 3600 + int(m) * 60 + float(s)


def kunit_kill_seconds(lines):
    """Seconds from kunit.py's start of the kernel to its first failing
    case, by kunit.py's own time stamps (whole seconds)."""
    t0 = None
    for line in lines:
        if not line.startswith('['):
            continue
        if t0 is None and 'Starting KUnit Kernel' in line:
            t0 = _clock(line.split()[0])
        elif t0 is not None and re.search(r'\[(FAILED|CRASHED)\]', line):
            return _clock(line.split()[0]) - t0
    return 0


UPTIME = re.compile(r'^(?:<[0-9]>)?\[ *([0-9]+)\.[0-9]+\]')


def guest_kill_seconds(base, report_patterns=None):
    """The guest's uptime when a boot (BASE.log, .ktap, .problems) killed a
    load-race mutation: the failing trial names it, a kernel report carries
    it; None when the boot did not kill it (passed, or QEMU crashed)."""
    read = lambda ext: open(f'{base}.{ext}', errors='replace').read() if os.path.exists(f'{base}.{ext}') else ''
    log = read('log').split('\n')
    problems = {line.split(' ')[0] for line in read('problems').split('\n') if line}
    failed = os.path.exists(f'{base}.ktap') and ktap.status(ktap.read(f'{base}.ktap'), LOAD_RACE) == 'FAIL'
    ran = any(re.search(rf'RUN +{re.escape(LOAD_RACE)} ', line) for line in log)
    if not failed and not (ran and problems & {'report', 'watchdog', 'died'}):
        return None
    for line in log:
        m = re.match(r'^# .*failed, at ([0-9]+) s of uptime$', line)
        if m:
            return int(m.group(1))
    if report_patterns is None:
        from . import reports
        report_patterns = [p for p, _ in reports.read(os.path.join(
            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
            'tools/testing/selftests/iommu/kernel_reports.h'))]
    rx = re.compile('|'.join(report_patterns))
    first = next((line for line in log if rx.search(line)), '')
    if UPTIME.match(first):
        return int(UPTIME.match(first).group(1))
    stamps = [int(UPTIME.match(line).group(1)) for line in log if UPTIME.match(line)]
    return stamps[-1] if stamps else 0


def main(a):
    r = Runner(a)
    if a.what == 'kunit':
        return r.kunit(a.dir, a.name)
    if a.what == 'guests':
        return r.guests(a.dir, a.names.split())
    return r.bench(a.arch, a.runs, a.timeout, a.trials, a.trial_ms)

