# SPDX-License-Identifier: GPL-2.0
"""Figures, never pass/fail tests (these machines are noisy): medians,
ranges and ratios.

  kunit      'make bench-kunit': the KUnit suite on UML in a build directory
             of its own, cold (configure, build and run from an empty build
             directory; ccache as it is), warm (one test file touched,
             rebuild and run) and run-only ('kunit.py exec'), BENCH_RUNS
             times each
  repeat     'make kunit-repeat': the built UML suite REPEAT times, the runs
             with a failed case counted (flakiness: the race and fail-nth
             suites get new random registration times each run); a KTAP
  qemu       'make bench-qemu': the QEMUs of harness/qemu-versions side by
             side, the same guest kernel and storm image booted BENCH_BOOTS
             times on each, alternating, so that the host's load falls on
             both alike; one storm scenario alone (BENCH_SCENARIO) or, with
             BENCH_SCENARIO=race, a load-race boot (RACE_KERNEL=lean or
             sanitized); how each boot ended, its seconds, the storm rates
  selftests  'make bench-selftests': 'make selftests' with BENCH_BOOTS race
             boots per target, then the storm rate of each scenario, load
             races per minute and the full boot's time, and a shell-loop
             reference boot (harness/guest/shell_loop.sh) per target
"""

import collections
import contextlib
import os
import re
import statistics
import subprocess
import sys
import time

from . import glue, guest, guests, known_defects, ktap, kunit_results, kunit_run, qemu_versions, storms, targets, tree
from .glue import die
from .mutations import guest_args

CYCLES = re.compile(r'^(?:# )*.*:cycles in [0-9]+ s, ([0-9]+) ms of wall time: bind/unbind ([0-9]+), '
                    r'remove/rescan ([0-9]+), iommu unbind/bind ([0-9]+)')
RACES = re.compile(r'^# .*:load races: ([0-9]+) of [0-9]+ in ')


def knob(name, default=''):
    return os.environ.get(f'IOMMU_TEST_{name}') or default


def spread(values):
    """"MEDIAN s (min MIN, max MAX, n=N)"."""
    return (f'{statistics.median(values):.1f} s (min {min(values):.1f}, max {max(values):.1f}, n={len(values)})'
            if values else '-')


def median(values, fmt='{:.1f}'):
    return fmt.format(statistics.median(values)) if values else '-'


def kunit(a):
    src, out = os.environ['SRC'], os.environ['OUT']
    runs = int(knob('BENCH_RUNS', '5'))
    bdir = os.path.join(out, 'kunit-bench')
    log = os.path.join(out, 'results', 'bench-kunit.log')
    os.makedirs(os.path.dirname(log), exist_ok=True)
    open(log, 'w').close()

    def elapsed(cmd):
        t0 = time.time()
        with open(log, 'a') as f:
            if subprocess.run(cmd, cwd=src, stdout=f, stderr=subprocess.STDOUT).returncode:
                die(f"bench-kunit: '{' '.join(cmd)}' failed.", f'See {os.path.relpath(log, glue.TOP)}.')
        return time.time() - t0
    print(f'==> bench-kunit: cold build+run in {os.path.relpath(bdir, glue.TOP)} (a few minutes)', flush=True)
    glue.lib('rm_build "$1"', bdir)
    cold = elapsed(kunit_run.command(src, 'um', bdir))
    print(f'    cold: {cold:.1f} s', flush=True)
    print(f'==> bench-kunit: {runs} warm runs (one test file touched) and {runs} run-only', flush=True)
    warm, run = [], []
    for i in range(1, runs + 1):
        os.utime(os.path.join(src, 'drivers/iommu/tests/iommu_fwspec_kunit.c'))
        warm.append(elapsed(kunit_run.command(src, 'um', bdir)))
        run.append(elapsed([sys.executable, 'tools/testing/kunit/kunit.py', 'exec', f'--build_dir={bdir}',
                            '--timeout', '300']))
        print(f'    run {i}: warm {warm[-1]:.1f} s, run-only {run[-1]:.1f} s', flush=True)
    doc = ktap.parse(open(os.path.join(bdir, 'test.log'), errors='replace'))
    print(f'\nKUnit suite on UML ({os.cpu_count()} CPUs, {len(list(doc.leaves()))} cases per run)')
    print(f'  cold build+run         {cold:.1f} s')
    print(f'  warm rebuild+run       {spread(warm)}')
    print(f'  suite run (exec only)  {spread(run)}')
    print(f'  warm/cold              {statistics.median(warm) / cold:.2f}')
    return 0


