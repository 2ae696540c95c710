# SPDX-License-Identifier: GPL-2.0
"""The one result model of a run.

A run is the results directory: per step NAME.result ("NAME PASSED FAILED
SKIPPED SECONDS", which the step's script writes as it ends), NAME.ktap
(its tests), NAME.problems ("KIND WHY" a line: what failed it besides its
tests: a kernel report, a watchdog, a build that broke), and NAME/ for a
step that boots several guests (their own NAME/BOOT.* files).

A step's cases are the leaves of its KTAP and one failed case per problem
that counts (a problem whose kind starts with "known-" is a known defect's
own, which result_as_known excused); a step without KTAP is what its
.result says, one case per count. Its counts, its status and everything
written from it (the table, the summary line, results.json, junit.xml, the
exit status) come from those cases only, so they cannot disagree. When the
step's .result says otherwise, the step gets one more failed case that
says so: the harness wrote two verdicts, and neither is trusted.
"""

import os
import re
from dataclasses import dataclass, field

from . import ktap

STATUSES = ('PASS', 'FAIL', 'SKIP')
RESULT_LINE = re.compile(r'^(\S+) (\d+) (\d+) (\d+) (\S+)$')


class BadResult(Exception):
    pass


@dataclass
class Case:
    name: str
    status: str
    why: str = ''


@dataclass
class Step:
    name: str
    seconds: int = None
    declared: tuple = None          # (passed, failed, skipped) of NAME.result
    ktap_name: str = None           # the KTAP file's name, when there is one
    doc: ktap.Document = None
    problems: list = field(default_factory=list)   # (kind, why)
    boots: list = field(default_factory=list)      # Steps of NAME/
    cases: list = field(default_factory=list)

    @property
    def counts(self):
        n = {s: 0 for s in STATUSES}
        for c in self.cases:
            n[c.status] += 1
        return {'passed': n['PASS'], 'failed': n['FAIL'], 'skipped': n['SKIP']}

    @property
    def status(self):
        c = self.counts
        if c['failed']:
            return 'FAIL'
        return 'SKIP' if c['skipped'] and not c['passed'] else 'PASS'

    def why_failed(self):
        """What failed the step, for the tail of the report."""
        out = [why for kind, why in self.problems if counts_problem(kind)]
        if self.doc:
            out += ktap.failure_lines(self.doc)
        out += [c.why for c in self.cases if c.name == 'verdict']
        for b in self.boots:
            if b.status == 'FAIL':
                out.append(f'{b.name}:')
                out += ['  ' + line for line in b.why_failed()]
        return out


def counts_problem(kind):
    return not kind.startswith('known-')


def read_result(path):
    with open(path) as fh:
        text = fh.read().strip()
    m = RESULT_LINE.match(text)
    if not m:
        raise BadResult(f'{os.path.basename(path)} is not "NAME PASSED FAILED SKIPPED SECONDS": {text}')
    secs = m.group(5)
    return m.group(1), tuple(int(m.group(i)) for i in (2, 3, 4)), int(secs) if secs.isdigit() else None


def read_problems(path):
    try:
        with open(path, errors='replace') as fh:
            lines = [line.rstrip('\n') for line in fh if line.strip()]
    except FileNotFoundError:
        return []
    return [tuple(line.split(' ', 1)) if ' ' in line else (line, '') for line in lines]


def load_step(directory, stem):
    """The Step of DIRECTORY/STEM.result and the files beside it."""
    base = os.path.join(directory, stem)
    name, declared, seconds = read_result(base + '.result')
    step = Step(name=stem, seconds=seconds, declared=declared,
                problems=read_problems(base + '.problems'))
    if os.path.exists(base + '.ktap'):
        step.ktap_name = stem + '.ktap'
        step.doc = ktap.read(base + '.ktap')
    if os.path.isdir(base):
        step.boots = load_steps(base)
    judge(step)
    return step


def judge(step):
    """Fill STEP's cases from its KTAP, its problems and its .result."""
    cases = []
    if step.doc is not None:
        cases += [Case(t.name or f'test {t.number}', t.status, t.directive) for t in step.doc.leaves()]
    cases += [Case(f'{kind}', 'FAIL', why) for kind, why in step.problems if counts_problem(kind)]
    if step.doc is None:
        # no KTAP: the .result is the step's word, one case per count
        have = {s: sum(c.status == s for c in cases) for s in STATUSES}
        for status, n in zip(STATUSES, step.declared):
            cases += [Case(step.name, status)] * max(n - have[status], 0)
    step.cases = cases
    got = tuple(step.counts[k] for k in ('passed', 'failed', 'skipped'))
    if got != step.declared:
        step.cases.append(Case('verdict', 'FAIL',
                               f'{step.name}.result says {fmt(step.declared)}, but its KTAP and problems '
                               f'say {fmt(got)}: the harness wrote two verdicts (a bug of the harness)'))


def fmt(c):
    return f'{c[0]} passed, {c[1]} failed, {c[2]} skipped'


def load_steps(directory):
    return [load_step(directory, f[:-len('.result')])
            for f in sorted(os.listdir(directory)) if f.endswith('.result')]


@dataclass
class Run:
    directory: str
    steps: list
    kernel: str = None
    qemu: str = None
    reused: list = field(default_factory=list)   # steps whose kept result was copied back

    @property
    def counts(self):
        return {k: sum(s.counts[k] for s in self.steps) for k in ('passed', 'failed', 'skipped')}

    @property
    def ok(self):
        c = self.counts
        return c['failed'] == 0 and c['passed'] > 0

    def ktap_errors(self):
        """Malformed KTAP in a step that passed: a truncated file cannot
        make a green."""
        out = []
        for s in self.steps:
            if s.doc is not None and s.status != 'FAIL':
                errs = list(s.doc.errors)
                if s.doc.plan is not None and s.doc.plan != len(s.doc.tests):
                    errs.append(f'its plan says {s.doc.plan} tests, {len(s.doc.tests)} reported')
                out += [f'{s.ktap_name}: {e}' for e in errs]
        return out


def load_run(directory, kernel=None, qemu=None):
    try:
        with open(os.path.join(directory, 'reused')) as fh:
            reused = [line.strip() for line in fh if line.strip()]
    except FileNotFoundError:
        reused = []
    return Run(directory=directory, steps=load_steps(directory), kernel=kernel, qemu=qemu, reused=reused)
