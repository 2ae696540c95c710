# SPDX-License-Identifier: GPL-2.0
"""harness/known-defects, read once: one entry a line, fields separated by
'|' (the file's header says what each means; the signature is last and
may itself hold '|')."""

import os
import re
from dataclasses import dataclass

from . import ktap, lists, qemu_versions, targets


@dataclass
class Defect:
    id: str
    qemus: list
    base: str
    targets: list
    scenarios: list
    first: list
    unless: list
    rate: str
    write_up: str
    signature: str


def parse(lines):
    out = []
    for f in lists.entries(lines, 'harness/known-defects', 10):
        out.append(Defect(id=f[0], qemus=f[1].split(), base=f[2], targets=f[3].split(),
                          scenarios=f[4].split(), first=[e for e in f[5].split(';') if e],
                          unless=[] if f[6] == '-' else [e for e in f[6].split(';') if e],
                          rate=f[7], write_up=f[8], signature=f[9]))
    return out


def read(path):
    try:
        with open(path) as fh:
            return parse(fh)
    except FileNotFoundError:
        return []


def hits(path):
    """ID -> times hit, from a run's known-defects.hits ("BOOT TARGET ID")."""
    n = {}
    try:
        with open(path) as fh:
            for line in fh:
                f = line.split()
                if f:
                    n[f[-1]] = n.get(f[-1], 0) + 1
    except FileNotFoundError:
        pass
    return n


def _grep(rx, *paths):
    for p in paths:
        try:
            with open(p, errors='replace') as fh:
                if any(re.search(rx, line) for line in fh):
                    return True
        except FileNotFoundError:
            pass
    return False


def _first(rx, path):
    try:
        with open(path, errors='replace') as fh:
            return next((line.rstrip('\n') for line in fh if re.search(rx, line)), None)
    except FileNotFoundError:
        return None


def match(entries, target, log, reports, qemus, selected, kernel):
    """The entry that the failed boot LOG of TARGET shows (its NAME.problems
    and NAME.qemu-crash beside it), and the scenario it cut short, or None.
    The entry must name the QEMU that TARGET boots on, the base's kernel
    version and TARGET; the boot must have stopped in one of its
    scenarios; its first kernel report (without one, its first problem)
    must match FIRST, the log its SIGNATURE, and nothing of UNLESS be in
    the log."""
    base = log[:-len('.log')] if log.endswith('.log') else log
    report = _first('|'.join(reports), log)
    if report is None:
        try:
            with open(base + '.problems') as fh:
                report = fh.readline().rstrip('\n') or None
        except FileNotFoundError:
            pass
    if not report:
        return None
    cut = ktap.read(log).in_run
    cut = re.sub(r'^(load|storm)\.', '', cut)
    cut = re.sub(r'\.endpoints_work_after$', '', cut)
    if not cut:
        return None
    q = qemu_versions.for_args(qemus, selected, targets.TARGETS[target].qemu_args.split())
    for e in entries:
        if q not in e.qemus or target not in e.targets or cut not in e.scenarios:
            continue
        if not re.search(e.base, kernel) or not any(re.search(f, report) for f in e.first):
            continue
        if not _grep(e.signature, log, base + '.problems', base + '.qemu-crash'):
            continue
        if any(_grep(u, log) for u in e.unless):
            continue
        return e, cut
    return None


def of_boot(top, target, log, kernel, qemu):
    """match() with the shipped lists (harness/known-defects,
    harness/qemu-versions, the kernel report list), QEMU selected."""
    from . import reports
    return match(read(os.path.join(top, 'harness', 'known-defects')), target, log,
                 [p for p, _ in reports.read(os.path.join(top, reports.HEADER))],
                 qemu_versions.read(os.path.join(top, 'harness', 'qemu-versions')), qemu, kernel)
