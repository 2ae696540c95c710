# SPDX-License-Identifier: GPL-2.0
"""The guest matrix: the guest kernels of the target table built, booted,
judged and summed up, for the smoke tests, the kselftest's storms and
load-race boots, and the kselftest tarball's boot.

The kernels and images are built by the shell (lib.sh build_guest_kernel,
harness/initramfs.sh), a guest is booted and judged by harness/guest.sh
and boot.sh, which leave NAME.{log,ktap,problems,result} in the results
directory; everything else (which boots, a known defect's boot booted
again, the tables and the summary lines) is here.
"""

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

from . import known_defects, ktap, model, qemu_versions, reports, storms, targets

# boots again a check that must run (a race boot, the kselftest tarball's)
# when a known defect cut it short
KNOWN_RETRIES = 2
# a known defect's own problems, which do not fail the boot it cut short
DEFECTS_OWN = ('report', 'watchdog', 'died', 'qemu-crash', 'exit', 'no-tests')


def say(msg):
    print(msg, flush=True)


def knob(name, default=None):
    return os.environ.get('IOMMU_TEST_' + name, default)


@dataclass
class Run:
    top: str
    src: str
    out: str
    res: str
    base_tag: str
    kernel: str
    qemu_summary: str

    def script(self, name):
        return os.path.join(self.top, 'harness', name)

    def call(self, cmd, env=None, **kw):
        e = dict(os.environ)
        e.update({'IOMMU_TEST_' + k: str(v) for k, v in (env or {}).items()})
        sys.stdout.flush()
        return subprocess.run(cmd, env=e, **kw).returncode

    def lib(self, *args, env=None):
        """A function of harness/lib.sh, in this run's environment."""
        return self.call(['bash', '-c', '. "$0/harness/lib.sh" && select_tree && "$@"', self.top, *args], env=env)


def kind_dir(kind, lean=False):
    d = knob('GUEST_KERNEL_PREFIX', '') + targets.KINDS[kind].kernel
    if lean:
        return d + '-lean'
    return d + '-kcsan' if knob('KCSAN', '0') == '1' else d


def record_failure(res, name, kind, why):
    """NAME failed for WHY: one more failure in its .result and a problem."""
    os.makedirs(res, exist_ok=True)
    r = os.path.join(res, name)
    counts, secs = [0, 0, 0], 0
    if os.path.exists(r + '.result'):
        _, declared, secs = model.read_result(r + '.result')
        counts = list(declared)
    elif os.path.exists(r + '.problems'):
        os.remove(r + '.problems')
    counts[1] += 1
    with open(r + '.result', 'w') as fh:
        fh.write(f'{name} {counts[0]} {counts[1]} {counts[2]} {secs or 0}\n')
    with open(r + '.problems', 'a') as fh:
        fh.write(f'{kind} {why}\n')
    print(f'FAIL {name}: {why}', file=sys.stderr, flush=True)


def not_run(res, name, why):
    """The boot NAME did not happen: no earlier run's file of it stays, and
    it is one failure, WHY."""
    for ext in ('.result', '.ktap', '.log', '.problems'):
        if os.path.exists(os.path.join(res, name + ext)):
            os.remove(os.path.join(res, name + ext))
    record_failure(res, name, 'not-run', why)


def declared(path):
    try:
        return model.read_result(path)[1]
    except (OSError, model.BadResult):
        return None