def repeat(a):
    src, out = os.environ['SRC'], os.environ['OUT']
    n = int(knob('REPEAT', '20'))
    bdir, res = os.path.join(out, 'kunit-um'), os.path.join(out, 'results')
    os.makedirs(res, exist_ok=True)
    if not os.access(os.path.join(bdir, 'linux'), os.X_OK):
        die(f'no UML KUnit kernel in {os.path.relpath(bdir, glue.TOP)}.', "Run 'make kunit' first.")
    print(f'==> kunit-repeat: {n} runs of the built UML suite (kunit.py exec)', flush=True)
    k = ktap.Writer('kunit-repeat')
    k.plan(n)
    js = os.path.join(bdir, 'repeat.json')
    for i in range(1, n + 1):
        log = os.path.join(res, f'kunit-repeat-{i}.log')
        with contextlib.suppress(FileNotFoundError):
            os.unlink(js)
        with open(log, 'w') as f:
            rc = subprocess.run([sys.executable, 'tools/testing/kunit/kunit.py', 'exec', f'--build_dir={bdir}',
                                 f'--json={js}', '--timeout', '300'], cwd=src, stdout=f, stderr=subprocess.STDOUT)
        if rc.returncode == 0:
            os.unlink(log)
            k.ok(f'run {i}')
            continue
        try:
            failed = list(kunit_results.failures(kunit_results.read(js)))[:10]
        except (OSError, ValueError, KeyError) as e:
            failed = [f'{js}: not kunit.py JSON: {e}']
        k.not_ok(f'run {i}', '\n'.join(failed + [f'see {os.path.relpath(log, glue.TOP)}']))
    return 0 if k.end(res) else 1


def ended(res, name, target, qemu):
    """How a bench boot ended: passed; qemu-crash:FRAME; known-defect-ID;
    failed:KIND (its first problem's)."""
    base = os.path.join(res, name)
    try:
        failed = open(f'{base}.result').read().split()[2]
    except (OSError, IndexError):
        failed = '1'
    if failed == '0':
        return 'passed'
    problems = open(f'{base}.problems').read().split('\n') if os.path.exists(f'{base}.problems') else ['']
    crash = next((p for p in problems if p.startswith('qemu-crash ')), None)
    if crash:
        m = re.search(r' in ([A-Za-z_0-9]+)\(\)', crash)
        return f"qemu-crash:{m.group(1) if m else ''}"
    hit = known_defects.of_boot(glue.TOP, target, f'{base}.log', tree.kernel_version(os.environ['SRC']), qemu)
    if hit:
        return f'known-defect-{hit[0].id}'
    return f"failed:{problems[0].split(' ')[0]}"


