# SPDX-License-Identifier: GPL-2.0
"""The Debian packages the project needs, only those of the make goals at
hand ('make deps', and every goal before it runs). Idempotent: one line
and nothing done when they are all present; only apt-get needs root.

  deps [--for "GOAL..."] [--base|--busybox] [--list]

--base also fetches the pinned source of the base (LINUX, harness/bases):
a 'system' one with apt-get, another from its suite at exactly the pinned
version, unpacked under build/src/NAME. --busybox also fetches static
busybox for the guests (bench-selftests). --list prints the packages.
The QEMUs of harness/qemu-versions that are not the system's are fetched
with the guests' packages. A suite other than the system's is read
through a sources list of the harness's own (build/apt/SUITE); the
system's apt configuration is neither read for sources nor changed.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

from . import glue, lists, qemu_versions, targets
from .glue import die, info, step

BUILD = os.path.join(glue.TOP, 'build')
# every goal builds a kernel or checks a tree. python3-ply, python3-git:
# checkpatch's SPDX check (scripts/spdxcheck.py), which without either
# prints a traceback per file and checks nothing. libcap-dev: 7.3's
# kselftest Makefile links every program with -lcap.
CORE = ['make', 'gcc', 'flex', 'bison', 'bc', 'libelf-dev', 'libssl-dev', 'ccache', 'python3', 'git',
        'cpio', 'xz-utils', 'kmod', 'rsync', 'perl', 'gawk', 'python3-ply', 'python3-git', 'libcap-dev']
# the goals that build or run no guest and no foreign arch
PLAIN = {'coverage', 'bench-kunit', 'kunit-repeat', 'mutate', 'checkpatch', 'kerneldoc', 'standalone-check',
         'selftest', 'tree', 'export', 'deps'}


def guest_arches():
    return list(dict.fromkeys(k.arch for k in targets.KINDS.values()))


def guests():
    """The guests' packages: each guest arch's cross compiler and QEMU, the
    firmware of the guest kinds, gdb (the judge reads a crashed QEMU's
    frame from its core)."""
    out = ['gdb']
    for a in guest_arches():
        out += [*targets.ARCHES[a].packages, targets.ARCHES[a].qemu_package]
    return out + [k.firmware_package for k in targets.KINDS.values() if k.firmware_package]


def kunit_needs(arch):
    """What a KUnit run on ARCH needs beyond CORE (UML: nothing)."""
    return [] if arch == 'um' else [*targets.ARCHES[arch].packages, targets.ARCHES[arch].qemu_package]


def goal_packages(goal, arch='um', bench_arch='x86_64'):
    if goal == 'kunit':
        return kunit_needs(arch)
    if goal == 'bench-mutate':
        # the guest mutations boot arm64 and x86_64 guests
        return kunit_needs(bench_arch) + guests()
    if goal in PLAIN:
        return []
    if goal == 'bisect-check':
        return targets.ARCHES['arm64'].packages
    if goal == 'allmod-check':
        return targets.ARCHES['arm64'].packages + targets.ARCHES['arm'].packages
    if goal == 'everything':
        return guests() + targets.ARCHES['arm'].packages
    return guests()


def packages(goals, arch='um', bench_arch='x86_64'):
    out = list(CORE)
    for g in goals:
        out += goal_packages(g, arch, bench_arch)
    return list(dict.fromkeys(out))


def installed(package):
    p = subprocess.run(['dpkg-query', '-W', '-f=${Status}', package], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return p.stdout.strip() == 'install ok installed'


def logged(name, cmd, cwd=None, env=None):
    """CMD, its output in build/logs/NAME.log (shown too with V=1); the
    log's tail shown when it fails. True when it succeeded."""
    log = os.path.join(BUILD, 'logs', f'{name}.log')
    os.makedirs(os.path.dirname(log), exist_ok=True)
    verbose = os.environ.get('IOMMU_TEST_V') == '1'
    with open(log, 'w') as f:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors='replace')
        for line in p.stdout:
            f.write(line)
            if verbose:
                sys.stdout.write(line)
        rc = p.wait()
    if rc:
        with open(log) as f:
            tail = f.read().split('\n')[-41:]
        print(f'---- last 40 lines of {log} ----', *tail, f'---- end of {log} ----', sep='\n', file=sys.stderr)
    return rc == 0