class Matrix:
    def __init__(self, run, entries=None):
        self.run = run
        self.built = set()
        self.entries = known_defects.read(os.path.join(run.top, 'harness', 'known-defects')) \
            if entries is None else entries
        self.reports = [p for p, _ in reports.read(os.path.join(run.top, reports.HEADER))]
        self.qemus = qemu_versions.read(os.path.join(run.top, 'harness', 'qemu-versions'))

    def build(self, kind, program, image='initramfs', lean=False):
        """KIND's guest kernel and its IMAGE initramfs of PROGRAM, once a run."""
        d = kind_dir(kind, lean)
        if (d, image) in self.built:
            return True
        env = {'GUEST_LEAN': int(lean)}
        ok = self.run.lib('build_guest_kernel', kind, env=env) == 0 and \
            self.run.call([self.run.script('initramfs.sh'), d, targets.KINDS[kind].arch, program],
                          env=dict(env, IMAGE=image)) == 0
        if ok:
            self.built.add((d, image))
        return ok

    def boot(self, name, target, res, env=None, out=None):
        t = targets.TARGETS[target]
        cmd = [self.run.script('guest.sh'), name, t.kind, t.machine, t.module] + t.qemu_args.split()
        env = dict(env or {}, RESULTS=res)
        if out is None:
            return self.run.call(cmd, env=env)
        with open(out, 'w') as fh:
            return self.run.call(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)

    def known(self, name, target, log):
        """The known defect the failed boot NAME shows, recorded in the run's
        hits for the summary: (what to call it, the scenario it cut), or None."""
        got = known_defects.match(self.entries, target, log, self.reports, self.qemus,
                                  knob('QEMU') or self.qemus[0].name, self.run.kernel)
        if got is None:
            return None
        e, cut = got
        say(f'KNOWN DEFECT {e.id} in {name}, scenario {storms.case(cut)} '
            f'(that scenario counts as skipped; see {e.write_up})')
        with open(os.path.join(self.run.res, 'known-defects.hits'), 'a') as fh:
            fh.write(f'{name} {target} {e.id}\n')
        return f'known defect {e.id} (see {e.write_up})', cut

    @staticmethod
    def as_known(res, name, hit, cut):
        """The boot NAME stopped in the scenario CUT with the known defect
        HIT: that scenario is skipped, naming the defect, and so are those
        its plan still owes; what it reported before stays as it was. Its
        problems that are the defect's own are kept as known-KIND."""
        r = os.path.join(res, name)
        _, _, secs = model.read_result(r + '.result')
        lines = ktap.close(ktap.read(r + '.ktap'), name,
                           f'did not run: the boot ended in {storms.case(cut)} with {hit}',
                           storms.case(cut), f'{hit} cut the boot short in it')
        with open(r + '.ktap', 'a') as fh:
            fh.writelines(line + '\n' for line in lines)
        p, f, s = ktap.counts(ktap.read(r + '.ktap'))
        probs = model.read_problems(r + '.problems')
        probs = [('known-' + k if k in DEFECTS_OWN else k, w) for k, w in probs]
        if os.path.exists(r + '.problems'):
            with open(r + '.problems', 'w') as fh:
                fh.writelines(f'{k} {w}\n' for k, w in probs)
        f += sum(model.counts_problem(k) for k, _ in probs)
        with open(r + '.result', 'w') as fh:
            fh.write(f'{name} {p} {f} {s} {secs if secs is not None else 0}\n')

    def must_run(self, d, name, target, boot):
        """BOOT() boots NAME of TARGET (files D/NAME.*) for a check that must
        run; one a known defect cut short is booted again, KNOWN_RETRIES
        times at most, its files kept as NAME.cut-N.*. (passed, the known
        defects of the boots cut short)."""
        cuts = []
        for a in range(1, KNOWN_RETRIES + 2):
            if boot() == 0:
                return True, cuts
            base = os.path.join(d, name)
            hit = os.path.exists(base + '.result') and self.known(name, target, base + '.log')
            if not hit:
                return False, cuts
            cuts.append(hit[0])
            for ext in ('log', 'ktap', 'problems', 'result', 'out', 'qemu-crash'):
                if os.path.exists(f'{base}.{ext}'):
                    os.rename(f'{base}.{ext}', f'{base}.cut-{a}.{ext}')
            if a <= KNOWN_RETRIES:
                say(f'    {name}: cut short by a known defect; booting it again ({a + 1} of {KNOWN_RETRIES + 1})')
        record_failure(d, name, 'not-run', f'did not run: each of its {a} boots was cut short by a known '
                       f'defect ({os.path.relpath(d, self.run.top)}/{name}.cut-*.log)')
        return False, cuts


def counts_of(res, names):
    """The model's (passed, failed, skipped) over the steps NAMES of RES;
    a step with no result is one failure."""
    n = [0, 0, 0]
    for name in names:
        try:
            c = model.load_step(res, name).counts
            got = (c['passed'], c['failed'], c['skipped'])
        except (OSError, model.BadResult):
            got = (0, 1, 0)
        n = [a + b for a, b in zip(n, got)]
    return n