def qemu(a):
    src, out = os.environ['SRC'], os.environ['OUT']
    names = knob('BENCH_TARGETS', 'arm64-virtio-iommu-dt').split()
    boots, scenario = int(knob('BENCH_BOOTS', '20')), knob('BENCH_SCENARIO', 'iommu_unbind_bind_under_storm')
    secs, trials, trial_ms = knob('STORM_SECONDS', '3'), knob('RACE_TRIALS', '20'), knob('RACE_TRIAL_MS', '200')
    qemus = [q.name for q in qemu_versions.read(guest.QEMUS)]
    res = os.path.join(out, 'results', 'bench-qemu')
    os.makedirs(res, exist_ok=True)
    storm = os.path.join(src, 'tools/testing/selftests/iommu/iommu_probe_storm.c')
    race = scenario == 'race'
    kernel = knob('RACE_KERNEL', 'lean')
    if race and kernel not in ('lean', 'sanitized'):
        die(f'RACE_KERNEL={kernel}: no such race kernel.', 'Use lean or sanitized.')
    lean = race and kernel == 'lean'
    rows = {}
    for t in names:
        target = targets.TARGETS[t]
        if race and target.module == '-':
            die(f'{t} has no load race: its IOMMU driver is built in.', 'Pick a target with a module (targets.py).')
        env = {'IOMMU_TEST_GUEST_LEAN': '1' if lean else '0'}
        glue.lib('build_guest_kernel "$1" >/dev/null && IOMMU_TEST_IMAGE=storm "$TOP/harness/initramfs.sh" '
                 '"$(kind_dir "$1")" "$(kind_arch "$1")" "$2" >/dev/null', target.kind, storm, env=env)
        # this target's files of an earlier run go; other targets' stay
        for f in os.listdir(res):
            if f == f'{t}.boots' or f.startswith(f'{t}-'):
                os.unlink(os.path.join(res, f))
        print(f"==> bench-qemu {t}: {boots} boots of {scenario} on each of {' '.join(qemus)}, alternating", flush=True)
        rows[t] = []
        for i in range(1, boots + 1):
            for q in qemus:
                name = f'{t}-{q}-{i}'
                with open(os.path.join(res, f'{name}.out'), 'w') as f:
                    knobs = guests.load_race(trials, trial_ms) if race else {
                        'IMAGE': 'storm', 'GUEST_TIMEOUT': 180,
                        'GUEST_APPEND': f"{storms.only_args(scenario)} STORM_SECONDS={secs} "
                                        f"STORM_THREADS={knob('STORM_THREADS', '4')}"}
                    subprocess.run([os.path.join(glue.TOP, 'harness/guest.sh'), name, *guest_args(target)],
                                   stdout=f, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, **env, IOMMU_TEST_QEMU=q, IOMMU_TEST_RESULTS=res,
                                            **{f'IOMMU_TEST_{k}': str(v) for k, v in knobs.items()}))
                try:
                    s = float(open(os.path.join(res, f'{name}.result')).read().split()[4])
                except (OSError, IndexError, ValueError):
                    s = 0
                log = open(os.path.join(res, f'{name}.log'), errors='replace').read().split('\n') \
                    if os.path.exists(os.path.join(res, f'{name}.log')) else []
                cycles = next(([int(x) for x in m.groups()] for m in map(CYCLES.match, log) if m), None)
                races = next((int(m.group(1)) for m in map(RACES.match, log) if m), None)
                rows[t].append((q, s, ended(res, name, t, q), cycles, races))
            if i % 5 == 0:
                print(f'    {i} of {boots} rounds', flush=True)
        with open(os.path.join(res, f'{t}.boots'), 'w') as f:
            for q, s, how, cycles, races in rows[t]:
                f.write(f"{q} {s:g} {how} {':'.join(map(str, cycles)) if cycles else ('races:%d' % races if races is not None else '')}\n")
    for t in names:
        what = (f'{trials} load races of {trial_ms} ms, {kernel} kernel' if race
                else f'STORM_SECONDS={secs}, KASAN kernel')
        print(f'\n{t}, {scenario} ({what}):')
        print(f"  {'QEMU':<34} {'boots':>6} {'passed':>7} how the others ended")
        for q in qemus:
            b = [r for r in rows[t] if r[0] == q]
            others = collections.Counter(r[2] for r in b if r[2] != 'passed')
            label = f"{q} ({guest.version(q).split(' ')[0]})"
            print(f"  {label:<34} {len(b):>6} {sum(r[2] == 'passed' for r in b):>7} "
                  + ', '.join(f'{k} x{v}' for k, v in sorted(others.items())))
        print(f"  {'QEMU':<34} {'boot s':>10} {'(min-max)':>12} median of the passed boots' rates")
        for q in qemus:
            b = [r for r in rows[t] if r[0] == q]
            p = [r for r in b if r[2] == 'passed']
            if race:
                rate = 'load races/min ' + median([60 * r[4] / r[1] for r in p if r[1] > 0 and r[4] is not None])
            else:
                rate = ', '.join(f'{op} ' + median([1000 * r[3][k] / r[3][0] for r in p if r[3] and r[3][0] > 0])
                                 + '/s' for k, op in ((1, 'bind/unbind'), (2, 'remove/rescan'),
                                                      (3, 'iommu unbind/bind')))
            times = sorted(r[1] for r in b)
            rng = f'{times[0]:g}-{times[-1]:g}' if times else ''
            print(f"  {q:<34} {median(times):>10} {rng:>12} {rate}")
    return 0


