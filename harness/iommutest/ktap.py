# SPDX-License-Identifier: GPL-2.0
"""The harness's one KTAP reader.

Every KTAP the harness meets is read here: the kernel's KUnit output
(subtests nested by indentation), a guest's console KTAP (kselftest_harness,
whose "#  RUN" lines open a case), the KTAP that run_kselftest.sh wraps in
"# " (a whole document nested in the diagnostics of its one top-level
result), and the harness's own checks (a failed check says why in "# "
lines after its result line).

A document is read into Test objects. Counting follows the KTAP
specification: a test's subtests are those indented under it; a document
wrapped in "# " is diagnostic output of the test that follows it (its
parent's result covers it) and is read into Test.wrapped, so that what
it says of its failures is still shown.
"""

import contextlib
import os
import re
import time
from dataclasses import dataclass, field

RESULT = re.compile(r'^(not ok|ok) +(\d+)(?: +-)?(?: +([^#]*?))? *(?:# *(.*))?$')
PLAN = re.compile(r'^1\.\.(\d+)')
VERSION = re.compile(r'^K?TAP version \d+')
# kselftest_harness's "#  RUN           fixture.test ...", found where a
# console line has it (a kernel message may come first)
RUN = re.compile(r'(?:^|[#\s])RUN +(\S+\.\S+)')
# lines that are scaffolding, not what a test said
NOISE = re.compile(r'^(K?TAP version|1\.\.[0-9]+|[A-Z]+ +[A-Za-z0-9_.]+$|(PASSED|FAILED|Totals):)')
# where a test starts to say what went wrong: kselftest_harness's first
# failed expectation, its timeout, KUnit's failed expectation
FIRST_WORD = re.compile(r'(:Expected |EXPECTATION FAILED|ASSERTION FAILED|terminated by timeout)')


@dataclass
class Test:
    name: str
    number: int
    status: str                 # PASS, FAIL or SKIP
    directive: str = ''         # what follows '#' on the result line
    line: str = ''              # the result line, without nesting
    said: list = field(default_factory=list)     # its lines since the previous result or RUN
    after: list = field(default_factory=list)    # "# " lines right after its result
    subtests: list = field(default_factory=list)
    wrapped: list = field(default_factory=list)  # results of a "# "-wrapped document before it
    wrapped_plan: int = None                     # that document's plan

    def leaves(self):
        if not self.subtests:
            yield self
        for t in self.subtests:
            yield from t.leaves()


@dataclass
class Document:
    tests: list = field(default_factory=list)   # top-level results, in order
    plan: int = None                            # the last top-level plan
    errors: list = field(default_factory=list)  # what does not read as KTAP
    in_run: str = ''                            # a RUN case that never reported
    since_plan: int = 0                         # top-level results after the last plan
    versioned: bool = False                     # it has a top-level version line

    def leaves(self):
        for t in self.tests:
            yield from t.leaves()

    def all_results(self):
        """Every result at any depth, wrapped ones included, in line order."""
        def walk(t):
            for w in t.wrapped:
                yield from walk(w)
            for s in t.subtests:
                yield from walk(s)
            yield t
        for t in self.tests:
            yield from walk(t)

    def failures(self):
        return [t for t in self.all_results()
                if t.status == 'FAIL']


def _status(kind, directive):
    if directive.upper().startswith('SKIP'):
        return 'SKIP'
    return 'PASS' if kind == 'ok' else 'FAIL'


def _split(raw):
    """(indent, hashes, text): leading blanks, "# " wrap levels, the rest."""
    text = raw.rstrip('\n')
    body = text.lstrip(' \t')
    indent = len(text) - len(body)
    hashes = 0
    while body.startswith('#') and RESULT.match(body.lstrip('# \t')) or \
            body.startswith('# ') and (VERSION.match(body.lstrip('# \t')) or
                                       PLAN.match(body.lstrip('# \t'))):
        body = body[1:].lstrip(' ')
        hashes += 1
    return indent, hashes, body