def smoke(run, kinds):
    """Each guest kind's kernel with the smoke test, booted on each of its
    targets: the IOMMU driver loads, the endpoints join IOMMU groups, their
    DMA goes through the IOMMU and a disk reads back the pattern."""
    m = Matrix(run)
    program = run.script('guest/iommu_smoke.c')
    rc, booted = 0, []
    for kind in kinds:
        if kind not in targets.KINDS:
            print(f'ERROR: SMOKE_TARGETS: no guest kind {kind}.\n       Kinds: {" ".join(targets.KINDS)}.',
                  file=sys.stderr)
            return 1
        ts = [t for t, v in targets.TARGETS.items() if v.kind == kind]
        if not m.build(kind, program):
            rc = 1
            for t in ts:
                not_run(run.res, t + run.base_tag, f'the {kind} guest kernel or its initramfs did not build '
                        f'(output above; build/logs/build-{kind_dir(kind)}.log)')
                booted.append(t + run.base_tag)
            continue
        for t in ts:
            name = t + run.base_tag
            if os.path.exists(os.path.join(run.res, name + '.result')):
                os.remove(os.path.join(run.res, name + '.result'))
            if m.boot(name, t, run.res) != 0:
                rc = 1
            if not os.path.exists(os.path.join(run.res, name + '.result')):
                not_run(run.res, name, 'the guest was not booted or not judged (output above)')
            booted.append(name)
    p, f, s = counts_of(run.res, booted)
    if not booted:
        f += 1
    say(f'smoke ({run.kernel}, {run.qemu_summary}): {p} passed, {f} failed, {s} skipped in the guests: '
        f'{" ".join(booted) or "none"}')
    return rc


def race_trials_done(logs):
    n = 0
    for log in logs:
        try:
            with open(log, errors='replace') as fh:
                for line in fh:
                    mt = re.match(r'^# .*:load races: (\d+) of \d+ in ', line)
                    if mt:
                        n += int(mt.group(1))
        except FileNotFoundError:
            pass
    return n


def load_race(trials, trial_ms):
    """The knobs of a boot that runs the load race alone, TRIALS load races
    of TRIAL_MS storms each. Its watchdog allows 12 s a trial (a KASAN trial
    takes 1 to 3 s on 6.12, up to 8 s on 7.3's x86_64) and 90 s for the boot
    and the kmemleak scan."""
    return {'IMAGE': 'storm', 'GUEST_TIMEOUT': 90 + 12 * int(trials),
            'GUEST_APPEND': f'{storms.only_args("iommu_driver_load_race")} STORM_TRIALS={trials} '
                            f'STORM_TRIAL_MS={trial_ms}'}


def race_boots(m, run, target, boots, trials, trial_ms, lean, kernel_name):
    """BOOTS boots of TARGET that run the load race alone, TRIALS load races
    of TRIAL_MS storms each; each must run (a known defect's cut boot is
    booted again). One KTAP line a boot, a cut one SKIP naming the defect."""
    name = f'selftests-race-{target}{run.base_tag}'
    d = os.path.join(run.res, name)
    subprocess.run(['rm', '-rf', '--', d], check=True)
    os.makedirs(d)
    say(f'==> {name}: {boots} boots of {trials} load races, each loading the IOMMU driver during an endpoint '
        f'storm ({knob("RACE_KERNEL", "lean")} kernel)')
    t0 = time.time()
    lines, bad, cut_total, n = [], 0, 0, 0

    def result(ok, test):
        nonlocal n
        n += 1
        lines.append(f'{"ok" if ok else "not ok"} {n} {test}')
    env = dict(load_race(trials, trial_ms), GUEST_LEAN=int(lean))
    for i in range(1, boots + 1):
        boot = f'boot-{i}'
        ok, cuts = m.must_run(d, boot, target,
                              lambda: m.boot(boot, target, d, env=env, out=os.path.join(d, boot + '.out')))
        for a, hit in enumerate(cuts, 1):
            result(True, f'{boot}.cut-{a} # SKIP {hit} cut it short')
        cut_total += len(cuts)
        log = os.path.join(d, boot + '.log')
        if ok and any(re.match(rf'^# .*:load races: {trials} of {trials} in ', x)
                      for x in open(log, errors='replace')):
            result(True, boot)
            continue
        bad += 1
        result(False, boot)
        if ok:
            why = f'passed without its {trials} load races ({os.path.relpath(log, run.top)})'
            said = [x.rstrip('\n') for x in open(log, errors='replace') if x.startswith(('# ', 'ok '))]
        else:
            why = f'failed ({os.path.relpath(log, run.top)})'
            said = []
            for f in (boot + '.out', boot + '.problems'):
                try:
                    said += [x.rstrip('\n') for x in open(os.path.join(d, f), errors='replace')][-40:]
                except FileNotFoundError:
                    pass
        lines.append(f'# {why}')
        lines += ['#   ' + x for x in said]
        say(f'not ok: boot {i} of {name} {why}:')
        for x in said:
            say('    ' + x)
        if i % 10 == 0:
            say(f'    {i} boots, {bad} failed, {cut_total} known defects')
    with open(d + '.ktap', 'w') as fh:
        fh.write('\n'.join(['KTAP version 1', f'1..{n}'] + lines) + '\n')
    secs = int(time.time() - t0)
    p = boots - bad
    with open(d + '.result', 'w') as fh:
        fh.write(f'{name} {p} {bad} {cut_total} {secs}\n')
    say(f'{name}: {p} passed, {bad} failed, {cut_total} known defects in {secs} s; '
        f'{race_trials_done(os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".log"))} '
        f'load races done')
    return bad == 0


