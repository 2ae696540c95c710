# SPDX-License-Identifier: GPL-2.0
"""The series as a maintainer takes it ('make standalone-check'): the base's
series applied with git am onto the pristine base in a worktree
(OUT/standalone), nothing copied in. One KTAP line per check: it applies;
it carries this repo's version of every test file in the directories it
touches (else 'make export' is due); its commit messages stand alone
(harness/bases MESSAGES); the tests it carries configure (UML allnoconfig
+ the suites' options) and their KUnit objects build; the kselftest builds
from the series alone. Only iommu_probe_storm of the iommu selftests is
built: Debian's 6.12.117 iommufd.c uses IOMMU_HW_INFO_TYPE_DEFAULT, which
its uapi header lacks.
"""

import os
import re
import subprocess

from . import glue, ktap, tree


def harness_terms(top):
    """What a commit message that names the harness says: its make targets,
    its knobs (but the kernel's own make variables and the kselftest's
    environment), IOMMU_TEST_, defect numbers, series positions."""
    knobs = []
    with open(os.path.join(top, 'harness', 'knobs')) as f:
        for line in f:
            w = line.split()
            if len(w) > 1 and w[1] == 'make' and not re.match(r'^(ARCH|V|STORM_.*)$', w[0]):
                knobs.append(w[0])
    return re.compile(r'make (selftests|check|smoke|kunit|run|mutate)|\b(' + '|'.join(knobs)
                      + r')=|IOMMU_TEST_|[Hh]arness|[Dd]efect [0-9]+|\b[0-9]{2}/[0-9]{2}\b')


def messages_naming_harness(top, patches):
    """"PATCH:LINE:TEXT" for each line of the PATCHES' messages (above the
    '---': a diff may say anything; the subject's [PATCH n/m] left out)
    that names the harness."""
    terms, out = harness_terms(top), []
    for p in patches:
        with open(p, errors='replace') as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip('\n')
                if line == '---':
                    break
                line = re.sub(r'^Subject: \[PATCH[^]]*\] ', 'Subject: ', line)
                if terms.search(line):
                    out.append(f'{os.path.basename(p)}:{n}:{line}')
    return out


def logged(log, cmd, **kw):
    with open(log, 'a') as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw).returncode == 0


def tail(log, n=20):
    with open(log, errors='replace') as f:
        return '\n'.join(f.read().split('\n')[-n - 1:])


