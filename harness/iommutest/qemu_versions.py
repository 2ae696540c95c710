# SPDX-License-Identifier: GPL-2.0
"""harness/qemu-versions, read once: the QEMUs the guests boot on (the
file's header says what each field means)."""

import re
from dataclasses import dataclass

from . import lists


@dataclass
class Qemu:
    name: str
    suite: str
    version: str
    packages: list
    avoid: str          # ERE of the devices it does not run (may hold '|'), or ''


def parse(lines):
    # AVOID, the last field, may alternate with '|'
    return [Qemu(f[0], f[1], f[2], [] if f[3] == '-' else f[3].split(), '' if f[4] == '-' else f[4])
            for f in lists.entries(lines, 'harness/qemu-versions', 5)]


def read(path):
    with open(path) as fh:
        return parse(fh)


def for_args(qemus, selected, args):
    """The QEMU a guest with the QEMU arguments ARGS boots on: SELECTED, or,
    when ARGS name a device it avoids, the next line's that does not."""
    names = [q.name for q in qemus]
    if selected not in names:
        raise LookupError(f'QEMU={selected} is not in harness/qemu-versions; use one of: {" ".join(names)}')
    line = f' {" ".join(args)} '
    for q in qemus[names.index(selected):]:
        if not q.avoid or not re.search(q.avoid, line):
            return q.name
    raise LookupError(f'no QEMU in harness/qemu-versions from {selected} on runs a guest with: {" ".join(args)}')
