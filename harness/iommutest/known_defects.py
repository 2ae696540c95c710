# SPDX-License-Identifier: GPL-2.0
"""harness/known-defects, read once: one entry a line, fields separated by
'|' (the file's header says what each means; the signature is last and
may itself hold '|')."""

from dataclasses import dataclass


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
    for line in lines:
        line = line.rstrip('\n')
        if not line.strip() or line.startswith('#'):
            continue
        f = line.split('|', 9)
        if len(f) != 10:
            raise ValueError(f'harness/known-defects: "{line[:60]}..." has {len(f)} fields, not 10')
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
