# SPDX-License-Identifier: GPL-2.0
"""The static checks of the series and the test sources, one KTAP line per
file: scripts/checkpatch.pl --strict ('make checkpatch') and
scripts/kernel-doc -none -Wall ('make kerneldoc')."""

import glob
import os
import re
import shutil
import subprocess
import tempfile

from . import glue, ktap


def series_patches(patches):
    """The patches PATCHES/series lists, in order (none without a series)."""
    try:
        with open(os.path.join(patches, 'series')) as f:
            names = [line.strip() for line in f if line.strip() and not line.strip().startswith('#')]
    except FileNotFoundError:
        return []
    for n in names:
        if not os.path.isfile(os.path.join(patches, n)):
            raise SystemExit(f'ERROR: {patches}/series lists {n}, but that file does not exist.\n'
                             "       Fix the series file or run 'make export' from the tree.")
    return [os.path.join(patches, n) for n in names]


def test_sources(top, dirs, pattern):
    out = []
    for d in dirs:
        for root, _, files in os.walk(os.path.join(top, d)):
            out += [os.path.relpath(os.path.join(root, f), top) for f in files if re.search(pattern, f)]
    return sorted(out)


def python_with_spdx_modules(out):
    """A PATH whose python3 runs scripts/spdxcheck.py: checkpatch takes the
    python3 on PATH, and one of the user's own (pyenv, a venv) may lack
    Debian's python3-ply or python3-git: the system's is put first."""
    path = os.environ['PATH']
    if subprocess.run(['python3', '-c', 'import ply, git'], stderr=subprocess.DEVNULL).returncode == 0:
        return path
    if subprocess.run(['/usr/bin/python3', '-c', 'import ply, git'], stderr=subprocess.DEVNULL).returncode:
        raise SystemExit("ERROR: checkpatch: scripts/spdxcheck.py needs python3's ply and git modules.\n"
                         "       Run 'make deps' as root.")
    d = os.path.join(out, 'python3-system')
    os.makedirs(d, exist_ok=True)
    link = os.path.join(d, 'python3')
    if not os.path.islink(link):
        os.symlink('/usr/bin/python3', link)
    return f'{d}:{path}'


def checkpatch(a):
    src, out, top = os.environ['SRC'], os.environ['OUT'], glue.TOP
    env = dict(os.environ, PATH=python_with_spdx_modules(out))
    os.makedirs(a.results, exist_ok=True)
    patches = series_patches(a.patches)
    sources = test_sources(top, ['drivers', 'tools', 'harness/guest', *glob.glob('base-*', root_dir=top)], r'\.[ch]$')
    print(f'==> checkpatch --strict: {len(patches)} patches, {len(sources)} test sources', flush=True)
    k = ktap.Writer(f'checkpatch{a.base_tag}')
    k.plan(len(patches) + len(sources))
    with open(os.path.join(a.results, 'checkpatch.log'), 'w') as log:
        for label, args in ([(os.path.basename(p), [p]) for p in patches]
                            + [(f, ['--no-tree', '-f', os.path.join(top, f)]) for f in sources]):
            # the tree is Debian's tarball on one commit: the upstream
            # commits that Fixes: tags name are not in it. The test files
            # the series adds are covered by MAINTAINERS already. A traceback
            # is spdxcheck.py that could not run: no SPDX line was checked,
            # whatever checkpatch's status says
            p = subprocess.run([os.path.join(src, 'scripts/checkpatch.pl'), '--strict', '--no-summary', '--terse',
                                '--ignore', 'UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES', *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors='replace')
            said = p.stdout.rstrip('\n')
            if p.returncode == 0 and not re.search('^Traceback', said, re.M):
                k.ok(label)
            else:
                k.not_ok(label, said)
            log.write(f'== {label}\n{said}\n')
    return 0 if k.end(a.results) else 1


def kernel_doc(src, path, name):
    """The kernel-doc warnings of PATH, as "NAME: TEXT" without line numbers:
    6.12's kernel-doc prints "FILE:LINE: warning: TEXT", 7.3's (the Python
    one) "Warning: FILE:LINE TEXT"."""
    p = subprocess.run([os.path.join(src, 'scripts/kernel-doc'), '-none', '-Wall', path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors='replace')
    out = set()
    for line in p.stdout.split('\n'):
        line = re.sub(rf'^{re.escape(path)}:[0-9]+: warning: ', f'{name}: ', line)
        out.add(re.sub(rf'^Warning: {re.escape(path)}:[0-9]+ ', f'{name}: ', line))
    return out - {''}


def kerneldoc(a):
    """Every .c/.h file the series changes (base..HEAD of the tree) and the
    KUnit sources; a file fails on a warning that its base version does not
    have (compared without line numbers)."""
    src, top = os.environ['SRC'], glue.TOP
    os.makedirs(a.results, exist_ok=True)
    git = lambda *args: subprocess.run(['git', '-C', src, *args], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
    files = []
    if git('rev-parse', '-q', '--verify', 'refs/tags/base').returncode == 0:
        files = git('diff', '--name-only', '--diff-filter=AM', 'base..HEAD', '--', '*.[ch]').stdout.split()
    files += test_sources(top, ['drivers'], r'\.[ch]$')
    print(f'==> kernel-doc -none -Wall: {len(files)} files', flush=True)
    k = ktap.Writer(f'kernel-doc{a.base_tag}')
    k.plan(len(files))
    tmp = tempfile.mkdtemp()
    try:
        for f in files:
            base = set()
            old = git('show', f'base:{f}')
            if old.returncode == 0:
                copy = os.path.join(tmp, 'src', f)
                os.makedirs(os.path.dirname(copy), exist_ok=True)
                with open(copy, 'w') as c:
                    c.write(old.stdout)
                base = kernel_doc(src, copy, f)
            new = sorted(kernel_doc(src, os.path.join(src, f), f) - base)
            if new:
                k.not_ok(f, '\n'.join(new))
            else:
                k.ok(f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if k.end(a.results) else 1
