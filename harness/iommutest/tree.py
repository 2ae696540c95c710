# SPDX-License-Identifier: GPL-2.0
"""The kernel trees the harness works in, and the way between them and
patches/.

  tree      prepare the base's tree ('make tree'; build/linux for the first
            base): the pristine Debian source committed and tagged 'base',
            its series applied with git am, the test files overlaid.
            Idempotent: the base is unpacked once; an unchanged series is
            not applied again; a changed one is applied from 'base', but
            only when the tree holds no kernel work that is not in patches/;
            a patch that does not apply is named and the tree put back.
  export    write patches/ from the commits base..HEAD ('make export'),
            the repo's test files folded into the commits that carry them.
  overlay   copy the repo's test files into a tree.
  foreign   the hard-linked working copy of a KERNEL_SRC tree outside
            build/, with the test files it can build hooked up.

A run that changes the tree for a while (a mutation, coverage's linker
script fix, the series' git am) first writes how to undo it into
.git/harness-undo ("apply-R PATCH" or "reset REV"); the next 'make tree'
or 'make export' finds a note that a killed run left and undoes it
(repair_interrupted) instead of testing, or exporting, a broken tree.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from . import glue
from .glue import die, info, step, warn

TEST_DIRS = ['drivers/iommu/tests', 'drivers/base/test', 'tools/testing/selftests/iommu']
HOOKUP = ['drivers/iommu/Kconfig', 'drivers/iommu/Makefile', 'drivers/base/test/Makefile']


def rel(path):
    return os.path.relpath(path, glue.TOP)


def git(tree, *args, check=False, quiet=False):
    p = subprocess.run(['git', '-C', tree, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL if quiet else subprocess.PIPE, text=True, errors='replace')
    if check and p.returncode:
        die(f'git {" ".join(args)} in {rel(tree)} failed:\n{p.stderr}')
    return p


def out(tree, *args):
    return git(tree, *args, quiet=True).stdout.strip()


def is_kernel_tree(d):
    mk = os.path.join(d, 'Makefile')
    return (os.path.isfile(mk) and os.path.isfile(os.path.join(d, 'Kbuild')) and os.path.isdir(os.path.join(d, 'scripts'))
            and re.search(r'^VERSION = ', open(mk, errors='replace').read(), re.M) is not None)


def kernel_version(d):
    v = {}
    for line in open(os.path.join(d, 'Makefile'), errors='replace'):
        m = re.match(r'^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION) = *(.*)', line)
        if m:
            v[m.group(1)] = m.group(2).strip()
            if m.group(1) == 'EXTRAVERSION':
                break
    return f"{v.get('VERSION', '')}.{v.get('PATCHLEVEL', '')}.{v.get('SUBLEVEL', '')}{v.get('EXTRAVERSION', '')}"


def base_dir(tree):
    """The repo's directory of files for the tree's base (base-V.P/), if any."""
    try:
        text = open(os.path.join(tree, 'Makefile'), errors='replace').read()
    except OSError:
        return None
    v, p = re.search(r'^VERSION = (.*)$', text, re.M), re.search(r'^PATCHLEVEL = (.*)$', text, re.M)
    d = f'base-{v.group(1).strip()}.{p.group(1).strip()}' if v and p else None
    return d if d and os.path.isdir(os.path.join(glue.TOP, d)) else None


def _files(root, dirs):
    found = set()
    for d in dirs:
        for r, _, fs in os.walk(os.path.join(root, d)):
            found.update(os.path.relpath(os.path.join(r, f), root) for f in fs)
    return found


def overlay_files(tree, dirs):
    """The repo's files under DIRS, and those of the tree's base-V.P/ over them."""
    b = base_dir(tree)
    return sorted(_files(glue.TOP, dirs) | (_files(os.path.join(glue.TOP, b), dirs) if b else set()))


def test_files(tree):
    return overlay_files(tree, TEST_DIRS)


def test_source(tree, f):
    """The repo's copy of the test file F for TREE: base-V.P/'s, else the repo's."""
    b = base_dir(tree)
    if b and os.path.isfile(os.path.join(glue.TOP, b, f)):
        return os.path.join(glue.TOP, b, f)
    return os.path.join(glue.TOP, f)


