# SPDX-License-Identifier: GPL-2.0
"""Line coverage of named functions, from gcov's JSON (gcov --json-format):
each line gcov counts for the function, but for the first block of an
"if (COND(...)) { ... } else {" that the platform cannot take (UML has no
PCI); lines of inline helpers from headers are another file's."""

import gzip
import json
import os
import re


def read(paths):
    """gcov's JSON documents: files of one document each (.gcov.json.gz or
    plain), or of one document a line (gcov --stdout)."""
    docs = []
    for p in paths:
        opener = gzip.open if p.endswith('.gz') else open
        with opener(p, 'rt') as fh:
            for line in fh:
                if line.strip():
                    docs.append(json.loads(line))
    return docs


def _unreachable(source, start, end, cond):
    """The line numbers of the first block of "if (COND(" in START..END."""
    out, skipping = set(), False
    for n in range(start, end + 1):
        text = source[n - 1] if n <= len(source) else ''
        if not skipping and re.search(r'if \(' + re.escape(cond) + r'\(', text):
            skipping = True
        elif skipping and re.match(r'\t} else {', text):
            skipping = False
            continue
        if skipping:
            out.add(n)
    return out


def function(docs, src, fn, source, unreachable=None):
    """(lines, lines run) of FN in the source file SRC (a path ending),
    SOURCE its text as lines; None when gcov has no such function."""
    for d in docs:
        for f in d['files']:
            if not f['file'].endswith(src):
                continue
            meta = next((m for m in f['functions'] if m['name'] == fn), None)
            if meta is None:
                continue
            skip = _unreachable(source, meta['start_line'], meta['end_line'], unreachable) if unreachable else set()
            lines = [ln for ln in f['lines'] if ln.get('function_name') == fn
                     and meta['start_line'] <= ln['line_number'] <= meta['end_line']
                     and ln['line_number'] not in skip]
            return len(lines), sum(ln['count'] > 0 for ln in lines)
    return None


def table(docs, srcroot, funcs, unreachable):
    """[(function, lines, run)] of FUNCS ("src:function"), in order."""
    out = []
    for spec in funcs:
        src, fn = spec.split(':')
        with open(os.path.join(srcroot, src), errors='replace') as fh:
            source = fh.read().splitlines()
        got = function(docs, src, fn, source, unreachable.get(fn))
        if not got or not got[0]:
            raise LookupError(f'no lines of {fn} in gcov\'s data of {src}: is it still in the series?')
        out.append((fn,) + got)
    return out
