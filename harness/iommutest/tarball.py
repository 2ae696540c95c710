# SPDX-License-Identifier: GPL-2.0
"""The kselftest as kernel CI takes it ('make kselftest-tarball'): the iommu
collection built by its own Makefile and packed by 'make gen_tar', and for
each guest target what a runner needs to boot it, in build/kselftest/TARGET/:

  kselftest.tar.gz  gen_tar of TARGETS=iommu for the target's architecture
  kernel-image      the guest kernel
  rootfs.cpio       initramfs: busybox, the C library the tests link with,
                    the modules compressed with xz, the tarball, and an init
                    that unpacks it and runs run_kselftest.sh
                    (harness/guest/run_kselftest.sh)
  disk0.img disk1.img (efi-code.img)  the endpoints' disks (the firmware)
  qemu.args         the QEMU binary, then its arguments, one per line, paths
                    relative to this directory
  run.sh            boots it from this directory, console on stdio;
                    arguments are added to QEMU's

SELFTEST_TARGETS picks targets (default: all); STORM_SECONDS, STORM_THREADS
and STORM_IOMMU_THREADS go on the guest's kernel command line.
"""

import os
import re
import shutil
import subprocess
import sys
import tarfile

from . import glue, guest, targets
from .glue import die

RUN_SH = '''#!/bin/sh
# Boots the iommu kselftest guest of this directory (written by the
# harness's kselftest-tarball step): QEMU with qemu.args, the console on
# stdio; the arguments of this script are added to QEMU's. The guest runs
# run_kselftest.sh -t iommu:iommu_probe_storm and powers off.
cd "$(dirname "$0")" || exit 1
n=$#
while IFS= read -r a; do set -- "$@" "$a"; done <qemu.args
while [ "$n" -gt 0 ]; do a=$1; shift; set -- "$@" "$a"; n=$((n - 1)); done
exec "$@" -display none -monitor none -serial stdio -no-reboot
'''


def knob(name, default=''):
    return os.environ.get(f'IOMMU_TEST_{name}', default)


def logged(log, cmd):
    with open(log, 'w') as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT).returncode == 0


def tail(log, n=40):
    return '\n'.join(open(log, errors='replace').read().split('\n')[-n - 1:])


def gen_tar(src, out, kdir, arch):
    """The iommu collection built against the guest kernel's headers and
    packed: the tarball's path."""
    cross = targets.ARCHES[arch].cross
    inst = os.path.join(out, 'kselftest', f'install-{arch}')
    logs = os.path.join(out, 'logs')
    os.makedirs(logs, exist_ok=True)
    log = os.path.join(logs, f'kselftest-{arch}.log')
    glue.lib('rm_build "$1"', inst)
    hlog = os.path.join(logs, f'headers-{arch}.log')
    if not logged(hlog, ['make', '-C', src, f'O={kdir}', f'ARCH={arch}', f'CROSS_COMPILE={cross}', 'headers']):
        print(tail(hlog), file=sys.stderr)
        die(f'{arch}: make headers failed (log above).')
    ksft = ['make', '-C', os.path.join(src, 'tools/testing/selftests'), f'O={kdir}', f'ARCH={arch}',
            f'CROSS_COMPILE={cross}', f'CC=ccache {cross}gcc', 'TARGETS=iommu', f'KSFT_INSTALL_PATH={inst}']
    if not logged(log, [*ksft, 'gen_tar']):
        # Debian's 6.12.117 iommufd.c uses IOMMU_HW_INFO_TYPE_DEFAULT, which
        # its own uapi header does not have: a stable backport without the
        # uAPI change it needs, nothing of this series
        if not re.search('IOMMU_HW_INFO_TYPE_DEFAULT.*undeclared', open(log, errors='replace').read()):
            print(tail(log), file=sys.stderr)
            die(f'{arch}: building the iommu kselftests failed ({os.path.relpath(log, glue.TOP)}, tail above).')
        print(f"WARNING: {arch}: the base's iommufd selftests do not build (iommufd.c: IOMMU_HW_INFO_TYPE_DEFAULT "
              f'undeclared; {os.path.relpath(log, glue.TOP)}): packing iommu_probe_storm alone.', file=sys.stderr)
        glue.lib('rm_build "$1"', inst)
        # lib.mk prefixes TEST_GEN_PROGS with the output directory; one given
        # on the command line must carry it already
        prog = os.path.join(os.path.realpath(kdir), 'kselftest/iommu/iommu_probe_storm')
        if not logged(log, [*ksft, f'TEST_GEN_PROGS={prog}', 'gen_tar']):
            print(tail(log), file=sys.stderr)
            die(f'{arch}: building iommu_probe_storm with the kselftest Makefile failed (log above).')
    return os.path.join(inst, 'kselftest-packages', 'kselftest.tar.gz')