def is_test_file(f):
    return any(f.startswith(d + '/') for d in TEST_DIRS)


def same(a, b):
    try:
        with open(a, 'rb') as x, open(b, 'rb') as y:
            return x.read() == y.read()
    except OSError:
        return False


def overlay(dst, quiet=False):
    """Copy the repo's test files (drivers/, tools/, Documentation/) into DST,
    and over those the files of its base under base-V.P/. A file is only
    rewritten when its content changed (an unchanged overlay triggers no
    rebuild), by rename (in a hard-linked copy of someone's tree, writing
    into the file would write into theirs). Files an earlier overlay copied
    and the repo since deleted are removed. Never overwrites another file
    the tree's git tracks: kernel changes belong in the series."""
    if not is_kernel_tree(dst):
        die(f'overlay: {dst} is not a kernel tree.')
    files = overlay_files(dst, ['drivers', 'tools', 'Documentation'])
    has_git = os.path.isdir(os.path.join(dst, '.git'))
    state = os.path.join(dst, '.git', 'harness-overlay') if has_git else os.path.join(dst, '.harness-overlay')
    tracked = set(out(dst, 'ls-files', '--', *files).split('\n')) if has_git and files else set()
    changed = removed = 0
    for f in files:
        if not is_test_file(f) and f in tracked:
            die(f"overlay: {f} is tracked by the kernel tree's git; the overlay would overwrite kernel code.",
                "Put that change in a patch of the series instead (commit it in build/linux, then 'make export').")
        src, target = test_source(dst, f), os.path.join(dst, f)
        if not same(src, target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(src, target + '.overlay-new')
            shutil.copymode(src, target + '.overlay-new')
            os.replace(target + '.overlay-new', target)
            changed += 1
    if os.path.isfile(state):
        for f in open(state).read().split('\n'):
            if f and not os.path.isfile(test_source(dst, f)) and os.path.isfile(os.path.join(dst, f)):
                os.unlink(os.path.join(dst, f))
                removed += 1
    with open(state, 'w') as fh:
        fh.write(''.join(f'{f}\n' for f in files))
    # keep the overlay out of the tree's commits: a 'git add -A' there must
    # not sweep test files into a kernel patch
    if has_git:
        exclude = os.path.join(dst, '.git', 'info', 'exclude')
        os.makedirs(os.path.dirname(exclude), exist_ok=True)
        kept = open(exclude).read().split('\n') if os.path.exists(exclude) else []
        if kept and kept[-1] == '':
            kept.pop()
        if '# harness-overlay begin' in kept and '# harness-overlay end' in kept:
            i, j = kept.index('# harness-overlay begin'), kept.index('# harness-overlay end')
            kept = kept[:i] + kept[j + 1:]
        with open(exclude, 'w') as fh:
            fh.write(''.join(f'{line}\n' for line in kept + ['# harness-overlay begin', *(f'/{f}' for f in files),
                                                                '/.harness-overlay', '# harness-overlay end']))
    if not quiet:
        info(f'overlay: {len(files)} test files, {changed} updated, {removed} removed')


class Tree:
    """The base's tree (TREE) and its series (PATCHES), as lib.sh names them."""

    def __init__(self, a):
        self.tree, self.patches, self.linux = a.tree, a.patches, a.linux
        self.package, self.suite = a.package, a.suite
        self.state = os.path.join(self.tree, '.git', 'harness-series')
        self.undo = os.path.join(self.tree, '.git', 'harness-undo')
        self.build = os.path.join(glue.TOP, 'build')
        self.logs = os.path.join(self.build, 'logs')

    def git(self, *args, **kw):
        return git(self.tree, *args, **kw)

    def out(self, *args):
        return out(self.tree, *args)

    def series(self):
        try:
            with open(os.path.join(self.patches, 'series')) as f:
                names = [line.strip() for line in f if line.strip() and not line.strip().startswith('#')]
        except FileNotFoundError:
            return []
        for n in names:
            if not os.path.isfile(os.path.join(self.patches, n)):
                die(f'{self.patches}/series lists {n}, but that file does not exist.',
                    "Fix the series file or run 'make export' from the tree.")
        return [os.path.join(self.patches, n) for n in names]

    # fingerprints: the series as it stands in patches/, and the kernel
    # commits in the tree (format-patch is deterministic for given commits)
    def series_sum(self):
        h = hashlib.sha1()
        for p in self.series():
            h.update(open(p, 'rb').read())
        return h.hexdigest()

    def tree_sum(self):
        p = subprocess.run(['git', '-C', self.tree, 'format-patch', '--stdout', '--zero-commit', '--no-signature',
                            'base..HEAD'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return hashlib.sha1(p.stdout).hexdigest()

    def record_state(self):
        with open(self.state, 'w') as f:
            f.write(f'{self.series_sum()} {self.tree_sum()}\n')

    def installed(self):
        """The Debian version of the base on this machine; '' when none."""
        if self.suite == 'system':
            return subprocess.run(['dpkg-query', '-W', '-f=${Version}', self.package], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True).stdout.strip()
        try:
            return open(os.path.join(self.build, 'src', self.linux, 'VERSION')).read().strip()
        except OSError:
            return ''

    def tarball(self):
        if self.suite == 'system':
            return f'/usr/src/{self.package}.tar.xz'
        return os.path.join(self.build, 'src', self.linux, 'usr', 'src', f'{self.package}.tar.xz')

    def tracked_dirt(self):
        excludes = [f':(exclude){f}' for f in test_files(self.tree)]
        return self.out('status', '--porcelain', '--untracked-files=no', '--', '.', *excludes)

    def undo_note(self, what):
        with open(self.undo, 'w') as f:
            f.write(f'{what}\n')

    def undo_done(self):
        if os.path.exists(self.undo):
            os.unlink(self.undo)

    def repair_interrupted(self):
        if not os.path.isfile(self.undo):
            return
        what, _, arg = open(self.undo).read().strip().partition(' ')
        name = rel(self.tree)
        if what == 'apply-R':
            if self.git('apply', '-R', '--check', arg, quiet=True).returncode == 0:
                self.git('apply', '-R', arg, check=True)
                warn(f'an interrupted run had left {os.path.basename(arg)} applied to {name}; it is taken out.')
            elif self.git('apply', '--check', arg, quiet=True).returncode:
                files = ' '.join(line.split('\t')[2] for line in subprocess.run(
                    ['git', 'apply', '--numstat', arg], stdout=subprocess.PIPE, text=True).stdout.split('\n') if line)
                die(f'an interrupted run left {name} part-way through {arg}.',
                    f'Put the files it touches back: git -C {name} checkout -- {files}')
        elif what == 'reset':
            self.git('am', '--abort', quiet=True)
            self.git('reset', '-q', '--hard', arg, check=True)
            warn(f"an interrupted 'make tree' had left {name} part-way through git am; it is back at "
                 f"{self.out('log', '-1', '--format=%h %s')}.")
        else:
            die(f"{name}/.git/harness-undo says '{what} {arg}', which the harness does not know.",
                f'Look at {name} (git status), then remove that file.')
        self.undo_done()

    def check_no_unexported_work(self, why):
        """Refuse to throw away kernel work: tracked changes, or commits whose
        patches are not what was last applied or exported."""
        name = rel(self.tree)
        dirty = self.tracked_dirt()
        if dirty:
            die(f'{why}, but {name} has uncommitted kernel changes:', *dirty.split('\n')[:10],
                f"Commit them in {name} and run 'make export', or drop them:", f'git -C {name} reset --hard')
        recorded = open(self.state).read().split() if os.path.exists(self.state) else []
        if self.tree_sum() != (recorded[1] if len(recorded) > 1 else ''):
            die(f'{why}, but {name} has commits that are not exported to {rel(self.patches)}/:',
                *self.out('log', '--oneline', 'base..HEAD').split('\n')[:20],
                f"Keep them: 'make export' (then commit {rel(self.patches)}/). "
                f'Drop them: git -C {name} reset --hard base')

    def unpack_base(self):
        new, ver, tarball = self.tree + '.new', self.installed(), self.tarball()
        if not os.path.isfile(tarball):
            die(f'{tarball} is missing.', f"Run 'make deps LINUX={self.linux}' (harness/deps.sh --base) as root.")
        glue.lib('rm_build "$1"', new)
        os.makedirs(new)
        t0 = time.time()
        step(f'unpacking {self.package} {ver} into {rel(self.tree)} (about a minute)')
        if subprocess.run(['tar', '-xJf', tarball, '-C', new, '--strip-components=1']).returncode:
            die(f'unpacking {tarball} failed.',
                f"Check free disk space (df -h {self.build}) and rerun 'make tree LINUX={self.linux}'.")
        # Debian's top-level .gitignore ignores everything but debian/ (their
        # packaging); drop that so the kernel's own ignore rules apply
        gi = os.path.join(new, '.gitignore')
        text = open(gi).read()
        text = re.sub(r'^# Debian packaging: ignore everything.*?^!/debian/\n', '', text, flags=re.M | re.S)
        with open(gi, 'w') as f:
            f.write(text)
        if '/*' in text.split('\n'):
            die("could not remove Debian's '/*' rule from the top-level .gitignore.",
                'The tarball layout changed; adjust unpack_base() in harness/iommutest/tree.py.')
        step('committing the pristine base (about a minute)')
        git(new, 'init', '-q', '-b', 'work', check=True)
        # git am needs a committer; keep the user's identity when there is one
        if git(new, 'config', 'user.name', quiet=True).returncode:
            git(new, 'config', 'user.name', 'iommu-fwspec harness')
        if git(new, 'config', 'user.email', quiet=True).returncode:
            git(new, 'config', 'user.email', 'harness@localhost')
        git(new, 'config', 'gc.auto', '0')
        git(new, 'add', '-A', check=True)
        git(new, 'commit', '-q', '-m', f'base: Debian {self.package} {ver}',
            '-m', f"Unpacked from {tarball}; Debian's top-level .gitignore rule '/*' removed.", check=True)
        git(new, 'tag', '-a', 'base', '-m', f'{self.package} {ver}', check=True)
        with open(os.path.join(new, '.git', 'harness-base'), 'w') as f:
            f.write(f'{ver}\n')
        glue.lib('rm_build "$1"', self.tree)
        os.rename(new, self.tree)
        with open(self.state, 'w') as f:
            f.write(f'{hashlib.sha1(b"").hexdigest()} {self.tree_sum()}\n')
        info(f'base committed in {time.time() - t0:.0f} s: {kernel_version(self.tree)} ({ver})')

    def apply_series(self):
        patches = self.series()
        old = self.out('rev-parse', 'HEAD')
        step(f'applying the series: {len(patches)} patches from {rel(self.patches)}/series')
        self.undo_note(f'reset {old}')
        self.git('reset', '-q', '--hard', 'base', check=True)
        # the overlay's copies of test files the series adds would stop git am
        tracked = set(self.out('ls-files', '--', *TEST_DIRS).split('\n'))
        for f in test_files(self.tree):
            if f not in tracked and os.path.lexists(os.path.join(self.tree, f)):
                os.unlink(os.path.join(self.tree, f))
        os.makedirs(self.logs, exist_ok=True)
        for n, p in enumerate(patches, 1):
            am = self.git('am', '-q', '--keep-cr', p)
            if am.returncode:
                with open(os.path.join(self.logs, 'git-am.log'), 'w') as f:
                    f.write(am.stdout + am.stderr)
                print('\n'.join(line for line in (am.stdout + am.stderr).split('\n') if not re.match(
                    r'(hint:|When you have|If you prefer|To restore)', line)), file=sys.stderr)
                self.git('am', '--abort', quiet=True)
                self.git('reset', '-q', '--hard', old)
                self.undo_done()
                die(f'patch {n}/{len(patches)} does not apply: {p}',
                    f"git am output is above; {rel(self.tree)} is back where it was "
                    f"(HEAD {self.out('rev-parse', '--short', 'HEAD')}).",
                    f"Rebase the patch onto the base: fix it in {rel(self.tree)}, then 'make export'.")
            if os.environ.get('IOMMU_TEST_V') == '1':
                info(f'applied {os.path.basename(p)}')
        self.record_state()
        self.undo_done()
        info(f"series applied: HEAD is {self.out('log', '-1', '--format=%h %s')}")

    def prepare(self):
        name = rel(self.tree)
        os.makedirs(self.logs, exist_ok=True)
        glue.lib('rm_build "$1"', self.tree + '.new')
        if os.path.isdir(os.path.join(self.tree, '.git')):
            self.repair_interrupted()
        has_base = self.git('rev-parse', '-q', '--verify', 'refs/tags/base', quiet=True).returncode == 0
        if (os.path.isdir(os.path.join(self.tree, '.git')) and has_base and os.path.isfile(self.state)
                and os.path.isfile(os.path.join(self.tree, '.git', 'harness-base'))):
            have, want = open(os.path.join(self.tree, '.git', 'harness-base')).read().strip(), self.installed()
            if have != want:
                self.check_no_unexported_work(f'the installed base is {want} but {name} is on {have}')
                self.unpack_base()
        elif os.path.lexists(self.tree):
            warn(f"{name} is incomplete (an interrupted 'make tree'?); preparing it again.")
            if os.path.isdir(os.path.join(self.tree, '.git')) and has_base and self.out('log', '--oneline', 'base..HEAD'):
                die(f'{name} has commits on top of base but no harness state.',
                    f'Export them by hand (git -C {name} format-patch -o {rel(self.patches)} base..HEAD) '
                    f'or remove {name}.')
            glue.lib('rm_build "$1"', self.tree)
            self.unpack_base()
        else:
            self.unpack_base()
        recorded = open(self.state).read().split()
        if recorded[0] == self.series_sum():
            info(f"series unchanged ({self.out('rev-list', '--count', 'base..HEAD')} commits on base)")
            # kernel work in progress: build it as it is, and say it is not
            # in patches/ yet
            if recorded[1:2] != [self.tree_sum()]:
                warn(f"{name} has commits that are not exported to {rel(self.patches)}/ yet: run 'make export' "
                     f'and commit {rel(self.patches)}/.')
        else:
            self.check_no_unexported_work(f'{rel(self.patches)}/ changed since {name} was last prepared')
            self.apply_series()
        overlay(self.tree)
        info(f'tree ready: {name}, {kernel_version(self.tree)}')

    def owner(self, f):
        """The commit of the series the test file F belongs to: the last that
        touched it, else its directory; '' when none did."""
        return (self.out('log', '-1', '--format=%H', 'base..HEAD', '--', f)
                or self.out('log', '-1', '--format=%H', 'base..HEAD', '--', os.path.dirname(f)))

    def fold_tests(self):
        """The repo's version of each test file folded into the commit of the
        series that last touched it (a new file: the last commit that
        touched its directory), so that every patch keeps building; a file
        deleted from the repo is deleted there."""
        if not self.out('log', '-1', '--format=%H', 'base..HEAD', '--', *TEST_DIRS):
            info('no commit of the series carries test files: none folded')
            return
        overlay(self.tree, quiet=True)
        files, outside = {}, []
        tracked = set(self.out('ls-files', '--', *TEST_DIRS).split('\n'))
        for f in test_files(self.tree):
            if f in tracked and self.git('diff', '--quiet', 'HEAD', '--', f).returncode == 0:
                continue
            c = self.owner(f)
            if c:
                files.setdefault(c, []).append(f)
            else:
                outside.append(f)
        # the mainline series carries some of the tests only: name what it
        # leaves out, so that a new directory that belongs in it is seen
        if outside:
            info(f'not in this series (no commit of it touches their directories; add one with git -C '
                 f'{rel(self.tree)} add -f FILE to carry them): {" ".join(outside)}')
        for f in self.out('diff', '--name-only', '--diff-filter=A', 'base', 'HEAD', '--', *TEST_DIRS).split():
            if not os.path.isfile(test_source(self.tree, f)):
                files.setdefault(self.owner(f), []).append(f)
        if not files:
            return
        n = 0
        for c, fl in files.items():
            self.git('add', '-f', '-A', '--', *fl, check=True)
            self.git('commit', '-q', '--no-verify', f'--fixup={c}', check=True)
            n += len(fl)
            info(f"test files into '{self.out('log', '-1', '--format=%s', c)}': {' '.join(fl)}")
        p = subprocess.run(['git', '-C', self.tree, 'rebase', '-q', '-i', '--autosquash', 'base'],
                           env=dict(os.environ, GIT_SEQUENCE_EDITOR=':'), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        with open(os.path.join(self.logs, 'export-rebase.log'), 'w') as f:
            f.write(p.stdout)
        if p.returncode:
            die('folding the test files into the series failed; see build/logs/export-rebase.log.',
                f'{rel(self.tree)} is mid-rebase: resolve it there (git -C {rel(self.tree)} status) or '
                f"'git -C {rel(self.tree)} rebase --abort'.")
        info(f'folded {n} test file change(s) into the series')

    def export(self):
        name = rel(self.tree)
        if not os.path.isdir(os.path.join(self.tree, '.git')):
            die(f'no kernel tree at {name}.', "Run 'make tree' first.")
        if self.git('rev-parse', '-q', '--verify', 'refs/tags/base', quiet=True).returncode:
            die(f"{name} has no 'base' tag.", f"Remove {name} and run 'make tree'.")
        self.repair_interrupted()
        dirty = self.tracked_dirt()
        if dirty:
            die(f'{name} has uncommitted kernel changes; only commits are exported:', dirty,
                f"Commit them (git -C {name} commit -s) and run 'make export' again.")
        os.makedirs(self.logs, exist_ok=True)
        self.fold_tests()
        os.makedirs(self.patches, exist_ok=True)
        cover = os.path.join(self.patches, '0000-cover-letter.patch')
        kept = open(cover, 'rb').read() if os.path.exists(cover) else None
        for f in os.listdir(self.patches):
            if re.match(r'[0-9]{4}-.*\.patch$', f):
                os.unlink(os.path.join(self.patches, f))
        self.git('format-patch', '-q', '--zero-commit', '--no-signature', '-o', self.patches, 'base..HEAD', check=True)
        if kept is not None:
            with open(cover, 'wb') as f:
                f.write(kept)
        names = sorted(f for f in os.listdir(self.patches) if re.match(r'[0-9]{4}-.*\.patch$', f)
                       and not f.startswith('0000-'))
        with open(os.path.join(self.patches, 'series'), 'w') as f:
            f.write(''.join(f'{n}\n' for n in names))
        # the tree now matches patches/: 'make tree' knows by this
        self.record_state()
        info(f'exported {len(names)} patches to {rel(self.patches)}/ (commit them in this repo)')


def foreign(ksrc, src, out_dir):
    """The working copy of a KERNEL_SRC tree outside build/: SRC, hard-linked
    to it (rsync --link-dest), the repo's test files over it. The tree
    itself is never written: the overlay and the hook-up replace files by
    rename, and kbuild writes only into O= directories.

    A tree whose drivers/iommu/Kconfig sources drivers/iommu/tests/Kconfig
    has the series (or its tests) and runs as it is. Any other gets, for
    each KUnit test file whose needs (harness/kunit-needs) it meets, the
    Makefile and Kconfig lines the series would add; OUT/kunit-plan says
    what runs, what is skipped and why, and OUT/kunitconfig is the suite's
    .kunitconfig without the options of the skipped files."""
    plan = os.path.join(out_dir, 'kunit-plan')
    os.makedirs(os.path.join(out_dir, 'logs'), exist_ok=True)
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(out_dir, 'copy-exclude'), 'w') as f:
        f.write(''.join(f'/{x}\n' for x in [*test_files(ksrc), *HOOKUP, '.harness-overlay']))
    step(f'KERNEL_SRC: hard-linked copy of {ksrc} in {rel(src)}')
    log = os.path.join(out_dir, 'logs', 'copy.log')
    if glue.lib('run_logged "$@"', log, 'rsync', '-a', '--delete', f'--link-dest={ksrc}', '--exclude=/.git',
                f'--exclude-from={out_dir}/copy-exclude', f'{ksrc}/', f'{src}/').returncode:
        die(f'copying {ksrc} into {rel(src)} failed (log above).', 'Check free disk space (df -h build).')
    overlay(src)

    def hookup(f, *lines):
        """The tree's F with LINES (Kconfig: before its last 'endif') into
        the copy, by rename and only when it changes."""
        if not os.path.isfile(os.path.join(ksrc, f)):
            if os.path.lexists(os.path.join(src, f)):
                os.unlink(os.path.join(src, f))
            return
        text = open(os.path.join(ksrc, f)).read()
        if lines and f.endswith('/Kconfig'):
            rows = text.split('\n')
            last = max((i for i, r in enumerate(rows) if r.startswith('endif')), default=None)
            if last is not None:
                rows[last:last] = [*lines, '']
            text = '\n'.join(rows)
        elif lines:
            text += ''.join(f'{line}\n' for line in lines)
        target = os.path.join(src, f)
        if os.path.isfile(target) and open(target).read() == text:
            return
        fd, new = tempfile.mkstemp(dir=os.path.dirname(target), prefix=os.path.basename(f) + '.')
        with os.fdopen(fd, 'w') as fh:
            fh.write(text)
        os.chmod(new, 0o644)
        os.replace(new, target)

    iommu_kconfig = os.path.join(ksrc, 'drivers/iommu/Kconfig')
    if os.path.isfile(iommu_kconfig) and 'drivers/iommu/tests/Kconfig' in open(iommu_kconfig).read():
        for f in HOOKUP:
            hookup(f)
        with open(plan, 'w') as fh:
            fh.write('mode series\n')
        info("KERNEL_SRC: the tree has the series' test hook-up: the KUnit suite runs as it is")
        return 0
    needs = []
    for line in open(os.path.join(glue.TOP, 'harness', 'kunit-needs')):
        if line.strip() and not line.startswith('#'):
            needs.append(line.rstrip('\n').split('|', 3))

    def lacks(f):
        """The first need of the test file F that the copy does not meet."""
        import fnmatch
        for glob_, tf, rx, what in needs:
            if not fnmatch.fnmatchcase(f, glob_):
                continue
            try:
                text = open(os.path.join(src, tf), errors='replace').read()
            except OSError:
                text = None
            if text is None or not re.search(rx, text, re.M):
                return what
        return None
    plan_lines, iommu, base = ['mode no-series'], [], []
    config = [line for line in open(os.path.join(glue.TOP, 'drivers/iommu/tests/.kunitconfig')).read().split('\n')
              if line and not re.match(r'CONFIG_(IOMMU_FWSPEC_KUNIT_TEST|DM_KUNIT_TEST)=', line)]
    for f in test_files(src):
        if not f.endswith('_kunit.c'):
            continue
        why = lacks(f)
        if why:
            plan_lines.append(f'skip {f}|{why}')
            continue
        plan_lines.append(f'run {f}')
        (iommu if f.startswith('drivers/iommu/tests/') else base if f.startswith('drivers/base/test/') else []).append(f)
    if iommu:
        hookup('drivers/iommu/Kconfig', 'source "drivers/iommu/tests/Kconfig"')
        hookup('drivers/iommu/Makefile', 'obj-$(CONFIG_IOMMU_FWSPEC_KUNIT_TEST) += tests/')
        config.append('CONFIG_IOMMU_FWSPEC_KUNIT_TEST=y')
    else:
        hookup('drivers/iommu/Kconfig')
        hookup('drivers/iommu/Makefile')
    if base:
        hookup('drivers/base/test/Makefile',
               *(f'obj-$(CONFIG_DM_KUNIT_TEST) += {os.path.basename(f)[:-2]}.o' for f in base))
        config.append('CONFIG_DM_KUNIT_TEST=y')
    else:
        hookup('drivers/base/test/Makefile')
    with open(plan, 'w') as fh:
        fh.write(''.join(f'{line}\n' for line in plan_lines))
    with open(os.path.join(out_dir, 'kunitconfig'), 'w') as fh:
        fh.write(''.join(f'{line}\n' for line in config))
    runs = sum(line.startswith('run ') for line in plan_lines)
    info(f"KERNEL_SRC: no series' test hook-up: {runs} KUnit test file(s) build here, "
         f'{len(plan_lines) - 1 - runs} are skipped ({rel(plan)})')
    return 0


def main(a):
    if a.what == 'overlay':
        overlay(a.dst)
        return 0
    if a.what == 'foreign':
        return foreign(a.ksrc, a.src, a.out)
    t = Tree(a)
    if a.what == 'tree':
        t.prepare()
    elif a.what == 'export':
        t.export()
    elif a.what == 'record-state':
        t.record_state()
    elif a.what == 'check-unexported':
        t.check_no_unexported_work(a.why)
    return 0
