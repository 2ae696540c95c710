# SPDX-License-Identifier: GPL-2.0
"""Line coverage of named functions, from gcov's JSON (gcov --json-format):
each line gcov counts for the function, but for the first block of an
"if (COND(...)) { ... } else {" that the platform cannot take (UML has no
PCI); lines of inline helpers from headers are another file's."""

import contextlib
import gzip
import json
import os
import re
import subprocess
import sys
import time

from . import glue, kunit_run, mutations


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


# The fwspec code the series adds or changes, by file
FUNCTIONS = {
    'drivers/iommu/iommu.c': ['iommu_fwspec_alloc', 'iommu_fwspec_dealloc', 'iommu_fwspec_append_ids',
                              'iommu_fwspec_add_ids', 'iommu_fwspec_init', 'iommu_fwspec_of_xlate',
                              'iommu_probe_device_fwspec', 'dev_iommu_free'],
    'drivers/iommu/of_iommu.c': ['of_iommu_xlate', 'of_iommu_configure_dev_id', 'of_iommu_configure_dev',
                                 'of_iommu_configure_device', 'of_iommu_configure'],
}
# Branches UML cannot take, not counted: function -> the condition of an
# "if (COND(...)) { ... } else {" whose first block is skipped (UML has no PCI)
UML_UNREACHABLE = {'of_iommu_configure': 'dev_is_pci'}