def main(a):
    top, out = glue.TOP, os.environ['OUT']
    wt, kout = os.path.join(out, 'standalone'), os.path.join(out, 'standalone-um')
    os.makedirs(a.results, exist_ok=True)
    log = os.path.join(a.results, 'standalone.log')
    open(log, 'w').close()
    glue.lib('base_worktree "$1"', wt)
    name, rel = os.path.relpath(a.tree, os.path.join(top, 'build')), os.path.relpath(a.patches, top)
    export = f"Run 'make export LINUX={a.linux}' and commit {rel}."
    k = ktap.Writer(f'standalone{a.base_tag}')
    k.plan(6)
    patches = tree.Tree(a).series()
    am = f'git am of the {len(patches)} patches onto the base'
    if logged(log, ['git', '-C', wt, '-c', 'user.name=standalone', '-c', 'user.email=standalone@localhost', 'am',
                    '-q', '--keep-cr', *patches]):
        k.ok(am)
    else:
        k.not_ok(am, tail(log))
        subprocess.run(['git', '-C', wt, 'am', '--abort'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for c in ("the series carries the repo's test files", 'commit messages stand alone', 'tests configure',
                  'KUnit objects build', 'kselftest builds'):
            k.skip(c, 'the series does not apply')
        k.end(a.results)
        return 1

    # the test files of the directories the series touches (the mainline
    # series carries some of the suites only), and no test file the repo
    # has deleted
    def touched(d):
        return subprocess.run(['git', '-C', wt, 'diff', '--quiet', 'base', 'HEAD', '--', d]).returncode != 0
    carried = [f for f in tree.test_files(wt) if touched(os.path.dirname(f))]
    stale = [f for f in carried if not tree.same(tree.test_source(wt, f), os.path.join(wt, f))]
    stale += [f'{f} (deleted here)' for f in tree.out(wt, 'diff', '--name-only', '--diff-filter=A', 'base', 'HEAD',
                                                     '--', *tree.TEST_DIRS).split()
              if not os.path.isfile(tree.test_source(wt, f))]
    if stale:
        k.not_ok("the series carries the repo's test files", f'{rel} has another version of: {" ".join(stale)}\n'
                 + export)
    else:
        k.ok(f"the series carries the repo's test files ({len(carried)} files)")

    named = messages_naming_harness(top, patches)
    if not named:
        k.ok(f'commit messages stand alone (no harness terms in {len(patches)} messages)')
    elif a.messages == 'harness':
        k.skip('commit messages stand alone', "harness/bases says this base's messages still name the harness "
               f"({len({n.split(':')[0] for n in named})} patches)")
    else:
        k.not_ok('commit messages stand alone', '\n'.join(named) + f'\nRewrite these in build/{name} '
                 f"(git rebase -i base), then 'make export LINUX={a.linux}'.")

    # the options of the suites the series carries: the IOMMU suites'
    # .kunitconfig, the driver core's device_link_unbind (DM_KUNIT_TEST).
    # UML's allnoconfig is 32-bit; kunit.py's UML is 64-bit.
    def kmake(*args):
        return logged(log, ['make', '-C', wt, f'O={kout}', 'ARCH=um', 'CC=ccache gcc', f'-j{os.cpu_count()}', *args])
    os.makedirs(kout, exist_ok=True)
    frag, dirs = [], []
    kc = os.path.join(wt, 'drivers/iommu/tests/.kunitconfig')
    if os.path.isfile(kc):
        frag += [line for line in open(kc).read().split('\n') if re.match(r'^CONFIG_[A-Z0-9_]+=', line)]
        dirs.append('drivers/iommu/tests/')
    unbind = os.path.join(wt, 'drivers/base/test/device_link_unbind_kunit.c')
    if os.path.isfile(unbind):
        frag += ['CONFIG_KUNIT=y', 'CONFIG_DM_KUNIT_TEST=y']
        dirs.append('drivers/base/test/')
    frag.append('CONFIG_64BIT=y')
    with open(f'{kout}.fragment', 'w') as f:
        f.write(''.join(f'{line}\n' for line in frag))
    if not dirs:
        k.not_ok('tests configure', 'the series carries no KUnit suite (drivers/iommu/tests/.kunitconfig, '
                 'drivers/base/test/device_link_unbind_kunit.c)\nA series is posted with its tests: add them '
                 f"(git -C build/{name} add -f), then 'make export LINUX={a.linux}'.")
        k.skip('KUnit objects build', 'no suite')
    else:
        label = f'tests configure (UML allnoconfig + {" ".join(dirs)})'
        missing = None
        if kmake(f'KCONFIG_ALLCONFIG={kout}.fragment', 'allnoconfig'):
            have = set(open(os.path.join(kout, '.config')).read().split('\n'))
            missing = [line for line in frag if line.endswith('=y') and line not in have]
        if missing == []:
            k.ok(label)
            if kmake(*dirs) and (not os.path.isfile(unbind) or os.path.isfile(
                    os.path.join(kout, 'drivers/base/test/device_link_unbind_kunit.o'))):
                objs = sum(f.endswith('.o') for d in dirs for _, _, fs in os.walk(os.path.join(kout, d)) for f in fs)
                k.ok(f'KUnit objects build ({objs} objects in {" ".join(dirs)})')
            else:
                k.not_ok('KUnit objects build', tail(log))
        else:
            k.not_ok(label, f'{" ".join(missing) if missing else "the configuration failed"}: did not stick; '
                     f'see {os.path.relpath(log, top)}')
            k.skip('KUnit objects build', 'the tests do not configure')

    # the kselftest with its own Makefile, against the series' uapi headers
    # (x86_64's: UML exports none)
    sout, hout = os.path.join(out, 'standalone-selftests'), os.path.join(out, 'standalone-headers')
    glue.lib('rm_build "$1"', sout)
    os.makedirs(sout)
    label = "kselftest builds (iommu_probe_storm with the selftests' iommu Makefile)"
    if (logged(log, ['make', '-C', wt, f'O={hout}', 'ARCH=x86_64', 'headers'])
            and logged(log, ['make', '-C', os.path.join(wt, 'tools/testing/selftests/iommu'), f'OUTPUT={sout}',
                             f'KHDR_INCLUDES=-isystem {hout}/usr/include', 'CC=ccache gcc',
                             os.path.join(sout, 'iommu_probe_storm')])
            and os.access(os.path.join(sout, 'iommu_probe_storm'), os.X_OK)):
        k.ok(label)
    else:
        k.not_ok(label, tail(log))
    return 0 if k.end(a.results) else 1