def selftests(a):
    out = os.environ['OUT']
    res = os.path.join(out, 'results')
    names = knob('SELFTEST_TARGETS', ' '.join(targets.TARGETS)).split()
    secs = knob('STORM_SECONDS', '3')
    env = dict(os.environ, IOMMU_TEST_RACE_BOOTS=knob('BENCH_BOOTS', '5'), IOMMU_TEST_STORM_SECONDS=secs)
    with open(os.path.join(res, 'bench-selftests.log'), 'w') as f:
        if subprocess.run([os.path.join(glue.TOP, 'harness/selftests.sh')], env=env, stdout=f,
                          stderr=subprocess.STDOUT).returncode:
            print(f'WARNING: some selftests failed ({os.path.relpath(res, glue.TOP)}/bench-selftests.log); '
                  'figures of what ran', file=sys.stderr)
    print(f"\n{'target':<26} {'scenario':<30} {'cycles':>10} {'cycles/s':>10}")
    for t in names:
        log = os.path.join(res, f'selftests-{t}.log')
        if not os.path.exists(log):
            continue
        doc = ktap.read(log)
        # per scenario, its own "cycles in S s, W ms of wall time" line; the
        # rate is over the wall time, the storm's last operations included,
        # as the shell loop's is
        for s in storms.SCENARIOS:
            said = ktap.said(doc, storms.case(s))
            m = next((CYCLES.match(line) for line in said if CYCLES.match(line)), None)
            if not m:
                continue
            ms, *counts = (int(x) for x in m.groups())
            for op, n in zip(('bind/unbind', 'remove/rescan', 'iommu unbind/bind'), counts):
                if n > 0:
                    print(f"{t:<26} {f'{s} ({op})':<30} {n:>10} {1000 * n / ms:>10.1f}")
    # the shell-loop reference, one boot per target
    subprocess.run([os.path.join(glue.TOP, 'harness/deps.sh'), '--busybox'], stdout=subprocess.DEVNULL, check=True)
    for t in names:
        target = targets.TARGETS[t]
        glue.lib('IOMMU_TEST_IMAGE=shellloop "$TOP/harness/initramfs.sh" "$(kind_dir "$1")" "$(kind_arch "$1")" '
                 '"$TOP/harness/guest/shell_loop.sh" >/dev/null', target.kind)
        with open(os.path.join(res, f'shell-loop-{t}.out'), 'w') as f:
            if subprocess.run([os.path.join(glue.TOP, 'harness/guest.sh'), f'shell-loop-{t}', *guest_args(target)],
                              stdout=f, stderr=subprocess.STDOUT,
                              env=dict(os.environ, IOMMU_TEST_IMAGE='shellloop',
                                       IOMMU_TEST_GUEST_APPEND=f'STORM_SECONDS={secs}')).returncode:
                print(f'WARNING: the shell-loop boot of {t} failed '
                      f'({os.path.relpath(res, glue.TOP)}/shell-loop-{t}.log)', file=sys.stderr)
        log = os.path.join(res, f'shell-loop-{t}.log')
        for line in (open(log, errors='replace').read().split('\n') if os.path.exists(log) else []):
            m = re.match(r'^# shell-loop: (.*) ([0-9]+) cycles in ([0-9.]+) s$', line)
            if m:
                print(f"{t:<26} {f'shell loop ({m.group(1)})':<30} {m.group(2):>10} "
                      f'{int(m.group(2)) / float(m.group(3)):>10.1f}')
    # per race boot: the load races it ran to their end, its time from
    # QEMU's start to power-off; a boot that failed (a known defect, a QEMU
    # crash) is left out of the rates: its trials stopped early, and its
    # figure would be the failure's, not the suite's
    print(f"\n{'target':<26} {'race_boots':>10} {'failed_boots':>12} {'races':>8} {'races/min':>12} "
          f"{'races/min of one boot':>34} {'full_boot_s':>12}")
    for t in names:
        if not os.path.exists(os.path.join(res, f'selftests-race-{t}.result')):
            continue
        try:
            full = open(os.path.join(res, f'selftests-{t}.result')).read().split()[4]
        except (OSError, IndexError):
            full = '-'
        d = os.path.join(res, f'selftests-race-{t}')
        passed, failed = [], 0
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if not f.endswith('.log'):
                continue
            r = open(os.path.join(d, f[:-4] + '.result')).read().split()
            if r[2] != '0':
                failed += 1
            elif int(r[4]) > 0:
                passed.append((guests.race_trials_done([os.path.join(d, f)]), int(r[4])))
        if not passed:
            print(f"{t:<26} {'no passed race boot':>10} {failed:>12}")
            continue
        rates = sorted(60 * n / s for n, s in passed)
        races, boot_secs = sum(n for n, _ in passed), sum(s for _, s in passed)
        one = f'median {statistics.median(rates):.1f}, min {rates[0]:.1f}, max {rates[-1]:.1f}'
        print(f'{t:<26} {len(passed):>10} {failed:>12} {races:>8} {60 * races / boot_secs:>12.1f} {one:>34} '
              f'{full:>12}')
    return 0


def main(a):
    return {'kunit': kunit, 'repeat': repeat, 'qemu': qemu, 'selftests': selftests}[a.what](a)