def libc_files(arch, prog):
    """initramfs.sh's -f SRC=DEST options for the program's interpreter and
    the libraries it names (all of glibc's live in one directory of the
    cross or the host toolchain)."""
    a = targets.ARCHES[arch]
    head = subprocess.run([a.readelf, '-l', prog], stdout=subprocess.PIPE, text=True).stdout
    m = re.search(r'Requesting program interpreter: (.*)\]$', head, re.M)
    if not m:
        return []
    opts = ['-f', f'{a.libdir}/{os.path.basename(m.group(1))}={m.group(1)}']
    dyn = subprocess.run([a.readelf, '-d', prog], stdout=subprocess.PIPE, text=True).stdout
    for lib in re.findall(r'\(NEEDED\).*\[(.*)\]$', dyn, re.M):
        if not os.path.isfile(os.path.join(a.libdir, lib)):
            die(f'{prog} needs {lib}, which is not in {a.libdir}.',
                f"Install the C library of the {arch} toolchain ('make deps').")
        opts += ['-f', f'{a.libdir}/{lib}=/lib/{lib}']
    return opts


def main(a):
    from .guests import kind_dir
    src, out = os.environ['SRC'], os.environ['OUT']
    names = (knob('SELFTEST_TARGETS') or ' '.join(targets.TARGETS)).split()
    if not os.path.isfile(os.path.join(src, 'tools/testing/selftests/iommu/iommu_probe_storm.c')):
        die(f'no tools/testing/selftests/iommu/iommu_probe_storm.c in {src}.',
            "Run 'make tree': it copies tools/ of this repo into the tree.")
    if knob('STORM_EXCLUDE'):
        die(f"STORM_EXCLUDE={knob('STORM_EXCLUDE')}: the kselftest tarball runs every scenario.",
            "run_kselftest.sh starts a test with no options, as CI does; leave STORM_EXCLUDE out, or use "
            "'make selftests STORM_EXCLUDE=...'.")
    append = f"STORM_SECONDS={knob('STORM_SECONDS') or 3} STORM_THREADS={knob('STORM_THREADS') or 4}"
    if knob('STORM_IOMMU_THREADS'):
        append += f" STORM_IOMMU_THREADS={knob('STORM_IOMMU_THREADS')}"
    # the guest's shell and tools: Debian's busybox-static, fetched with apt
    subprocess.run([os.path.join(glue.TOP, 'harness/deps.sh'), '--for', 'kselftest-tarball', '--busybox'],
                   stdout=subprocess.DEVNULL, check=True)
    built, tarballs = set(), {}
    for t in names:
        if t not in targets.TARGETS:
            die(f'SELFTEST_TARGETS: no such guest target {t}.', f'Use: {" ".join(targets.TARGETS)}.')
        target = targets.TARGETS[t]
        kind, arch = target.kind, targets.KINDS[target.kind].arch
        d = kind_dir(kind)
        kdir = os.path.join(out, d)
        if d not in built:
            if glue.lib('build_guest_kernel "$1"', kind).returncode:
                die(f'the {kind} guest kernel did not build (output above).')
            built.add(d)
        if arch not in tarballs:
            print(f'==> kselftest-{arch}: make gen_tar TARGETS=iommu', flush=True)
            tarballs[arch] = gen_tar(src, out, kdir, arch)
            with tarfile.open(tarballs[arch]) as tf:
                print(f'    kselftest-{arch}: {os.path.relpath(tarballs[arch], glue.TOP)}: '
                      f'{" ".join(tf.getnames())}', flush=True)
        o = os.path.join(out, 'kselftest', t)
        glue.lib('rm_build "$1"', o)
        os.makedirs(os.path.join(o, 'unpacked'))
        shutil.copyfile(tarballs[arch], os.path.join(o, 'kselftest.tar.gz'))
        with tarfile.open(os.path.join(o, 'kselftest.tar.gz')) as tf:
            tf.extractall(os.path.join(o, 'unpacked'))
        libs = libc_files(arch, os.path.join(o, 'unpacked/iommu/iommu_probe_storm'))
        if subprocess.run([os.path.join(glue.TOP, 'harness/initramfs.sh'), '-z', *libs, '-f',
                           f"{o}/kselftest.tar.gz=/kselftest.tar.gz", d, arch,
                           os.path.join(glue.TOP, 'harness/guest/run_kselftest.sh')],
                          env=dict(os.environ, IOMMU_TEST_IMAGE='kselftest')).returncode:
            die(f'{t}: the kselftest rootfs did not build (output above).')
        glue.lib('rm_build "$1"', os.path.join(o, 'unpacked'))
        os.replace(os.path.join(kdir, 'kselftest.cpio'), os.path.join(o, 'rootfs.cpio'))
        shutil.copyfile(os.path.realpath(os.path.join(kdir, 'kernel-image')), os.path.join(o, 'kernel-image'))
        os.environ['IOMMU_TEST_GUEST_APPEND'] = append
        cmd, _ = guest.cmdline('kernel-image', 'rootfs.cpio', o, kind, target.machine, target.module,
                               target.qemu_args.split())
        with open(os.path.join(o, 'qemu.args'), 'w') as f:
            f.write(''.join(f"{c.replace(o + '/', '')}\n" for c in cmd))
        with open(os.path.join(o, 'run.sh'), 'w') as f:
            f.write(RUN_SH)
        os.chmod(os.path.join(o, 'run.sh'), 0o755)
        print(f"    {t}: {os.path.relpath(o, glue.TOP)}: {' '.join(sorted(os.listdir(o)))}", flush=True)
    return 0
