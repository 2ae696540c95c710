# SPDX-License-Identifier: GPL-2.0
"""The harness's tests of itself that need its scripts, a prepared tree or
a guest ('make selftest'; harness/tests holds those that need none, run
here as one case). Its failures must speak and must not damage the tree
people edit: every case that changes a tree works in a scratch clone of
build/linux (build/selftest-linux, objects shared), never in build/linux.

  1. KERNEL_SRC pointing nowhere, or at something that is not a kernel:
     non-zero exit, naming the path.
  3. A series with a patch that does not apply: non-zero exit, names the
     patch, and the tree is exactly as before (HEAD, index, state).
  4. A changed series over a tree with an unexported commit: refused, with
     the command to run, and the commit is still there.
  5. The guest judge (boot.sh), fed canned consoles by a fake QEMU: a clean
     run passes; a WARNING, a guest that dies early, a guest that hangs and
     a failed KTAP line each fail the run and say why; a QEMU that
     crashes is named with its crashing frame, read from its core dump,
     and a hard core-size limit of 0 stops no boot.
  6. The real arm64 SMMUv3 guest without its IOMMU driver, and one whose
     disks' DMA bypasses the IOMMU (no iommu_platform=on), fail the smoke
     test (SKIP without 'make smoke').
  7. The kselftest in the real arm64 guest (SKIP without its image, made
     by 'make selftests'): a wrong byte on the pattern disk, a WARNING in
     the kernel log, storm threads that do nothing, a guest that does
     not finish and a second load race without the unload before it each
     fail it.
  8. Every kernel report of the one list (tools/testing/selftests/iommu/
     kernel_reports.h), by its example line: the guest judge, the KUnit
     log judge and the guests' own matcher (kmsg_has_report(), built for
     the host as harness/kmsg_judge.c) each fail on it, and none fails on
     a clean boot; the KUnit judge leaves the lockdep suite's deliberate
     WARNs to the suite.
 11. 'make standalone-check' fails on a patches/ with stale tests.
 12. Safety as root: BUILD=/ moves nothing, rm_build refuses paths outside
     build/, a plain ARCH is ignored, a second run is refused, ^C stops
     QEMU, a run killed with a mutation applied or during git am is
     repaired by the next 'make tree', and a stale worktree is made again.
 13. The Python side's unit tests (harness/tests: among them what were
     cases here, the sanitizer check of a dead guest, the packages of each
     goal, a guest mutation's time to kill).
 14. BASE=fixes is the series up to its last patch for stable.
 15. Every guest mutation applies to the series; every case a KUnit
     mutation names is found in its suite.
 16. Compressed modules (.ko.xz, .ko.zst, .ko.gz) are found by name and
     loaded as compressed files.
 17. A KERNEL_SRC tree without the series, outside build/: not a byte of
     it changes; the KUnit files it can build get their hook-up in the
     copy, the others are SKIP with what the tree lacks.
 18. The harness's storm scenarios are the kselftest's own cases.
 19. A guest kernel option the tree does not define is named as what the
     tree lacks for the guests.
 20. 'make checkpatch' fails on a patch with an SPDX identifier that
     LICENSES/ does not have, and when scripts/spdxcheck.py cannot run.
 22. A guest kernel that does not build fails every target it was asked
     for, each a row of the table; a step's non-zero exit always counts.
 23. The guest judge fails a sanitizer that did not start and a program
     init says failed while its KTAP is all ok.
 24. QEMU holds no lock of the run and does not outlive its boot.sh.
 25. The QEMU each guest boots on: the default, QEMU=, and the fallback
     for a device a QEMU cannot run (amd-iommu on 10.0).
 26. build/linux is as the selftest found it (last).
 28. The Linux base (harness/bases): the first unless LINUX= picks
     another, which has a tree, kernels, results and a series of its own;
     an unknown LINUX= is refused.
 29. 'make standalone-check' fails a series whose commit messages name
     the harness; the mainline series' messages name none.
Every case runs whatever the earlier ones did.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types

from . import glue, guest, ktap, mutations, reports, standalone, storms, targets, tree

SCRATCH = 'selftest-linux'


class Selftest:
    def __init__(self, top, results):
        self.top, self.results = top, results
        self.build = os.path.join(top, 'build')
        self.harness = os.path.join(top, 'harness')
        self.tmp = tempfile.mkdtemp()
        self.out = ktap.Writer('harness-selftest')

    def path(self, *p):
        return os.path.join(self.tmp, *p)

    def write(self, name, text, mode=None):
        with open(self.path(name), 'w') as f:
            f.write(text)
        if mode:
            os.chmod(self.path(name), mode)
        return self.path(name)

    def run(self, cmd, env=None, **kw):
        """CMD's exit status and its output, stdout and stderr as one."""
        e = dict(os.environ, **(env or {}))
        p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors='replace', **kw)
        return p.returncode, p.stdout

    def script(self, name, *args, env=None):
        return self.run([os.path.join(self.harness, name), *args], env=env)

    def lib(self, code, *args, env=None):
        """CODE (bash) run with harness/lib.sh sourced, ARGS as $1..."""
        p = glue.lib(code, *args, env=env or {}, capture=True)
        return p.returncode, p.stdout

    def git(self, *args, tree=None):
        return self.run(['git', '-C', tree or self.tree, *args])[1].strip()

    def result(self, name, problems):
        """NAME passes when PROBLEMS (a list, or a text) says nothing."""
        if isinstance(problems, list):
            problems = '\n'.join(problems)
        if problems.strip():
            self.out.not_ok(name, problems.rstrip())
        else:
            self.out.ok(name)

    def expect_failure(self, name, pattern, cmd, env=None):
        """CMD must exit non-zero and say PATTERN."""
        rc, out = self.run(cmd, env=env)
        ok = rc != 0 and re.search(pattern, out, re.M)
        self.result(name, '' if ok else f'exit {rc}, wanted non-zero saying /{pattern}/:\n{out}')

    def fake_qemu(self, name, body):
        return self.write(name, f'#!/bin/sh\n{body}\n', 0o755)

    def boot(self, name, timeout, qemu, env=None):
        return self.script('boot.sh', name, str(timeout), qemu,
                           env={'IOMMU_TEST_RESULTS': self.path('results'), **(env or {})})

    # -- the scratch clone --------------------------------------------------

    def real_tree_state(self):
        real = os.path.join(self.build, 'linux')
        parts = [self.git('rev-parse', 'HEAD', tree=real), self.git('reflog', '-1', tree=real),
                 self.git('status', '--porcelain', tree=real),
                 str(hash(self.git('diff', tree=real)))]
        for f in ('harness-series', 'harness-undo'):
            try:
                parts.append(open(os.path.join(real, '.git', f)).read())
            except OSError:
                pass
        return '\n'.join(parts)

    def prepare_scratch(self):
        real = os.path.join(self.build, 'linux')
        self.tree = os.path.join(self.build, SCRATCH)
        if self.run(['git', '-C', self.tree, 'rev-parse', '-q', '--verify', 'HEAD'])[0]:
            self.lib('rm_build "$1"', self.tree)
            print(f'==> cloning build/linux into build/{SCRATCH} for the harness selftest '
                  '(once; its objects are shared)', flush=True)
            rc, out = self.run(['git', 'clone', '-q', '--shared', '--no-checkout', real, self.tree])
            if rc:
                raise SystemExit(f'ERROR: could not clone build/linux into {self.tree}:\n{out}')
        self.run(['git', '-C', self.tree, 'am', '--abort'])
        for cmd in (['fetch', '-q', '--tags', real, 'HEAD'], ['reset', '-q', '--hard', 'FETCH_HEAD'],
                    ['clean', '-fdq'], ['config', 'user.name', 'harness selftest'],
                    ['config', 'user.email', 'selftest@localhost'], ['config', 'gc.auto', '0']):
            rc, out = self.run(['git', '-C', self.tree, *cmd])
            if rc:
                raise SystemExit(f"ERROR: could not bring {self.tree} to build/linux's HEAD:\n{out}"
                                 f'       Remove it (rm -rf {self.tree}) and run again.')
        shutil.copy(os.path.join(real, '.git', 'harness-base'), os.path.join(self.tree, '.git'))
        with_undo = os.path.join(self.tree, '.git', 'harness-undo')
        if os.path.exists(with_undo):
            os.unlink(with_undo)
        tree.overlay(self.tree, quiet=True)
        # every script of this selftest works there
        os.environ['IOMMU_TEST_TREE_NAME'] = SCRATCH
        rc, out = self.lib('printf "%s\\n" "$STATE" "$UNDO" "$PATCHES"')
        if rc:
            raise SystemExit(f'ERROR: could not read the state of {self.tree}:\n{out}')
        self.state, self.undo, self.patches = out.split('\n')[-4:-1]
        tree.Tree(types.SimpleNamespace(tree=self.tree, patches=self.patches, linux='', package='',
                                        suite='')).record_state()

    def series_patches(self):
        return self.lib('series_patches')[1].split()

    # -- the cases ----------------------------------------------------------

    def kernel_src(self):
        self.expect_failure('kernel_src_missing', 'KERNEL_SRC=/nonexistent/linux does not exist',
                            [os.path.join(self.harness, 'kunit.sh')],
                            env={'IOMMU_TEST_KERNEL_SRC': '/nonexistent/linux'})
        self.expect_failure('kernel_src_not_a_kernel', 'is not a Linux kernel tree',
                            [os.path.join(self.harness, 'tree.sh')],
                            env={'IOMMU_TEST_KERNEL_SRC': self.harness})

    def tree_state(self):
        return (self.git('rev-parse', 'HEAD') + self.git('status', '--porcelain', '--untracked-files=no')
                + open(self.state).read())

    def broken_series(self):
        # a copy of the series whose first patch has a context line (in its
        # first hunk) that is not in the base; with no series yet, a file
        # that is not a patch at all
        os.makedirs(self.path('patches'))
        first = self.series_patches()[:1]
        broken = 'not a patch\n'
        if first:
            lines, hunk, done = [], False, False
            for line in open(first[0]).read().split('\n'):
                hunk = hunk or line.startswith('@@')
                if hunk and not done and line.startswith(' '):
                    line, done = ' this context line is not in the base', True
                lines.append(line)
            broken = '\n'.join(lines)
        self.write('patches/0001-broken.patch', broken)
        self.write('patches/series', '0001-broken.patch\n')
        env = {'IOMMU_TEST_PATCHES': self.path('patches')}
        before = self.tree_state()
        self.expect_failure('broken_patch_is_named', r'does not apply: .*0001-broken\.patch',
                            [os.path.join(self.harness, 'tree.sh')], env=env)
        after = self.tree_state()
        ok = before == after and not os.path.isdir(os.path.join(self.tree, '.git/rebase-apply'))
        self.result('broken_patch_leaves_tree_unchanged', '' if ok else f'before: {before}\nafter: {after}')

        # an unexported kernel commit must survive a changed series
        self.head = self.git('rev-parse', 'HEAD')
        with open(os.path.join(self.tree, 'README'), 'a') as f:
            f.write('harness selftest: unexported work\n')
        self.git('commit', '-q', '-a', '-m', 'selftest: unexported work')
        work = self.git('rev-parse', 'HEAD')
        rc, out = self.script('tree.sh', env=env)
        gone = self.git('rev-parse', 'HEAD') != work
        ok = rc != 0 and not gone and re.search('not exported to patches/.*|make export', out)
        self.result('unexported_work_is_kept',
                    '' if ok else ('the unexported commit is gone\n' if gone else '') + f'exit {rc}:\n{out}')
        self.git('reset', '-q', '--hard', self.head)

    def judge(self):
        ok_ktap = 'echo "TAP version 13"; echo "1..1"; echo "ok 1 fine"'
        done = 'echo "guest-init: done: 1 programs, 0 failed"'
        self.ok_ktap, self.done = ok_ktap, done
        rc, out = self.boot('selftest-clean', 10, self.fake_qemu('clean', f'{ok_ktap}; {done}'))
        self.result('judge_passes_clean_guest', f'exit {rc}:\n{out}' if rc else '')
        warn = "echo '[    1.0] WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:1 f+0x0/0x4'"
        cases = [('judge_fails_on_kernel_warning', 'report: WARNING:.*', 'warn', 10, f'{ok_ktap}; {warn}; {done}'),
                 ('judge_fails_on_early_stop', 'stopped before guest-init finished', 'died', 10,
                  f"{ok_ktap}; echo 'Kernel offset: disabled'"),
                 ('judge_kills_hung_guest', 'watchdog: the guest did not finish in 2 s', 'hang', 2,
                  f'{ok_ktap}; exec sleep 60'),
                 ('judge_shows_stall_report_of_killed_guest', '^---- stall report .*from line 4', 'stall', 2,
                  f"{ok_ktap}; echo '# # stalled: the storm still runs 60 s after its plan; the tasks that wait:'; exec sleep 60")]
        for name, pattern, qemu, timeout, body in cases:
            self.expect_failure(name, pattern, [os.path.join(self.harness, 'boot.sh'), f'selftest-{qemu}',
                                                str(timeout), self.fake_qemu(qemu, body)],
                                env={'IOMMU_TEST_RESULTS': self.path('results')})

        # a QEMU that crashes: its crashing frame is read from its core dump,
        # where the kernel's core_pattern and the hard core-size limit let one
        # land, and the core is deleted; a hard limit of 0 stops no boot
        pattern = open('/proc/sys/kernel/core_pattern').read().strip()
        hard = self.run(['bash', '-c', 'ulimit -Hc'])[1].strip()
        cores = hard != '0' and '/' not in pattern and not pattern.startswith('|')
        crash_says = (r'QEMU crashed \(.*status 139, SIGSEGV\) in [A-Za-z_.]+\(\): a bug of QEMU.*#0 ' if cores
                      else r'QEMU crashed \(.*status 139, SIGSEGV\): .*no core dump of QEMU')
        rc, out = self.run(['bash', '-c', 'ulimit -Hc 0 && "$@"', '_', os.path.join(self.harness, 'boot.sh'),
                            'selftest-nocore', '10', self.path('clean')],
                           env={'IOMMU_TEST_RESULTS': self.path('results')})
        self.result('judge_boots_with_hard_core_limit_0', f'exit {rc}:\n{out}' if rc else '')
        rc, out = self.boot('selftest-segv', 10, self.fake_qemu('segv', f'{ok_ktap}; kill -SEGV $$'))
        problems = []
        if not re.search(crash_says, out.replace('\n', ' ')):
            problems.append(f"a crashed QEMU was not reported as '{crash_says}':\n{out}")
        if os.path.exists(self.path('results', 'selftest-segv.qemu-core')):
            problems.append("the crashed QEMU's core was left behind")
        self.result('judge_reads_crashed_qemu_core', problems)

        # a QEMU that gives up on an assertion: the frame named is the code
        # that asserted, not abort()'s, and QEMU's own message is in the verdict
        self.write('abrt.c', '#include <assert.h>\n#include <stdio.h>\n'
                   'void virtio_fake_check(int ok) { assert(ok); }\n'
                   'int main(int argc, char **argv)\n{\n\tputs("TAP version 13");\n\tfflush(stdout);\n'
                   '\tvirtio_fake_check(argc > 99);\n\treturn 0;\n}\n')
        os.makedirs(self.path('abrt-bin'))
        binary = self.path('abrt-bin', 'qemu-system-aarch64')
        self.run(['cc', '-O0', '-g', '-o', binary, self.path('abrt.c')])
        abrt_says = (r"QEMU crashed \(.*status 134, SIGABRT\) in virtio_fake_check\(\) saying "
                     r"'qemu-system-aarch64: .*abrt.c:3: virtio_fake_check: Assertion .ok. failed.'" if cores
                     else r"QEMU crashed \(.*status 134, SIGABRT\) saying '.*Assertion .ok. failed.'")
        rc, out = self.boot('selftest-abrt', 10, self.fake_qemu('abrt', f"exec '{binary}'"))
        said = [line for line in out.split('\n') if 'QEMU crashed' in line][:1]
        self.result('judge_names_asserting_frame_of_aborted_qemu',
                    '' if re.search(abrt_says, out.replace('\n', ' '))
                    else f'an aborted QEMU was not reported as "{abrt_says}": {said}')
        self.expect_failure('judge_fails_on_not_ok', '0 passed, 1 failed',
                            [os.path.join(self.harness, 'boot.sh'), 'selftest-notok', '10',
                             self.fake_qemu('notok', f'echo "TAP version 13"; echo "1..1"; '
                                            f'echo "not ok 1 broken"; {done}')],
                            env={'IOMMU_TEST_RESULTS': self.path('results')})

        # what the mutation runner reads: one kind per problem, none for a
        # guest whose own test failed
        problems = []
        for name, want in (('clean', ''), ('warn', 'report'), ('died', 'died'), ('hang', 'watchdog'),
                           ('notok', '')):
            try:
                kinds = ' '.join(line.split(' ')[0] for line in
                                 open(self.path('results', f'selftest-{name}.problems')).read().split('\n') if line)
            except OSError:
                kinds = None
                problems.append(f'a {name} boot wrote no problems file')
            if kinds is not None and kinds != want:
                problems.append(f"selftest-{name}.problems says '{kinds}', not '{want}'")
        self.result('judge_writes_each_problem_kind', problems)

    def guest(self, name, pattern, env, *args):
        self.expect_failure(name, pattern, [os.path.join(self.harness, 'guest.sh'), *args],
                            env={'IOMMU_TEST_RESULTS': self.path('results'), **env})

    def smoke_guests(self):
        names = ['smoke_fails_without_iommu_driver', 'smoke_fails_when_dma_bypasses_iommu']
        if not os.path.exists(os.path.join(self.build, 'arm64', 'initramfs.cpio')):
            for n in names:
                self.out.skip(n, "no arm64 guest kernel (run 'make smoke' first)")
            return
        smmu = ['arm64', 'virt,iommu=smmuv3,gic-version=3']
        self.guest(names[0], 'not ok 3 endpoints_in_iommu_groups', {'IOMMU_TEST_GUEST_TIMEOUT': '60'},
                   'selftest-no-driver', *smmu, 'no_such_iommu_driver')
        self.guest(names[1], 'not ok 4 endpoints_dma_through_iommu.*|VIRTIO_F_ACCESS_PLATFORM not negotiated',
                   {'IOMMU_TEST_GUEST_TIMEOUT': '60', 'IOMMU_TEST_GUEST_DMA_BYPASS': '1'},
                   'selftest-dma-bypass', *smmu, 'arm_smmu_v3')

    def storm_guests(self):
        names = ['storm_fails_on_corrupt_disk', 'storm_skips_where_the_machine_is_not_set_up',
                 'storm_runs_the_scenario_test_args_name', 'storm_fails_on_kernel_warning',
                 'storm_fails_when_idle', 'storm_stall_is_reported', 'storm_guest_hang_is_killed',
                 'storm_load_race_trial_without_unload_fails']
        if not os.path.exists(os.path.join(self.build, 'arm64', 'storm.cpio')):
            for n in names:
                self.out.skip(n, "no arm64 kselftest image (run 'make selftests' first)")
            return
        args = ('selftest-storm', 'arm64', 'virt,iommu=smmuv3,gic-version=3', 'arm_smmu_v3')

        def env(timeout, append, **more):
            return {'IOMMU_TEST_IMAGE': 'storm', 'IOMMU_TEST_GUEST_TIMEOUT': str(timeout),
                    'IOMMU_TEST_GUEST_APPEND': append, **more}
        one = f"{storms.only_args('endpoint_bind_unbind')} STORM_SECONDS=1"
        self.guest(names[0], 'line 1000 of the pattern reads back wrong',
                   env(120, one, IOMMU_TEST_GUEST_CORRUPT_DISK='1'), *args)
        # the same disk, on a machine that does not say it is set up: SKIP
        rc, out = self.run([os.path.join(self.harness, 'guest.sh'), *args],
                           env={'IOMMU_TEST_RESULTS': self.path('results'),
                                **env(120, f'{one} EXPECT_ENDPOINTS=', IOMMU_TEST_GUEST_CORRUPT_DISK='1')})
        ok = (re.search(r'# SKIP no /dev/vd\* reads back the pattern', out)
              and not re.search('^not ok|reads back wrong', out, re.M))
        self.result(names[1], '' if ok else out)
        # TEST_ARGS reached the program: the one scenario asked for ran alone
        ran = re.findall(r'^(?:not )?ok [0-9]+ ', out, re.M)
        ok = len(ran) == 1 and re.search(r'^ok 1 storm\.endpoint_bind_unbind\.endpoints_work_after ', out, re.M)
        self.result(names[2], '' if ok else out)
        self.guest(names[3], 'kernel log report:', env(120, f'{one} STORM_INJECT_WARN=1'), *args)
        self.guest(names[4], 'under 1 a second: an idle storm', env(120, f'{one} STORM_INJECT_IDLE=1'), *args)
        self.guest(names[5], 'stalled: the storm still runs 5 s after its plan',
                   env(120, f'{one} STORM_INJECT_STALL=1 STORM_STALL=5'), *args)
        self.guest(names[6], 'watchdog: the guest did not finish in 4 s', env(4, 'STORM_SECONDS=30'), *args)
        self.guest(names[7], 'trial 2: arm_smmu_v3 is still loaded',
                   env(120, f"{storms.only_args('iommu_driver_load_race')} STORM_TRIALS=2 "
                       'STORM_TRIAL_MS=200 STORM_INJECT_NO_UNLOAD=1'), *args)

    def kunit_log(self, *lines):
        return self.write('kunit.log', '\n'.join([
            'KTAP version 1', '1..2', '    # Subtest: iommu_lockdep', '    1..1',
            '[    1.2] WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:1 dev_iommu_get+0x0/0x4',
            '    ok 1 lockdep_fwspec_init_needs_lock', 'ok 1 iommu_lockdep',
            '    # Subtest: iommu_fwspec', '    1..1', *lines, '    ok 1 fwspec_alloc', 'ok 2 iommu_fwspec']) + '\n')

    def kunit_judged(self, log):
        """The KUnit log judge (kunit_run.py's) finds a report in LOG."""
        with open(log) as f:
            return bool(reports.first_report(f, [p for p, _ in self.report_list]))

    def kernel_reports(self):
        judge = self.path('kmsg_judge')
        rc, out = self.run(['gcc', '-Wall', '-Werror', '-O2', f'-I{self.top}/tools/testing/selftests',
                            '-o', judge, os.path.join(self.harness, 'kmsg_judge.c')])
        self.result('guest_matcher_builds_for_host', out if rc else '')
        clean = self.kunit_judged(self.kunit_log())
        verdict = self.run([judge])[1].strip()
        self.result('judges_pass_clean_logs_and_lockdep_suite_warns',
                    '' if not clean and verdict == 'clean' else
                    f'KUnit judge found a report: {clean}; the guest matcher says {verdict}')
        for n, (pattern, example) in enumerate(self.report_list, 1):
            missed = []
            if not re.search(pattern, example):
                missed.append('the example does not match its own pattern')
            qemu = self.fake_qemu('report', f"{self.ok_ktap}; printf '[    2.5] %s\\n' '{example}'; {self.done}")
            if self.boot(f'selftest-report-{n}', 10, qemu)[0] == 0:
                missed.append('boot.sh passed a guest that logged it')
            if not self.kunit_judged(self.kunit_log(f'[    2.5] {example}')):
                missed.append('the KUnit log judge passed a run that logged it')
            if self.run([judge, example])[1].split('\n')[0] != 'report':
                missed.append('kmsg_has_report() in the guest passed a kernel log with it')
            self.result(f'kernel_report_fails_every_judge {n}: {pattern}',
                        missed + [f'example: {example}'] if missed else '')

    def stale_tests(self):
        # the series must carry the repo's test files: a patches/ whose
        # kselftest settings differ from the repo's fails standalone-check
        stale = self.path('stale')
        os.makedirs(stale)
        for f in os.listdir(self.patches):
            if f.endswith('.patch') or f == 'series':
                text = open(os.path.join(self.patches, f)).read()
                if f.endswith('-selftests-iommu-Add-iommu_probe_storm.patch'):
                    text = re.sub(r'^\+timeout=600$', '+timeout=1', text, flags=re.M)
                open(os.path.join(stale, f), 'w').write(text)
        self.expect_failure('standalone_fails_on_stale_tests',
                            '(patches|stale)/? has another version of: tools/testing/selftests/iommu/settings',
                            [os.path.join(self.harness, 'standalone.sh')],
                            env={'IOMMU_TEST_PATCHES': stale, 'IOMMU_TEST_RESULTS': self.path('results')})

    def safety(self):
        problems = []
        outside = self.path('outside')
        os.makedirs(outside)
        open(os.path.join(outside, 'file'), 'w').close()
        top_outside = os.path.join(self.top, '.selftest-outside')
        os.makedirs(top_outside, exist_ok=True)
        link = os.path.join(self.build, '.selftest-link')
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(outside, link)
        out = self.lib('echo "BUILD=$BUILD"', env={'BUILD': '/', 'IOMMU_TEST_BUILD': '/'})[1]
        if f'BUILD={self.build}' not in out.split('\n'):
            problems.append('BUILD=/ in the environment moved build/')
        for p in (outside, os.path.join(self.build, '..', '.selftest-outside'), os.path.join(link, 'file')):
            rc, out = self.lib('rm_build "$1"', p)
            if rc == 0 or f'refusing to delete {p}' not in out:
                problems.append(f'rm_build {p} was not refused')
        if not os.path.isfile(os.path.join(outside, 'file')) or not os.path.isdir(top_outside):
            problems.append('a refused path was deleted')
        shutil.rmtree(top_outside, ignore_errors=True)
        os.unlink(link)
        self.result('deletes_only_inside_build', problems)

        problems = []
        env = {k: v for k, v in os.environ.items() if k != 'MAKELEVEL'}
        env['ARCH'] = 'sparc'
        p = subprocess.run(['bash', '-c', '. "$0"; echo "ARCH=${ARCH-unset}"', os.path.join(self.harness, 'lib.sh')],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if not re.search('ARCH=sparc in the environment is ignored.*ARCH=unset', p.stdout, re.S):
            problems.append('a plain ARCH in the environment was not ignored with a warning')
        if self.lib('echo "$ARCH"', env={'IOMMU_TEST_ARCH': 'um'})[1].strip() != 'um':
            problems.append('IOMMU_TEST_ARCH did not set ARCH')
        self.result('only_prefixed_variables_steer', problems)
        # this run holds the checkout's lock; a second one must be refused
        env = {k: v for k, v in os.environ.items() if k != 'IOMMU_TEST_LOCKED'}
        p = subprocess.run(['bash', '-c', '. "$0"; echo "took the lock"', os.path.join(self.harness, 'lib.sh')],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ok = p.returncode != 0 and re.search(r'another harness run holds this checkout \(pid [0-9]+', p.stdout)
        self.result('second_run_is_refused', '' if ok else p.stdout)
        self.sigint()

    def wait_for(self, path, tries):
        for _ in range(tries):
            if os.path.exists(path) and os.path.getsize(path):
                return
            time.sleep(0.1)

    def alive(self, pid):
        """PID runs and is not a zombie (whose reaper collects it)."""
        try:
            return open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0] != 'Z'
        except (OSError, IndexError):
            return False

    def sigint(self):
        # ^C as a terminal sends it: to the process group of the run, not to
        # QEMU's. A run started in the background (nohup, CI) inherits SIGINT
        # ignored: boot.sh starts with it back to its default, as under a
        # terminal.
        pidfile = self.path('qemu.pid')
        qemu = self.fake_qemu('sleeper', f"echo $$ >'{pidfile}'; exec sleep 60")
        b = subprocess.Popen([os.path.join(self.harness, 'boot.sh'), 'selftest-sigint', '60', qemu],
                             env=dict(os.environ, IOMMU_TEST_RESULTS=self.path('results')),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, process_group=0,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.wait_for(pidfile, 50)
        t0 = time.time()
        os.killpg(b.pid, signal.SIGINT)
        try:
            b.wait(10)
        except subprocess.TimeoutExpired:
            pass
        problems = []
        qpid = open(pidfile).read().strip() if os.path.exists(pidfile) else ''
        if not qpid:
            problems.append('the fake QEMU never started')
        if b.poll() is None:
            problems.append('boot.sh still runs 10 s after ^C')
            b.kill()
        if qpid and self.alive(qpid):
            problems.append(f'QEMU (pid {qpid}) still runs {time.time() - t0:.0f} s after ^C')
            os.kill(int(qpid), signal.SIGKILL)
        self.result('sigint_stops_qemu', problems)

    def tracked_dirt(self):
        return tree.Tree(types.SimpleNamespace(tree=self.tree, patches=self.patches, linux='', package='',
                                               suite='')).tracked_dirt()

    def interrupted(self):
        # killed with a mutation applied: the next 'make tree' takes it out
        m = sorted(f for f in os.listdir(os.path.join(self.top, 'mutations')) if f.endswith('.patch'))[0]
        subprocess.run([sys.executable, '-c', 'import os, sys\nfrom iommutest import mutations\n'
                        'with mutations.applied(*sys.argv[1:]):\n    os.kill(os.getpid(), 9)',
                        self.tree, self.undo, os.path.join(self.top, 'mutations', m)], cwd=self.harness)
        problems = []
        if not self.tracked_dirt():
            problems.append('the killed run left no mutation to repair (test broken)')
        out = self.script('tree.sh')[1]
        if f'left {m} applied' not in out:
            problems.append(f'tree.sh did not say it took {m} out:\n{out}')
        if self.tracked_dirt():
            problems.append(f"build/linux is still changed: {self.git('status', '--short')}")
        self.result('interrupted_mutation_is_taken_out', problems)
        self.git('checkout', '-q', '--', '.')

        # killed during the series' git am: the next 'make tree' undoes it
        with open(self.undo, 'w') as f:
            f.write(f'reset {self.head}\n')
        self.git('reset', '-q', '--hard', 'HEAD~2')
        self.git('am', '-q', self.path('patches', '0001-broken.patch'))
        rebase = os.path.join(self.tree, '.git', 'rebase-apply')
        problems = []
        if not os.path.isdir(rebase):
            problems.append('no git am was left part-way (test broken)')
        out = self.script('tree.sh')[1]
        if 'part-way through git am' not in out:
            problems.append(f'tree.sh did not say it undid the interrupted git am:\n{out}')
        if self.git('rev-parse', 'HEAD') != self.head:
            problems.append('build/linux is not back at the series')
        if os.path.isdir(rebase):
            problems.append('git am is still in progress')
        self.result('interrupted_git_am_is_undone', problems)
        self.git('am', '--abort')
        self.git('reset', '-q', '--hard', self.head)
        if os.path.exists(self.undo):
            os.unlink(self.undo)

    def stale_worktree(self):
        # a worktree whose git directory is gone (build/linux made again) is
        # made again, at base
        wt = os.path.join(self.build, 'selftest-worktree')
        shutil.rmtree(wt, ignore_errors=True)
        os.makedirs(wt)
        open(os.path.join(wt, '.git'), 'w').write(f'gitdir: {self.tree}/.git/worktrees/gone-with-an-old-build-linux\n')
        problems = []
        if self.lib('base_worktree "$1"', wt)[0]:
            problems.append('base_worktree failed on a stale worktree')
        if self.git('rev-parse', 'HEAD', tree=wt) != self.git('rev-parse', 'base^{commit}'):
            problems.append('the stale worktree was not made again at base')
        shutil.rmtree(wt, ignore_errors=True)
        self.git('worktree', 'prune')
        self.result('stale_worktree_is_made_again', problems)

    def fixes(self):
        # BASE=fixes takes the series up to its last patch for stable, and
        # refuses to leave out one after it
        fp = self.path('fixes-patches')
        os.makedirs(fp)
        for n in (1, 2, 3):
            cc = 'Cc: stable@vger.kernel.org\n' if n == 2 else ''
            open(os.path.join(fp, f'000{n}-p.patch'), 'w').write(f'Subject: [PATCH 0{n}/03] patch {n}\n\n{cc}')
        open(os.path.join(fp, 'series'), 'w').write('0001-p.patch\n0002-p.patch\n0003-p.patch\n')
        self.expect_failure('fixes_are_the_series_up_to_the_last_stable_patch', 'The fixes are patches 01 to 02,',
                            [os.path.join(self.harness, 'pristine.sh'), 'fixes-without-03'],
                            env={'IOMMU_TEST_PATCHES': fp})

    def mutations(self):
        # every guest mutation still applies to the series ('make
        # mutate-guests' is not in 'make check': a stale one would go unseen)
        gdir = os.path.join(self.top, 'mutations', 'guest')
        problems = [f'mutations/guest/{m} does not apply to build/linux: refresh it against the series'
                    for m in sorted(os.listdir(gdir)) if m.endswith('.patch')
                    and self.run(['git', '-C', self.tree, 'apply', '--check', os.path.join(gdir, m)])[0]]
        self.result('guest_mutations_apply', problems)
        # every case a KUnit mutation names is found in its suite, by the
        # suite's own name (the mutation runner runs that suite alone)
        problems = []
        for m in mutations.in_dir(self.top, 'mutations'):
            problems += [f'mutations/{m.name}.patch: no suite in build/linux holds the case {c}'
                         for c in m.killed_by if not mutations.case_suite(self.tree, c)]
        if mutations.suites_glob(self.tree, ['of_no_iommus_property_is_no_iommu',
                                             'of_configure_twice_is_noop']) != 'iommu_of':
            problems.append('two cases of iommu_of do not run that suite alone')
        if mutations.suites_glob(self.tree, ['of_configure_twice_is_noop', 'race_configure_vs_iommu_registration']):
            problems.append('cases of two suites do not run every suite')
        self.result('mutation_cases_found_in_their_suites', problems)

    def unit_tests(self):
        p = subprocess.run([sys.executable, '-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'],
                           cwd=self.harness, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.result('harness_python_unit_tests', '\n'.join(p.stdout.split('\n')[-30:]) if p.returncode else '')

    def compressed_modules(self):
        judge = self.path('modname_judge')
        rc, out = self.run(['gcc', '-Wall', '-Werror', '-Wno-unused-function', '-O2',
                            f'-I{self.top}/tools/testing/selftests', '-o', judge,
                            os.path.join(self.harness, 'modname_judge.c')])
        want = ('kernel/drivers/iommu/virtio-iommu.ko virtio_iommu 0\n'
                'kernel/drivers/iommu/arm/arm-smmu-v3/arm_smmu_v3.ko.xz arm_smmu_v3 4\n'
                'virtio-iommu.ko.zst virtio_iommu 4\nvirtio-iommu.ko.gz virtio_iommu 4\na.kobj.ko.xz a.kobj 4\n')
        if rc == 0:
            got = self.run([judge, *[line.split()[0] for line in want.split('\n') if line]])[1]
            out = '' if got == want else f'wanted:\n{want}got:\n{got}'
        self.result('compressed_module_names', out)

    def foreign_tree(self):
        # a tree without the series: the bare files the harness reads, as
        # 6.12 has them (the driver core's KUnit tests and platform devices,
        # no iommu_fwspec_alloc())
        ft = self.path('foreign-tree')
        files = {'Makefile': 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n', 'Kbuild': '',
                 'include/linux/iommu.h':
                 'int iommu_fwspec_init(struct device *dev, struct fwnode_handle *iommu_fwnode);\n',
                 'include/kunit/platform_device.h':
                 'struct platform_device *kunit_platform_device_alloc(struct kunit *test, const char *name, int id);\n',
                 'drivers/iommu/Kconfig': 'if IOMMU_SUPPORT\nconfig X\n\tbool\nendif # IOMMU_SUPPORT\n',
                 'drivers/iommu/Makefile': 'obj-y += iommu.o\n',
                 'drivers/base/test/Kconfig': 'config DM_KUNIT_TEST\n\ttristate\n',
                 'drivers/base/test/Makefile': 'obj-$(CONFIG_DM_KUNIT_TEST) += root-device-test.o\n'}
        os.makedirs(os.path.join(ft, 'scripts'))
        for f, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(ft, f)), exist_ok=True)
            open(os.path.join(ft, f), 'w').write(text)

        def state():
            out = []
            for d, _, fs in os.walk(ft):
                for f in [d, *(os.path.join(d, f) for f in fs)]:
                    s = os.lstat(f)
                    out.append((f, s.st_mode, s.st_size, s.st_ino, s.st_mtime_ns,
                                open(f, 'rb').read() if os.path.isfile(f) else None))
            return sorted(out)
        before = state()
        fout = os.path.join(self.build, 'ext-' + hashlib.md5(os.path.realpath(ft).encode()).hexdigest()[:8])
        problems = []
        if self.script('tree.sh', env={'IOMMU_TEST_KERNEL_SRC': ft})[0]:
            problems.append('make tree KERNEL_SRC=<a tree without the series> failed')
        if state() != before:
            problems.append('the tree changed')
        try:
            plan = open(os.path.join(fout, 'kunit-plan')).read().split('\n')
        except OSError:
            plan = []
        if 'run drivers/base/test/device_link_unbind_kunit.c' not in plan:
            problems.append('device_link_unbind is not planned to run')
        if ("skip drivers/iommu/tests/iommu_fwspec_kunit.c|the series' hook-up of the IOMMU suite "
                '(drivers/iommu/Kconfig sourcing drivers/iommu/tests/Kconfig), which both series add') not in plan:
            problems.append('iommu_fwspec is not skipped for the series\' hook-up')
        mk = os.path.join(fout, 'src/drivers/base/test/Makefile')
        if 'obj-$(CONFIG_DM_KUNIT_TEST) += device_link_unbind_kunit.o' not in \
                (open(mk).read().split('\n') if os.path.exists(mk) else []):
            problems.append("the copy's drivers/base/test/Makefile does not build device_link_unbind_kunit.o")
        kc = os.path.join(fout, 'src/drivers/iommu/Kconfig')
        if not os.path.exists(kc) or open(kc).read() != files['drivers/iommu/Kconfig']:
            problems.append('the copy hooks up the iommu tests, which cannot build there')
        fr = self.path('foreign-results')
        os.makedirs(fr)
        rc, n = self.run([sys.executable, os.path.join(self.harness, 'kunit_skips.py'), os.path.join(fout, 'kunit-plan'),
                          os.path.join(fout, 'src'), '-', os.path.join(fr, 'kunit-um.ktap')])
        n = n.strip()
        if rc == 0:
            open(os.path.join(fr, 'kunit-um.result'), 'w').write(f'kunit-um 0 0 {n} 0\n')
            p = subprocess.run([sys.executable, '-m', 'iommutest', 'report', fr], cwd=self.harness,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if p.stderr:
                problems.append(f'the SKIP KTAP does not read back:\n{p.stderr}')
            try:
                counts = json.load(open(os.path.join(fr, 'results.json')))['counts']
            except (OSError, ValueError, KeyError):
                counts = None
            if counts != {'passed': 0, 'failed': 0, 'skipped': int(n or 0)}:
                problems.append(f'results.json does not count the {n} skipped cases: {counts}')
        else:
            problems.append(f'kunit_skips.py failed:\n{n}')
        self.lib('rm_build "$1"', fout)
        self.result('foreign_tree_untouched_and_skips_named', problems)

    def scenarios(self):
        # the harness's names of the storm scenarios are the kselftest's own
        # cases, in its order: the program, built for this host and run on
        # a machine it may not touch, SKIPs each case under its KTAP name
        problems = []
        host = self.path('storm-host')
        rc, out = self.run(['cc', '-O0', '-pthread', f'-I{self.tree}/tools/testing/selftests/iommu', '-o', host,
                            os.path.join(self.top, 'tools/testing/selftests/iommu/iommu_probe_storm.c')])
        if rc:
            problems.append(f'the kselftest does not build for the host:\n{out}')
        want = [storms.case(s) for s in storms.SCENARIOS]
        env = {k: v for k, v in os.environ.items() if k != 'STORM_DISPOSABLE'}
        got = re.findall(r'^ok [0-9]+ ([^ ]+) # SKIP ', subprocess.run(
            [host], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
            if rc == 0 else '', re.M)
        if got != want:
            problems.append(f"the kselftest's cases are {got}, the harness's {want}")
        self.result('storm_scenarios_are_the_kselftest_cases', problems)

    def guest_option(self):
        era = self.write('era.config', 'CONFIG_IOMMU_TEST_NOT_IN_ANY_TREE=y\n')
        self.expect_failure('guest_option_missing_from_tree_is_named',
                            r'Linux [0-9.]+ .* has no CONFIG_IOMMU_TEST_NOT_IN_ANY_TREE : the guests need it',
                            [os.path.join(self.harness, 'build-kernel.sh'), 'selftest-era', 'x86_64',
                             os.path.join(self.top, 'configs/x86_64-guest.config'), era])
        self.lib('rm_build "$1"', os.path.join(self.build, 'selftest-era'))

    def checkpatch(self):
        # checkpatch's SPDX check runs and is heeded: a patch with a license
        # LICENSES/ does not have fails, and so does a python3 that cannot
        # run spdxcheck.py (checkpatch itself then passes the patch)
        last = self.series_patches()[-1]
        text = open(last).read()
        bad = re.sub(r'^\+// SPDX-License-Identifier: GPL-2.0$', '+// SPDX-License-Identifier: GPL-2.0-no-such',
                     text, flags=re.M)
        if bad == text:
            print(f"selftest: {last} adds no '// SPDX-License-Identifier: GPL-2.0' line to break", file=sys.stderr)
        for d, name, body in (('cp-bad', 'bad.patch', bad), ('cp-good', 'good.patch', text)):
            os.makedirs(self.path(d))
            self.write(f'{d}/{name}', body)
            self.write(f'{d}/series', f'{name}\n')
        os.makedirs(self.path('nopy'))
        self.write('nopy/python3', '#!/bin/sh\n[ "$1" = -c ] && exit 0\n'
                   'echo "Traceback (most recent call last):" >&2\nexit 1\n', 0o755)
        cp = [os.path.join(self.harness, 'checkpatch.sh')]
        self.expect_failure('checkpatch_unknown_spdx_license_fails', 'not ok 1 bad.patch', cp,
                            env={'IOMMU_TEST_PATCHES': self.path('cp-bad'), 'IOMMU_TEST_RESULTS': self.path('results')})
        self.expect_failure('checkpatch_spdxcheck_that_cannot_run_fails', 'not ok 1 good.patch', cp,
                            env={'PATH': f"{self.path('nopy')}:{os.environ['PATH']}",
                                 'IOMMU_TEST_PATCHES': self.path('cp-good'), 'IOMMU_TEST_RESULTS': self.path('results')})

    def failures_count(self):
        # a guest kernel that does not build is a FAIL row for each target it
        # was asked for, and a step that exits non-zero with passing results
        # fails the run
        os.makedirs(self.path('brokenmake'))
        self.write('brokenmake/make', '#!/bin/sh\nfor a; do [ "$a" != ARCH=x86_64 ] || '
                   '{ echo "selftest: #error in the x86_64 build"; exit 2; }; done\nexec /usr/bin/make "$@"\n', 0o755)
        r22 = self.path('r22')
        rc, out = self.script('run.sh', 'smoke', env={'PATH': f"{self.path('brokenmake')}:{os.environ['PATH']}",
                                                      'IOMMU_TEST_RESULTS': r22, 'IOMMU_TEST_SMOKE_TARGETS': 'x86_64'})
        problems = []
        if rc == 0:
            problems.append('run.sh smoke exited 0 with the x86_64 kernel broken')
        for t in [t for t, target in targets.TARGETS.items() if target.kind == 'x86_64']:
            if not re.search(f'^{t} +0 +1 +0 .* FAIL$', out, re.M):
                problems.append(f'the table has no FAIL row for {t}')
        if not re.search('^0 passed, 3 failed, 0 skipped$', out, re.M):
            problems.append("the summary is not '0 passed, 3 failed, 0 skipped'")
        if not re.search('^ +the x86_64 guest kernel or its initramfs did not build', out, re.M):
            problems.append("the report's tail does not say the kernel did not build")
        if problems:
            problems += out.split('\n')[-30:]
        self.result('failed_guest_build_fails_each_target', problems)
        exits = self.write('exits.sh', '#!/bin/sh\necho "exits 1 0 0 0" >"$IOMMU_TEST_RESULTS/exits.result"\n'
                           'exit 3\n', 0o755)
        self.expect_failure('step_exit_status_counts', 'exits-exit +0 +1 +0 .*FAIL',
                            [os.path.join(self.harness, 'run.sh'), exits], env={'IOMMU_TEST_RESULTS': r22})

    def judge_beyond_ktap(self):
        up = {'IOMMU_TEST_SANITIZER_UP': 'KernelAddressSanitizer initialized'}
        nokasan = self.fake_qemu('nokasan', f"{self.ok_ktap}; echo 'guest-init: kernel log end'; {self.done}")
        kasan = self.fake_qemu('kasan', f"{self.ok_ktap}; echo '[    0.0] kasan: KernelAddressSanitizer "
                               f"initialized (generic)'; {self.done}")
        self.expect_failure('judge_fails_when_sanitizer_did_not_start',
                            "the kernel log does not say 'KernelAddressSanitizer initialized'",
                            [os.path.join(self.harness, 'boot.sh'), 'selftest-nokasan', '10', nokasan],
                            env={'IOMMU_TEST_RESULTS': self.path('results'), **up})
        rc, out = self.boot('selftest-kasan', 10, kasan, env=up)
        self.result('judge_passes_when_sanitizer_started', f'exit {rc}:\n{out}' if rc else '')
        progfail = self.fake_qemu('progfail', f"{self.ok_ktap}; echo 'guest-init: /tests/storm killed by signal 11'; "
                                  "echo 'guest-init: /tests/storm failed'; "
                                  "echo 'guest-init: done: 1 programs, 1 failed'")
        self.expect_failure('judge_reads_init_program_result',
                            'guest-init: 1 program.* failed with no failed test.*killed by signal 11',
                            [os.path.join(self.harness, 'boot.sh'), 'selftest-progfail', '10', progfail],
                            env={'IOMMU_TEST_RESULTS': self.path('results')})

    def orphan(self):
        # QEMU holds no lock of the run and dies with the judge that started
        # it, even when that one is SIGKILLed (no cleanup of its own runs)
        pidfile, fds = self.path('orphan.pid'), self.path('orphan.fds')
        qemu = self.fake_qemu('orphan', f"echo $$ >'{pidfile}'; ls -l /proc/$$/fd/ >'{fds}'; exec sleep 60")
        b = subprocess.Popen([os.path.join(self.harness, 'boot.sh'), 'selftest-orphan', '60', qemu],
                             env=dict(os.environ, IOMMU_TEST_RESULTS=self.path('results')),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_for(fds, 50)
        b.kill()
        b.wait()
        time.sleep(1)
        problems = []
        qpid = open(pidfile).read().strip() if os.path.exists(pidfile) else ''
        if not qpid:
            problems.append('the fake QEMU never started')
        # the run's lock, held by this selftest too, is what QEMU must not get
        lock_fd = os.environ.get('IOMMU_TEST_LOCK_FD')
        if lock_fd and not os.path.exists(f'/proc/{os.getpid()}/fd/{lock_fd}'):
            problems.append(f"this selftest does not hold the run's lock (fd {lock_fd}): "
                            'the case cannot see QEMU inherit it')
        if os.path.exists(fds):
            problems += [f'QEMU holds the lock: {line}' for line in open(fds)
                         if os.path.join(self.build, '.lock') in line]
        if qpid and self.alive(qpid):
            problems.append(f'QEMU (pid {qpid}) outlived its boot.sh, SIGKILLed 1 s ago')
        if qpid:
            try:
                os.kill(int(qpid), signal.SIGKILL)
            except OSError:
                pass
        self.result('qemu_holds_no_lock_and_dies_with_its_judge', problems)

    def qemu_versions(self):
        # the QEMU a guest boots on (harness/qemu-versions): the first line
        # unless QEMU= picks another; a guest with a device its QEMU AVOIDs
        # boots on the next line's, and the summary says so; an unknown QEMU=
        # is refused. The mechanism on a list of its own (two system QEMUs,
        # the first avoiding intel-iommu), then the shipped list's one AVOID
        # (amd-iommu with pass-through on is not on 10.0)
        qv = self.write('qemu-versions', '# a list of two\na|system|-|-|intel-iommu\nb|system|-|-|-\n')
        os.makedirs(self.path('gc'))
        shipped, saved = guest.QEMUS, os.environ.pop('IOMMU_TEST_QEMU', None)

        def on(qemu, fn, *args):
            os.environ['IOMMU_TEST_QEMU'] = qemu
            try:
                return fn(*args)
            except SystemExit as e:
                return e
            finally:
                del os.environ['IOMMU_TEST_QEMU']

        def boots_on(target):
            t = targets.TARGETS[target]
            return guest.cmdline('/k', '/i', self.path('gc'), t.kind, t.machine, t.module, t.qemu_args.split())[1]
        problems = []
        guest.QEMUS = qv
        try:
            if guest.selected() != 'a':
                problems.append("the default QEMU is not the list's first (a)")
            if on('b', guest.selected) != 'b':
                problems.append('QEMU=b does not select b')
            if not isinstance(on('c', guest.selected), SystemExit):
                problems.append('QEMU=c, not in the list, was taken')
            if boots_on('x86_64-intel-iommu') != 'b':
                problems.append(f"the intel-iommu guest boots on QEMU {boots_on('x86_64-intel-iommu')}, not on b: "
                                "a's AVOID is ignored")
            summary = guest.summary()
            if '; x86_64-intel-iommu on QEMU b: ' not in summary:
                problems.append(f'the summary does not say that x86_64-intel-iommu boots on QEMU b: {summary}')
            if 'virtio' in summary:
                problems.append(f'the summary says a virtio-iommu target boots on another QEMU: {summary}')
            if boots_on('x86_64-virtio-iommu-viot') != 'a':
                problems.append(f"the virtio-iommu guest boots on QEMU {boots_on('x86_64-virtio-iommu-viot')}, "
                                'not on a')
        finally:
            guest.QEMUS = shipped
            if saved is not None:
                os.environ['IOMMU_TEST_QEMU'] = saved
        for d in ('amd-iommu', 'amd-iommu,pt=on'):
            if on('10.0', guest.qemu_for, ['-device', d]) != '7.2':
                problems.append(f'a guest with -device {d} boots on QEMU 10.0, whose AMD-Vi does not translate '
                                'with pass-through on (fwspec-tests.rst, QEMU versions)')
        if on('10.0', guest.qemu_for, targets.TARGETS['x86_64-amd-iommu'].qemu_args.split()) != '10.0':
            problems.append('the amd-iommu target does not boot on the default QEMU 10.0')
        self.result('qemu_versions_and_avoided_devices', problems)

    def bases(self):
        def base_of(linux=None):
            env = {k: v for k, v in os.environ.items() if k not in ('IOMMU_TEST_TREE_NAME', 'IOMMU_TEST_PATCHES')}
            if linux:
                env['IOMMU_TEST_LINUX'] = linux
            p = subprocess.run(['bash', '-c', '. "$0/harness/lib.sh" && echo "$LINUX ${TREE#"$0"/} '
                                '${BASE_OUT#"$0"/} ${PATCHES#"$0"/} $BASE_MESSAGES $(base_tarball)"', self.top],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            return p.returncode, p.stdout.strip()
        problems = []
        got = base_of()[1]
        if got != '6.12 build/linux build patches standalone /usr/src/linux-source-6.12.tar.xz':
            problems.append(f'the default base is not 6.12 in build/linux with patches/ '
                            f'(messages standing alone): {got}')
        got = base_of('7.3')[1]
        if got != (f'7.3 build/linux-7.3 build/7.3 patches/mainline standalone '
                   f'{self.build}/src/7.3/usr/src/linux-source-7.3.tar.xz'):
            problems.append('LINUX=7.3 is not build/linux-7.3, build/7.3, patches/mainline (standalone messages) '
                            f'and the fetched tarball: {got}')
        rc, got = base_of('5.10')
        if rc == 0:
            problems.append('LINUX=5.10, not in harness/bases, was taken')
        if 'LINUX=5.10 is not in harness/bases' not in got:
            problems.append(f'LINUX=5.10 is refused without naming harness/bases: {got}')
        rc, got = self.run(['make', '-C', self.top, '-s', 'tree', 'LINUX=5.10'])
        if rc == 0:
            problems.append('make tree LINUX=5.10 succeeded')
        if 'LINUX=5.10 is not in harness/bases' not in got:
            problems.append(f'make tree LINUX=5.10 does not say why it failed: {got}')
        # run.sh's STEP@NAME: an unknown base refused before any step runs
        r28 = self.path('r28')
        os.makedirs(r28)
        rc, got = self.script('run.sh', 'checkpatch@5.10', env={'IOMMU_TEST_RESULTS': r28})
        if rc == 0:
            problems.append('run.sh ran checkpatch@5.10')
        if 'no base 5.10 in harness/bases' not in got:
            problems.append(f'run.sh checkpatch@5.10 does not say why it failed: {got}')
        if any(f.startswith('checkpatch') for f in os.listdir(r28)):
            problems.append('run.sh ran checkpatch for checkpatch@5.10')
        self.result('linux_bases', problems)

    def messages(self):
        # commit messages that stand alone: each harness term in a message is
        # found (above the '---' only: a diff may say anything); the mainline
        # series has none
        problems = []
        m = self.path('m29.patch')

        def named(*patches):
            return '\n'.join(standalone.messages_naming_harness(self.top, patches))
        for term in ('make selftests', 'BASE=fixes', 'RACE_BOOTS=2', 'LINUX=7.3', 'IOMMU_TEST_LINUX',
                     'the harness', 'defect 5', 'Defect 12', '05/26'):
            open(m, 'w').write(f'Subject: [PATCH] iommu: x\n\nFound with {term}, fixed here.\n---\n x | 1 +\n')
            if not named(m):
                problems.append(f"a message naming '{term}' passed")
        open(m, 'w').write('Subject: [PATCH 05/26] iommu: x\n\nBuilt with make ARCH=arm64 V=1; STORM_TRIALS=40 '
                           'runs it longer.\n---\n+ make selftests BASE=fixes in the diff\n')
        if named(m):
            problems.append("the subject's [PATCH n/m], the kernel's make variables, the kselftest's environment "
                            f'or the diff taken for harness terms: {named(m)}')
        mainline = os.path.join(self.top, 'patches', 'mainline')
        series = [os.path.join(mainline, p) for p in open(os.path.join(mainline, 'series')).read().split()]
        if named(*series):
            problems.append(f"the mainline series' messages name the harness: {named(*series)}")
        self.result('messages_stand_alone', problems)

    def main(self):
        real_before = self.real_tree_state()
        self.prepare_scratch()
        self.report_list = reports.read(os.path.join(self.top, 'tools/testing/selftests/iommu/kernel_reports.h'))
        self.out.plan(55 + len(self.report_list))
        self.kernel_src()
        self.broken_series()
        self.judge()
        self.smoke_guests()
        self.storm_guests()
        self.kernel_reports()
        self.stale_tests()
        self.safety()
        self.interrupted()
        self.stale_worktree()
        self.fixes()
        self.mutations()
        self.unit_tests()
        self.compressed_modules()
        self.foreign_tree()
        self.scenarios()
        self.guest_option()
        self.checkpatch()
        self.failures_count()
        self.judge_beyond_ktap()
        self.orphan()
        self.qemu_versions()
        self.bases()
        self.messages()
        # last: build/linux is as this selftest found it
        after = self.real_tree_state()
        self.result('selftest_leaves_build_linux_alone',
                    '' if after == real_before else f'before:\n{real_before}\nafter:\n{after}')
        shutil.rmtree(self.tmp, ignore_errors=True)
        return self.out.end(self.results)
