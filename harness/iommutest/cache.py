# SPDX-License-Identifier: GPL-2.0
"""Results of deterministic steps, kept by their inputs.

A step whose verdict is a function of files (checkpatch, kernel-doc, the
standalone check, the KUnit mutations, coverage) is run once per set of
inputs: its key is a hash of every input file's path and bytes, the base,
the knobs of the run and the tools' versions, and the files it wrote are
kept under the user's cache directory (like ccache's), so that a second
clone and CI on the same machine reuse a verdict whose inputs are
byte-identical. Only a step that passed is kept: a failure is always run
again. Nothing that boots a guest or runs a race is ever cached (those
steps are not in INPUTS).
"""

import glob
import hashlib
import os
import shutil
import subprocess
import time

from . import targets

# The series of the base (its patches/ directory) is every step's input;
# so is the harness code that runs a step and reads its results.
COMMON = ['harness/lib.sh', 'harness/run.sh', 'harness/knobs', 'harness/bases',
          'harness/iommutest/*.py']
# What the tree is made of besides the base and the series: the repo's
# test files overlaid into it, and how they are put there
TESTS = ['drivers/**', 'tools/**', 'base-*/**', 'harness/tree.sh', 'harness/kunit-needs', 'harness/kunit_skips.py']
KERNEL = ['configs/*', 'harness/build-kernel.sh']

# step -> its own inputs, beyond COMMON and the series
INPUTS = {
    'standalone': TESTS + KERNEL + ['harness/standalone.sh'],
    'checkpatch': ['drivers/**', 'tools/**', 'base-*/**', 'harness/guest/*', 'harness/checkpatch.sh'],
    'kerneldoc': TESTS + ['harness/kerneldoc.sh'],
    'mutate': TESTS + KERNEL + ['mutations/*.patch', 'mutations/kunit-*/*.patch', 'harness/mutate.sh'],
    'coverage': TESTS + KERNEL + ['harness/coverage.sh', 'harness/uml-gcov-fini-array.patch'],
}
# the tools whose versions a verdict depends on
TOOLS = [[c + 'gcc', '--version'] for c in dict.fromkeys(a.cross for a in targets.ARCHES.values()) if c] + \
    [['gcc', '--version'], ['perl', '--version'], ['/usr/bin/python3', '--version'], ['ccache', '--version']]
# the make knobs (harness/knobs) that are the run's business, not a step's
# input; the internal ones are paths of this checkout or the harness's own
NOT_KNOBS = ('FRESH', 'V')


def knobs(top):
    """The make knobs of harness/knobs that a step's result may depend on."""
    out = []
    with open(os.path.join(top, 'harness', 'knobs')) as fh:
        for line in fh:
            f = line.split()
            if len(f) > 1 and not f[0].startswith('#') and f[1] == 'make' and f[0] not in NOT_KNOBS:
                out.append(f[0])
    return out


def cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'iommu-fwspec', 'results')


def input_files(top, step, series):
    """The repo's files STEP reads, relative to TOP, sorted."""
    pats = COMMON + [os.path.join(series, '**')] + INPUTS[step]
    files = set()
    for p in pats:
        for f in glob.glob(os.path.join(top, p), recursive=True, include_hidden=True):
            if os.path.isfile(f) and '__pycache__' not in f:
                files.add(os.path.relpath(f, top))
    return sorted(files)


def tool_versions():
    out = []
    for cmd in TOOLS:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            out.append(' '.join(cmd) + ': ' + (r.stdout or r.stderr).splitlines()[0])
        except (OSError, IndexError, subprocess.TimeoutExpired):
            out.append(' '.join(cmd) + ': none')
    return out


def key(top, step, series, base, environ=None, tools=None):
    """The hex key of STEP's result: its input files' paths and bytes, the
    base (NAME and Debian version), the run's knobs, the tools."""
    environ = os.environ if environ is None else environ
    h = hashlib.sha256()

    def add(s):
        h.update(s.encode() + b'\0')
    add(f'step {step}')
    add(f'base {base}')
    for k in knobs(top):
        if 'IOMMU_TEST_' + k in environ:
            add(f'knob {k}={environ["IOMMU_TEST_" + k]}')
    for t in tool_versions() if tools is None else tools:
        add(f'tool {t}')
    for f in input_files(top, step, series):
        add(f'file {f}')
        with open(os.path.join(top, f), 'rb') as fh:
            h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


def restore(k, results):
    """Copy the kept files of K into RESULTS; their step's name, or None."""
    d = os.path.join(cache_dir(), k)
    try:
        with open(os.path.join(d, 'STEP')) as fh:
            step = fh.read().strip()
    except FileNotFoundError:
        return None
    for f in os.listdir(os.path.join(d, 'files')):
        shutil.copy2(os.path.join(d, 'files', f), os.path.join(results, f))
    os.utime(d)
    return step


def store(k, step, files, keep_days=30):
    """Keep FILES (the step's results) under K; entries unused for
    KEEP_DAYS go."""
    root = cache_dir()
    d = os.path.join(root, k)
    tmp = f'{d}.tmp{os.getpid()}'
    os.makedirs(os.path.join(tmp, 'files'))
    for f in files:
        shutil.copy2(f, os.path.join(tmp, 'files', os.path.basename(f)))
    with open(os.path.join(tmp, 'STEP'), 'w') as fh:
        fh.write(step + '\n')
    shutil.rmtree(d, ignore_errors=True)
    os.rename(tmp, d)
    now = time.time()
    for e in os.listdir(root):
        p = os.path.join(root, e)
        if now - os.path.getmtime(p) > keep_days * 86400:
            shutil.rmtree(p, ignore_errors=True)
