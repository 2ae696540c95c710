# SPDX-License-Identifier: GPL-2.0
"""The harness's data files of one entry a line, fields separated by '|'
(harness/known-defects, harness/qemu-versions): comments and blank lines
left out, the last field free to hold '|' itself."""


def entries(lines, name, fields):
    """The field lists of LINES, each of FIELDS fields; a line with fewer is
    an error naming the file NAME."""
    out = []
    for line in lines:
        line = line.rstrip('\n')
        if not line.strip() or line.startswith('#'):
            continue
        f = line.split('|', fields - 1)
        if len(f) != fields:
            raise ValueError(f'{name}: "{line[:60]}" has {len(f)} fields, not {fields}')
        out.append(f)
    return out