def need_root(what, command):
    if os.geteuid() != 0:
        die(f'{what} and this is not root.', command)


class Apt:
    def __init__(self):
        self.updated = False

    def update(self, what):
        if self.updated:
            return
        need_root(f'packages are missing ({" ".join(what)})',
                  "Run 'sudo harness/deps.sh' or install them with apt-get.")
        step('apt-get update')
        if not logged('apt-update', ['apt-get', 'update', '-q']):
            die('apt-get update failed (log above).', 'Check the network access to the Debian mirror.')
        self.updated = True

    def install(self, pkgs):
        self.update(pkgs)
        step(f'apt-get install {" ".join(pkgs)}')
        if logged('apt-install', ['apt-get', 'install', '-y', '-q', '--no-install-recommends', *pkgs],
                  env=dict(os.environ, DEBIAN_FRONTEND='noninteractive')):
            return
        for p in pkgs:
            policy = subprocess.run(['apt-cache', 'policy', p.split('=')[0]], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True).stdout
            if 'Candidate: ' not in policy or 'Candidate: (none)' in policy:
                die(f"Debian package '{p.split('=')[0]}' cannot be installed: apt has no candidate for it.",
                    'Check /etc/apt/sources.list (bookworm, bookworm-security, main).')
        die(f'apt-get install {" ".join(pkgs)} failed (log above).')

    def private(self, suite, what, command):
        """A sources list of the harness's own for the Debian suite SUITE
        (build/apt/SUITE: the system's mirror, that suite), its lists
        updated; the apt-get options that use it."""
        need_root(f'{what} is not fetched', f"Run '{command}' (it fetches it from Debian {suite} under build/).")
        d = os.path.join(BUILD, 'apt', suite)
        p = subprocess.run(['apt-get', 'indextargets', '--format', '$(REPO_URI) $(RELEASE)', 'Identifier: Packages'],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        uri = next((line.split()[0] for line in p.stdout.split('\n') if line.split()[1:2] == ['bookworm']),
                   'http://deb.debian.org/debian/')
        for sub in ('lists/partial', 'cache/archives/partial', 'debs'):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        with open(os.path.join(d, 'sources.list'), 'w') as f:
            f.write(f'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] {uri} {suite} main\n')
        opts = ['-o', f'Dir::Etc::sourcelist={d}/sources.list', '-o', 'Dir::Etc::sourceparts=/dev/null',
                '-o', f'Dir::State::lists={d}/lists', '-o', f'Dir::Cache={d}/cache', '-o', 'APT::Sandbox::User=root']
        step(f'fetching {what} from Debian {suite} (apt sources of its own: build/apt/{suite})')
        if not logged(f'apt-update-{suite}', ['apt-get', '-q', *opts, 'update']):
            die(f'apt-get update of {suite} failed (log above).', f'Check the network access to {uri}.')
        for deb in glob.glob(os.path.join(d, 'debs', '*.deb')):
            os.unlink(deb)
        return opts

    def fetch(self, suite, opts, package):
        """PACKAGE[=VERSION] downloaded into build/apt/SUITE/debs: its path."""
        debs = os.path.join(BUILD, 'apt', suite, 'debs')
        if not logged(f'apt-download-{suite}', ['apt-get', '-q', *opts, 'download', package], cwd=debs):
            return None
        return max(glob.glob(os.path.join(debs, f'{package.split("=")[0]}_*.deb')), key=os.path.getmtime)


def unpack(deb, into):
    if subprocess.run(['dpkg-deb', '-x', deb, into]).returncode:
        die(f'unpacking {deb} failed.', f'Check free disk space (df -h {BUILD}).')


def madison(package, opts=()):
    p = subprocess.run(['apt-cache', *opts, 'madison', package], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return [line.split('|')[1].strip() for line in p.stdout.split('\n') if line.count('|') >= 2]


def base(apt, linux):
    """The pinned base of this run (harness/bases): a 'system' one installed
    with apt-get (another 6.12.x accepted with a warning when the pinned one
    is gone), any other fetched from its suite at exactly the pinned
    version and unpacked under build/src/NAME."""
    with open(os.path.join(glue.TOP, 'harness', 'bases')) as f:
        entry = next((e for e in lists.entries(f, 'harness/bases', 6) if e[0] == linux), None)
    if entry is None:
        die(f'LINUX={linux} is not in harness/bases.')
    _, package, want, suite, _, _ = entry
    if suite == 'system':
        tarball = f'/usr/src/{package}.tar.xz'
        have = subprocess.run(['dpkg-query', '-W', '-f=${Version}', package], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True).stdout.strip()
    else:
        src = os.path.join(BUILD, 'src', linux)
        tarball = os.path.join(src, 'usr', 'src', f'{package}.tar.xz')
        try:
            have = open(os.path.join(src, 'VERSION')).read().strip()
        except OSError:
            have = ''
    if have == want and os.path.isfile(tarball):
        return
    if suite != 'system':
        opts = apt.private(suite, f'the source of Linux {linux} ({package} {want})', f'sudo make deps LINUX={linux}')
        deb = apt.fetch(suite, opts, f'{package}={want}')
        if not deb:
            die(f'apt-get download {package}={want} from {suite} failed (log above).',
                f'The pinned version may be gone from {suite}: update harness/bases.')
        glue.lib('rm_build "$1"', src)
        os.makedirs(src)
        unpack(deb, src)
        if not os.path.isfile(tarball):
            die(f'{package} {want} has no usr/src/{package}.tar.xz.',
                "The package's layout changed; adjust base_tarball() in harness/lib.sh.")
        with open(os.path.join(src, 'VERSION'), 'w') as f:
            f.write(f'{want}\n')
        info(f'Linux {linux}: {package} {want} under build/src/{linux}')
        return
    apt.update([package])
    if want in madison(package):
        apt.install([f'{package}={want}'])
        return
    print(f'WARNING: {package} {want} (harness/bases) is not available from apt.', file=sys.stderr)
    if have and os.path.isfile(tarball):
        print(f'WARNING: using the installed {have}; results may differ from the pinned base.', file=sys.stderr)
        return
    apt.install([package])
    print(f'WARNING: installed another {package} instead; update harness/bases if the series applies.',
          file=sys.stderr)


def busybox():
    """Static busybox for the guests' arches (the shell-loop reference of
    'make bench-selftests'), from Debian's busybox-static, unpacked under
    build/busybox/ARCH. A foreign arch's package lists are fetched for this
    download only; dpkg is not told about it."""
    debs = [targets.ARCHES[a].debian for a in guest_arches()]
    opts = [o for d in debs for o in ('-o', f'APT::Architectures::={d}')]
    updated = False
    for d in debs:
        if os.access(os.path.join(BUILD, 'busybox', d, 'busybox'), os.X_OK):
            continue
        need_root(f'busybox for {d} guests is missing', "Run 'sudo harness/deps.sh --busybox'.")
        if not updated:
            step('apt-get update (the guest arches\' lists, for busybox-static)')
            if not logged('apt-update-busybox', ['apt-get', '-q', *opts, 'update']):
                die('apt-get update with the guest arches\' lists failed (log above).')
            updated = True
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            if not logged(f'busybox-{d}', ['apt-get', '-q', *opts, 'download', f'busybox-static:{d}'], cwd=tmp):
                die(f'downloading busybox-static:{d} failed (log above).')
            unpack(glob.glob(os.path.join(tmp, 'busybox-static_*.deb'))[0], os.path.join(tmp, 'root'))
            os.makedirs(os.path.join(BUILD, 'busybox', d), exist_ok=True)
            shutil.copy(os.path.join(tmp, 'root', 'bin', 'busybox'), os.path.join(BUILD, 'busybox', d, 'busybox'))
        info(f'busybox for {d} guests: build/busybox/{d}/busybox')


def qemu(apt, q):
    """A QEMU of harness/qemu-versions that is not the system's: its Debian
    packages at the pinned version, unpacked under build/qemu/NAME/root, run
    by wrappers in build/qemu/NAME/bin that point QEMU at its own firmware
    (-L: its data and the suite's seabios before the system's) and modules
    (QEMU_MODULE_DIR). They use the system's libraries: those of the
    system's QEMU, which the guests' packages install."""
    d = os.path.join(BUILD, 'qemu', q.name)
    try:
        if open(os.path.join(d, 'VERSION')).read().strip() == q.version:
            return
    except OSError:
        pass
    opts = apt.private(q.suite, f'QEMU {q.name} ({q.version})', 'sudo harness/deps.sh')
    for p in q.packages:
        # firmware comes from the suite at its own version
        want = f'{p}={q.version}' if q.version in madison(p, opts) else p
        if not apt.fetch(q.suite, opts, want):
            die(f'apt-get download {want} from {q.suite} failed (log above).',
                f'The pinned version may be gone from {q.suite}: update harness/qemu-versions.')
    glue.lib('rm_build "$1"', d)
    os.makedirs(os.path.join(d, 'bin'))
    for deb in sorted(glob.glob(os.path.join(BUILD, 'apt', q.suite, 'debs', '*.deb'))):
        unpack(deb, os.path.join(d, 'root'))
    root = os.path.join(d, 'root')
    for a in guest_arches():
        b = targets.ARCHES[a].qemu
        exe = os.path.join(root, 'usr', 'bin', b)
        if not os.access(exe, os.X_OK):
            die(f'QEMU {q.name}: the packages have no usr/bin/{b}.')
        ldd = subprocess.run(['ldd', exe], stdout=subprocess.PIPE, text=True).stdout
        lacks = [line.split()[0] for line in ldd.split('\n') if 'not found' in line]
        if lacks:
            die(f'QEMU {q.name}: {b} needs libraries this system lacks: {" ".join(lacks)}.',
                'Install the bookworm packages that hold them (apt-file search), or use QEMU=7.2.')
        with open(os.path.join(d, 'bin', b), 'w') as f:
            f.write(f'#!/bin/sh\n# QEMU {q.name}, Debian {q.version} from {q.suite}, unpacked by harness/deps.sh\n'
                    f'export QEMU_MODULE_DIR={root}/usr/lib/x86_64-linux-gnu/qemu\n'
                    f'exec {exe} -L {root}/usr/share/qemu -L {root}/usr/share/seabios "$@"\n')
        os.chmod(os.path.join(d, 'bin', b), 0o755)
    with open(os.path.join(d, 'VERSION'), 'w') as f:
        f.write(f'{q.version}\n')
    version = subprocess.run([os.path.join(d, 'bin', targets.ARCHES['arm64'].qemu), '--version'],
                             stdout=subprocess.PIPE, text=True).stdout.split('\n')[0]
    info(f'QEMU {q.name}: {version}')


def main(a):
    env = os.environ.get
    pkgs = packages(a.goals.split() or ['all'], env('IOMMU_TEST_ARCH') or 'um',
                    env('IOMMU_TEST_BENCH_ARCH') or 'x86_64')
    if a.list:
        print('\n'.join(pkgs))
        return 0
    apt = Apt()
    need = [p for p in pkgs if not installed(p)]
    if need:
        apt.install(need)
    else:
        info(f'packages: all {len(pkgs)} present')
    # the guests boot on the QEMUs of harness/qemu-versions
    if targets.ARCHES['arm64'].qemu_package in pkgs:
        for q in qemu_versions.read(os.path.join(glue.TOP, 'harness', 'qemu-versions')):
            if q.suite != 'system':
                qemu(apt, q)
    if a.base:
        base(apt, env('IOMMU_TEST_LINUX') or a.linux)
    if a.busybox:
        busybox()
    return 0
