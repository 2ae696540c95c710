# SPDX-License-Identifier: GPL-2.0
"""The shell side, called from Python: a function of harness/lib.sh (the
kernel builds, kunit.py's command line, the guests' scripts) run with it
sourced."""

import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = os.path.join(TOP, 'harness', 'lib.sh')


def lib(code, *args, env=None, stdout=None, capture=False):
    """CODE (bash, its arguments ARGS as "$1"...) with harness/lib.sh
    sourced; ENV on top of this process's environment. CAPTURE: stdout and
    stderr as one text in the result's stdout; else both go to STDOUT."""
    out = subprocess.PIPE if capture else stdout
    return subprocess.run(['bash', '-c', f'. "$0" && {code}', LIB, *args],
                          env=dict(os.environ, **(env or {})) if env is not None else None,
                          stdout=out, stderr=subprocess.STDOUT if (capture or stdout) else None,
                          text=True, errors='replace')


def die(msg, *hints):
    """Stop the run: what failed, then what to do, as lib.sh's die."""
    raise SystemExit('\n'.join([f'ERROR: {msg}', *(f'       {h}' for h in hints)]))


def step(msg):
    print(f'==> {msg}', flush=True)


def info(msg):
    print(f'    {msg}', flush=True)


def warn(msg):
    print(f'WARNING: {msg}', file=sys.stderr, flush=True)