def parse(lines):
    """Read KTAP lines (an iterable of str) into a Document."""
    doc = Document()
    # per (hashes, indent): the results read and not yet claimed by a
    # parent; per wrap level: the plan of its document
    pending = {}
    plans = {}
    said = []           # the linear view: lines since the last result or RUN
    last = None         # the last top-level failure, for its "after" lines
    top_indent = None
    for raw in lines:
        indent, hashes, body = _split(raw)
        stripped = body.lstrip('# \t')
        m = RESULT.match(body) if body else None
        if m:
            kind, num, name, directive = m.group(1), int(m.group(2)), m.group(3), m.group(4) or ''
            t = Test(name=name or doc.in_run, number=num, status=_status(kind, directive),
                     directive=directive, line=body, said=said)
            said = []
            doc.in_run = ''
            key = (hashes, indent)
            # the subtests: results deeper in indentation at this wrap
            # level; a wrapped document: results at deeper wrap levels
            for k in sorted(pending):
                if k == key or not pending[k]:
                    continue
                if k[0] == hashes and k[1] > indent:
                    t.subtests.extend(pending[k])
                    pending[k] = []
                elif k[0] > hashes:
                    t.wrapped.extend(pending[k])
                    pending[k] = []
            if hashes + 1 in plans:
                t.wrapped_plan = plans.pop(hashes + 1)
            pending.setdefault(key, []).append(t)
            if hashes == 0 and (top_indent is None or indent <= top_indent):
                top_indent = indent
            if hashes == 0 and indent == top_indent:
                doc.since_plan += 1
            last = t if (hashes == 0 and kind == 'not ok' and not indent) else None
            continue
        if last is not None and body.startswith('#') and not RUN.search(body) \
                and not stripped.startswith('Subtest:'):
            if len(last.after) < 7:
                last.after.append(stripped)
            continue
        last = None
        r = RUN.search(body)
        if r:
            said = []
            doc.in_run = r.group(1)
            continue
        if hashes == 0 and not indent and VERSION.match(body):
            doc.versioned = True
        p = PLAN.match(body)
        if p and not indent:
            if hashes == 0:
                doc.plan = int(p.group(1))
                doc.since_plan = 0
            else:
                plans.setdefault(hashes, int(p.group(1)))
        if stripped and not NOISE.match(stripped):
            said.append(stripped)
    if top_indent is None:
        return doc
    doc.tests = pending.get((0, top_indent), [])
    for k, rest in pending.items():
        if rest and k != (0, top_indent):
            doc.errors.append(f'{len(rest)} result(s) at indentation {k[1]} that no test at '
                              f'indentation {top_indent} closes')
    return doc


def read(path):
    """The Document of a KTAP file; an empty one when there is no file."""
    try:
        with open(path, errors='replace') as fh:
            return parse(fh)
    except FileNotFoundError:
        return Document()


def failure_lines(doc):
    """Each failed result, at any depth, and what it said of its failure:
    from its first failed expectation (or timeout) on, else its last lines;
    a harness check's "# " lines after its result. This is what a run's
    console must keep when it cuts the middle of a long log."""
    out = []
    for t in doc.failures():
        out.append(t.line)
        first = next((i for i, s in enumerate(t.said) if FIRST_WORD.search(s)), None)
        frm = first if first is not None else max(len(t.said) - 5, 0)
        block = t.said[frm:]
        out.extend('    ' + s for s in block[:12])
        if len(block) > 12:
            out.append('    ...')
        out.extend('    ' + s for s in t.after)
    return out


def extract(lines):
    """The KTAP lines of a console log: versions, plans, results and "# "
    lines, with the console's indentation taken off."""
    for raw in lines:
        line = raw.rstrip('\n').lstrip(' \t')
        if re.match(r'(K?TAP version|1\.\.|ok |not ok |# )', line):
            yield line


def counts(doc):
    """(passed, failed, skipped) of the top-level results."""
    return tuple(sum(t.status == s for t in doc.tests) for s in ('PASS', 'FAIL', 'SKIP'))


def _named(name, case):
    return name == case or name.startswith(case + ' ') or name.startswith(case + ':')


def status(doc, case):
    """The top-level test CASE's result: PASS, FAIL or SKIP; CRASH when its
    RUN line has no result after it; - when it did not start."""
    for t in reversed(doc.tests):
        if _named(t.name, case):
            return t.status
    return 'CRASH' if doc.in_run == case else '-'