def storm_table(run, names, trials):
    """target x scenario, from each full boot's KTAP, with each scenario's
    own time (the test prints it at its end), then the race boots."""
    say('')
    say(f'{"target":<26}' + ''.join(f' {h:<14.14}' for h in storms.SHORT + ['race_boots', 'seconds']))
    for t in names:
        full = os.path.join(run.res, f'selftests-{t}{run.base_tag}')
        doc = ktap.read(full + '.ktap')
        log = ktap.read(full + '.log')
        row = f'{t:<26}'
        for s in storms.SCENARIOS:
            v = ktap.status(doc, storms.case(s))
            test = next((x for x in log.all_results() if x.name == storms.case(s)), None)
            secs = next((mt.group(1) for x in (test.said if test else [])
                         for mt in [re.search(r':time: ([0-9.]+) s$', x)] if mt), None)
            row += f' {v + (f" {secs}s" if secs and v != "-" else ""):<14}'
        r = declared(os.path.join(run.res, f'selftests-race-{t}{run.base_tag}.result'))
        race = f'{r[0]}/{r[0] + r[1]} x{trials}' if r else '-'
        try:
            secs = model.read_result(full + '.result')[2]
        except (OSError, model.BadResult):
            secs = '-'
        row += f' {race:<14} {secs}'
        say(row)


def selftests(run, names):
    """The kselftest iommu_probe_storm on each target: one boot runs every
    scenario, then RACE_BOOTS short boots run only the load race, on the
    lean race kernel by default; a table target x scenario."""
    m = Matrix(run)
    program = os.path.join(run.src, 'tools/testing/selftests/iommu/iommu_probe_storm.c')
    if not os.path.exists(program):
        print(f"ERROR: no {program}.\n       Run 'make tree': it copies tools/ of this repo into the tree.",
              file=sys.stderr)
        return 1
    boots = int(knob('RACE_BOOTS', '5'))
    trials = int(knob('RACE_TRIALS', '40'))
    trial_ms = int(knob('RACE_TRIAL_MS', '200'))
    race_kernel = knob('RACE_KERNEL', 'lean')
    if race_kernel not in ('lean', 'sanitized'):
        print(f'ERROR: RACE_KERNEL={race_kernel}: no such race kernel.\n       Use lean or sanitized.', file=sys.stderr)
        return 1
    lean = race_kernel == 'lean'
    append = f'STORM_SECONDS={knob("STORM_SECONDS", "3")} STORM_THREADS={knob("STORM_THREADS", "4")}'
    if knob('STORM_EXCLUDE'):
        append += ' ' + storms.exclude_args(knob('STORM_EXCLUDE').replace(',', ' ').split())
    if knob('STORM_IOMMU_THREADS'):
        append += f' STORM_IOMMU_THREADS={knob("STORM_IOMMU_THREADS")}'
    rc = 0
    for t in names:
        tt = targets.TARGETS[t]
        full, race = f'selftests-{t}{run.base_tag}', f'selftests-race-{t}{run.base_tag}'
        for f in (full, race):
            if os.path.exists(os.path.join(run.res, f + '.result')):
                os.remove(os.path.join(run.res, f + '.result'))
        if not m.build(tt.kind, program, 'storm'):
            rc = 1
            not_run(run.res, full, f'the {tt.kind} guest kernel or its storm initramfs did not build (output '
                    f'above; build/logs/build-{kind_dir(tt.kind)}.log)')
            continue
        env = {'IMAGE': 'storm', 'GUEST_TIMEOUT': knob('GUEST_TIMEOUT', '300'), 'GUEST_APPEND': append}
        if m.boot(full, t, run.res, env=env) != 0:
            r = os.path.join(run.res, full)
            if not os.path.exists(r + '.result'):
                rc = 1
                not_run(run.res, full, 'the guest was not booted or not judged (output above)')
            else:
                hit = m.known(full, t, r + '.log')
                if hit:
                    m.as_known(run.res, full, *hit)
                    # what failed besides the defect's scenario still fails
                    if declared(r + '.result')[1]:
                        rc = 1
                else:
                    rc = 1
        if tt.module == '-':
            say(f'    {race}: no load-race boots: the IOMMU driver is built in')
        elif boots:
            if not m.build(tt.kind, program, 'storm', lean=lean):
                rc = 1
                not_run(run.res, race, f'the {race_kernel} race kernel of {tt.kind} or its storm initramfs '
                        'did not build (output above)')
                continue
            if not race_boots(m, run, t, boots, trials, trial_ms, lean, race_kernel):
                rc = 1
    storm_table(run, names, trials)
    fulls = [f'selftests-{t}{run.base_tag}' for t in names]
    p, f, s = counts_of(run.res, fulls)
    rs = [declared(os.path.join(run.res, f'selftests-race-{t}{run.base_tag}.result')) for t in names]
    rp, rf, rk = (sum(r[i] for r in rs if r) for i in range(3))
    done = race_trials_done(os.path.join(run.res, f'selftests-race-{t}{run.base_tag}', f)
                            for t in names if os.path.isdir(os.path.join(run.res, f'selftests-race-{t}{run.base_tag}'))
                            for f in os.listdir(os.path.join(run.res, f'selftests-race-{t}{run.base_tag}'))
                            if f.endswith('.log'))
    say(f'selftests ({run.kernel}, {run.qemu_summary}): {p} passed, {f} failed, {s} skipped; '
        f'race boots: {rp} passed, {rf} failed, {rk} known defects; {done} load races done')
    return rc