def measure(a):
    """'make coverage': the KUnit suite on UML with its own configuration
    (the one 'make kunit' runs), only the files of FUNCTIONS built with
    gcc's profiling, run once; each function's lines from gcov's JSON.

    Not UML's CONFIG_GCOV (kunit.py's coverage_uml.config): it profiles
    every file and wants CONFIG_MODULES=n, so nothing of 'make kunit's build
    could be reused. This way every other object is the one ccache holds
    from 'make kunit', and the suite runs as it does there. Only code UML
    runs is measured: the ACPI paths (IORT, VIOT) are not built there; the
    guest smoke tests run those."""
    t0 = time.time()
    src, out = os.environ['SRC'], os.environ['OUT']
    bdir, res = os.path.join(out, 'kunit-coverage'), os.path.join(out, 'results')
    log = os.path.join(res, 'coverage.log')
    rel = lambda p: os.path.relpath(p, glue.TOP)

    def die(msg, hint):
        raise SystemExit(f'ERROR: coverage: {msg}\n       {hint}')
    os.makedirs(res, exist_ok=True)
    print(f'==> coverage: building and running the suite with gcov on UML (log: {rel(log)})', flush=True)
    for d, _, files in os.walk(bdir):
        for f in files:
            if f.endswith('.gcda'):
                os.unlink(os.path.join(d, f))
    # UML's linker script keeps .fini_array but not .fini_array.NNNNN, where
    # gcc (7 and later) puts the destructor that writes the .gcda files at
    # exit: the coverage build adds it to the tree for its duration
    lds = open(os.path.join(src, 'arch/um/include/asm/common.lds.S')).read()
    fix = None
    if 'fini_array.*' not in lds:
        if os.environ.get('IOMMU_TEST_KERNEL_SRC'):
            die(f"{os.environ['IOMMU_TEST_KERNEL_SRC']}'s UML linker script drops gcov's exit handler.",
                'Apply harness/uml-gcov-fini-array.patch to it, or run on build/linux.')
        fix = os.path.join(glue.TOP, 'harness/uml-gcov-fini-array.patch')
    # profiling per object: kbuild's CFLAGS_<stem>.o from make's command
    # line (so every sub-make has it); no other object of the UML build has
    # those stems (checked below). The UML link is gcc's, without
    # -fprofile-arcs: libgcov is named to the linker, the symbols the
    # profiled objects need asked for first. gcc 12's libgcov has a global
    # mangle_path(), as fs/seq_file.c does: the link keeps the kernel's.
    profile = [f'--make_options=CFLAGS_{os.path.basename(f)[:-2]}.o=-fprofile-arcs -ftest-coverage'
               for f in FUNCTIONS]
    libgcov = subprocess.run(['gcc', '-print-file-name=libgcov.a'], stdout=subprocess.PIPE, text=True).stdout.strip()
    if not os.path.isfile(libgcov):
        die(f'gcc has no libgcov.a ({libgcov}).', "Install gcc's full package (libgcc-12-dev).")
    link = ('LDFLAGS_EXECSTACK=-z noexecstack --no-warn-rwx-segments --allow-multiple-definition '
            f'-u __gcov_init -u __gcov_exit -u __gcov_merge_add {libgcov}')
    with (mutations.applied(a.tree, a.undo, fix) if fix else contextlib.nullcontext()):
        rc = kunit_run.run(src, 'um', bdir, f'--make_options={link}', *profile, log=log)
    if rc:
        print('\n'.join(open(log, errors='replace').read().split('\n')[-31:]), file=sys.stderr)
        die('the gcov build or run of the suite failed (log above).',
            "Run 'make kunit' first to see whether the suite itself passes.")
    gcovd = os.path.join(bdir, 'gcov')
    glue.lib('rm_build "$1"', gcovd)
    os.makedirs(gcovd)
    config_time = os.path.getmtime(os.path.join(bdir, '.config'))
    jsons = []
    for f in FUNCTIONS:
        stem = os.path.basename(f)[:-2]
        built = [os.path.join(d, x) for d, _, xs in os.walk(bdir) for x in xs
                 if x == f'{stem}.gcno' and os.path.getmtime(os.path.join(d, x)) > config_time]
        if len(built) != 1:
            die(f'{len(built)} objects named {stem}.o were built with profiling, not 1.',
                f'A second {stem}.o in the UML build: give coverage.py a narrower way to pick {f}.')
        obj = os.path.join(bdir, f[:-2] + '.o')
        if not os.path.exists(obj[:-2] + '.gcda'):
            die(f'no {rel(obj)} coverage data.', f'The suite did not run, or {f} is not built for UML.')
        # from the build directory: the objects name their sources
        # relative to it (CCACHE_BASEDIR); the annotated sources kept for
        # a reader looking for the lines never run
        txt = os.path.join(gcovd, os.path.basename(f) + '.txt')
        with open(txt, 'w') as t:
            subprocess.run(['gcov', '-f', '-o', os.path.dirname(obj), os.path.join(src, f)], cwd=bdir, stdout=t,
                           stderr=subprocess.STDOUT)
            for g in os.listdir(bdir):
                if g.endswith('.gcov'):
                    os.replace(os.path.join(bdir, g), os.path.join(gcovd, g))
            jsons.append(os.path.join(gcovd, os.path.basename(f) + '.json'))
            with open(jsons[-1], 'w') as j:
                subprocess.run(['gcov', '--json-format', '--stdout', '-o', os.path.dirname(obj), os.path.join(src, f)],
                               cwd=bdir, stdout=j, stderr=t)
    try:
        rows = table(read(jsons), src, [f'{f}:{fn}' for f, fns in FUNCTIONS.items() for fn in fns],
                     UML_UNREACHABLE)
    except (LookupError, OSError, ValueError) as e:
        die(str(e), f'See the gcov output in {rel(gcovd)}.')
    lines = [f'{"function":<44} {"lines":>6} {"run":>6} {"covered":>8}']
    lines += [f'{fn:<44} {n:>6} {run:>6} {100 * run / n:>7.1f}%' for fn, n, run in rows]
    n, run = sum(r[1] for r in rows), sum(r[2] for r in rows)
    pct = 100 * run / n
    lines.append(f'{"TOTAL":<44} {n:>6} {run:>6} {pct:>7.1f}%')
    print('\n'.join(lines))
    with open(log, 'a') as f:
        f.write('\n'.join(lines) + '\n')
    if pct < a.min:
        die(f"{pct:.1f}% of the functions' lines run, under the {a.min:g}% floor.",
            f'See the .gcov files in {rel(gcovd)} for the lines never run, and add cases.')
    with open(os.path.join(res, 'coverage.result'), 'w') as f:
        f.write(f'coverage 1 0 0 {int(time.time() - t0)}\n')
    print(f'coverage: {pct:.1f}% of lines (floor {a.min:g}%); annotated sources in {rel(gcovd)}')
    return 0