def said(doc, case):
    """What CASE said before its result, as lines."""
    t = next((t for t in doc.all_results() if _named(t.name, case)), None)
    return t.said if t else []


def nested_all_passed(doc):
    """None when the document run_kselftest.sh wrapped in "# " planned some
    cases and each passed, none skipped; else why not. The runner's own
    "ok" for the program hides a program that skipped everything."""
    plan = next((t.wrapped_plan for t in doc.tests if t.wrapped_plan is not None), None)
    inner = [w for t in doc.tests for w in t.wrapped]
    passed = sum(w.status == 'PASS' for w in inner)
    if not plan:
        return "run_kselftest.sh's test printed no plan (no '# 1..N' line): it did not run"
    if passed != plan or len(inner) != passed:
        return (f'the storm planned {plan} scenarios, {passed} passed, '
                f'{len(inner) - passed} failed or skipped')
    return None


def close(doc, name, why, first=None, first_why=None):
    """The lines that close DOC: an "ok N # SKIP" for each test its last
    top-level plan names and it did not report (the first of them FIRST,
    "# SKIP FIRST-WHY", when given); a document without a plan is one
    test, NAME."""
    out = []
    plan = doc.plan
    if plan is None:
        out += [] if doc.versioned or doc.tests else ['KTAP version 1']
        out.append('1..1')
        plan = 1
    seen = doc.tests[-1].number if doc.since_plan or doc.plan is None and doc.tests else 0
    for i in range(seen + 1, plan + 1):
        if i == seen + 1 and first:
            out.append(f'ok {i} {first} # SKIP {first_why}')
        else:
            out.append(f'ok {i} {name if plan == 1 else f"test {i}"} # SKIP {why}')
    return out


def outside_subtests(lines, names):
    """The lines of a log but those of the subtests NAMES (from their
    "# Subtest:" line to their result line)."""
    skip = None
    for raw in lines:
        line = raw.rstrip('\n')
        body = line.lstrip(' \t')
        if skip is None:
            m = re.match(r'# Subtest: (\S+)$', body)
            if m and m.group(1) in names:
                skip = m.group(1)
                continue
            yield line
        else:
            m = RESULT.match(body)
            if m and (m.group(3) or '').split(' ')[0] == skip:
                skip = None


class Writer:
    """The KTAP of one of the harness's checks, printed as it goes and
    written with its NAME.result when it ends (what lib.sh's ktap_* do
    for the shell)."""

    def __init__(self, name):
        self.name, self.lines, self.counts = name, [], [0, 0, 0]
        self.t0 = time.time()
        self.planned = None

    def _line(self, *lines):
        for line in lines:
            print(line, flush=True)
            self.lines.append(line)

    def plan(self, n):
        self.planned = n
        self._line('KTAP version 1', f'1..{n}')

    def _n(self):
        return sum(self.counts) + 1

    def ok(self, name):
        self._line(f'ok {self._n()} {name}')
        self.counts[0] += 1

    def not_ok(self, name, why=''):
        self._line(f'not ok {self._n()} {name}', *(f'# {w}' for w in why.split('\n') if why))
        self.counts[1] += 1

    def skip(self, name, why):
        self._line(f'ok {self._n()} {name} # SKIP {why}')
        self.counts[2] += 1

    def end(self, results):
        """Write RESULTS/NAME.ktap and NAME.result; True when none failed.
        A plan that does not match what ran is a broken check."""
        if sum(self.counts) != self.planned:
            self.not_ok('plan', f'the plan said 1..{self.planned} but {sum(self.counts)} results came: '
                        'fix the count')
        os.makedirs(results, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(results, f'{self.name}.problems'))
        with open(os.path.join(results, f'{self.name}.ktap'), 'w') as f:
            f.write(''.join(f'{line}\n' for line in self.lines))
        passed, failed, skipped = self.counts
        secs = int(time.time() - self.t0)
        with open(os.path.join(results, f'{self.name}.result'), 'w') as f:
            f.write(f'{self.name} {passed} {failed} {skipped} {secs}\n')
        print(f'{self.name}: {passed} passed, {failed} failed, {skipped} skipped in {secs} s')
        return failed == 0