def tarball(run, names):
    """The kselftest tarball's guest of each target (kselftest-tarball.sh
    wrote it) booted alone with its run.sh, as another runner would: the
    judge reads the console, and the storm's own KTAP, nested under
    run_kselftest.sh's, must show every scenario it plans passed, none
    skipped. A boot a known defect cut short is booted again; the
    watchdog is the settings' timeout plus two minutes for the boot."""
    m = Matrix(run)
    rc = 0
    for t in names:
        kind = targets.TARGETS[t].kind
        out = os.path.join(run.out, 'kselftest', t)
        name = f'kselftest-tarball-{t}'
        settings = subprocess.run(['tar', '-xzOf', os.path.join(out, 'kselftest.tar.gz'), './iommu/settings'],
                                  capture_output=True, text=True).stdout
        limit = next((int(x.split('=', 1)[1]) for x in settings.splitlines()
                      if re.match(r'^timeout=\d+$', x)), None)
        if limit is None:
            print(f"ERROR: {t}: the tarball's iommu/settings has no timeout= line.\n"
                  '       It is tools/testing/selftests/iommu/settings (in the series, its last patch).',
                  file=sys.stderr)
            return 1
        kdir = os.path.join(run.out, kind_dir(kind))
        # the series' own guests decompress modules (configs/module-xz.config):
        # a rootfs with plain ones would pass without the compressed-module path
        try:
            with open(os.path.join(kdir, 'kselftest.list'), errors='replace') as fh:
                listed = fh.read().split('\n')
        except FileNotFoundError:
            not_run(run.res, name, f"no {os.path.relpath(kdir, run.top)}/kselftest.list: the tarball's rootfs was "
                    "not built (run 'make kselftest-tarball')")
            rc = 1
            continue
        if knob('KERNEL_SRC') is None and not any('.ko.xz ' in x for x in listed):
            not_run(run.res, name, "the rootfs's modules are not xz-compressed: the compressed-module loading was "
                    'not exercised (the guest kernel needs configs/module-xz.config: CONFIG_MODULE_DECOMPRESS; '
                    'lib.sh build_guest_kernel)')
            rc = 1
            continue
        env = {'DECODE_KERNEL': kdir, 'DECODE_CROSS': targets.ARCHES[targets.KINDS[kind].arch].cross}

        def boot():
            say(f'==> {name}: {os.path.relpath(out, run.top)}/run.sh (watchdog: settings\' {limit} s + 120 s)')
            return run.call([run.script('boot.sh'), '--own-console', name, str(limit + 120), './run.sh'],
                            env=env, cwd=out)
        ok, _ = m.must_run(run.res, name, t, boot)
        if not ok:
            rc = 1
            continue
        why = ktap.nested_all_passed(ktap.read(os.path.join(run.res, name + '.ktap')))
        if why:
            record_failure(run.res, name, 'nested-ktap', f'{why} ({os.path.relpath(run.res, run.top)}/{name}.log)')
            rc = 1
    return rc
