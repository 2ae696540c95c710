# SPDX-License-Identifier: GPL-2.0
"""The result table, the known defects, why each failed step failed and
the summary line, from the run's model. The summary is the last line, so
that a console that keeps only a run's tail still says it."""

import os

from . import known_defects


def rel(path):
    r = os.path.relpath(path)
    return path if r.startswith('..') else r


def table(run):
    out = ['', f'{"suite / target":<38} {"passed":>7} {"failed":>7} {"skipped":>7} {"seconds":>7}  result',
           '-' * 82]
    for s in run.steps:
        c = s.counts
        secs = '-' if s.seconds is None else s.seconds
        out.append(f'{s.name:<38} {c["passed"]:>7} {c["failed"]:>7} {c["skipped"]:>7} {secs:>7}  {s.status}')
    out.append('-' * 82)
    return out


def defects(run, path, qemu_selected):
    """Every known defect, hit in this run or not: it stays in view until
    it is fixed."""
    entries = known_defects.read(path)
    if not entries:
        return []
    hits = known_defects.hits(os.path.join(run.directory, 'known-defects.hits'))
    out = ['known defects (their boots still run; a boot one of them cuts short skips only the '
           'scenario it hit, and a check that must run is booted again):']
    for e in entries:
        here = '' if qemu_selected in e.qemus else f' (not on this run\'s QEMU {qemu_selected})'
        out.append(f'  {e.id} (QEMU {" ".join(e.qemus)}{here}; {" ".join(e.targets)}; in '
                   f'{" ".join(e.scenarios)}): {e.write_up}; rate {e.rate}; '
                   f'hit {hits.get(e.id, 0)} time(s) in this run')
    return out


def why_failed(run, max_lines=30):
    out = []
    for s in run.steps:
        if s.status != 'FAIL':
            continue
        out.append(f'FAIL {s.name} (logs: {rel(os.path.join(run.directory, s.name))}*):')
        lines = ['  ' + line for line in s.why_failed()]
        if not lines:
            lines = ['  it recorded no boot problem and no failed test: its FAIL line above says why']
        out += lines[:max_lines]
        if len(lines) > max_lines:
            out.append(f'  ... ({len(lines) - max_lines} more lines)')
    return out


def summary(run):
    c = run.counts
    return f'{c["passed"]} passed, {c["failed"]} failed, {c["skipped"]} skipped'


def report(run, wall=None, qemu_summary=None, defects_path=None, qemu_selected=None, files=None):
    out = table(run)
    if files:
        out.append(f'results: {files}')
    if wall is not None:
        out.append(f'wall time: {wall} s; logs and KTAP: {rel(run.directory)}/')
    if qemu_summary:
        out.append(f'guests on {qemu_summary}')
    if defects_path:
        out += defects(run, defects_path, qemu_selected)
    if run.reused:
        out.append(f'reused, their inputs byte for byte those of a run that passed (FRESH=1 runs them): '
                   f'{", ".join(run.reused)}')
    out += why_failed(run)
    out.append(summary(run))
    return out
