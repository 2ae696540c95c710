# SPDX-License-Identifier: GPL-2.0
"""One test guest: the QEMU it boots on and its QEMU command line, and its
boot ('guest NAME KIND MACHINE IOMMU-MODULE [QEMU-ARG...]', judged by
boot.py).

Two virtio-blk endpoints sit behind the IOMMU (iommu_platform=on;
EXPECT_ENDPOINTS=2 tells the tests): disk0 holds the pattern that
harness/guest/iommu_smoke.c checks, disk1 is blank. IOMMU-MODULE "-" is a
driver built into the kernel (intel-iommu, amd-iommu); QEMU creates their
IOMMU device before the disks, as it wants. KIND says how the kernel
boots: arm64 (QEMU virt, device tree, -kernel), arm64-acpi (QEMU virt,
UEFI firmware, ACPI; the arm64 kernel), x86_64 (QEMU q35, ACPI, TCG).

Knobs: GUEST_TIMEOUT (the watchdog, 90 s), IMAGE (the initramfs,
KIND/IMAGE.cpio), GUEST_APPEND (added to the kernel command line: NAME=value
there reaches the test programs' environment), QEMU (harness/qemu-versions'
line), and the harness selftest's GUEST_DMA_BYPASS and GUEST_CORRUPT_DISK.
"""

import os
import re
import shutil
import subprocess

from . import boot, glue, qemu_versions, targets
from .glue import die

QEMUS = os.path.join(glue.TOP, 'harness', 'qemu-versions')
PATTERN_LINES = 2048


def knob(name, default=''):
    return os.environ.get(f'IOMMU_TEST_{name}', default)


def selected(qemus=None):
    """The QEMU of this run: QEMU=, else harness/qemu-versions' first."""
    qemus = qemus or qemu_versions.read(QEMUS)
    names = [q.name for q in qemus]
    q = knob('QEMU') or names[0]
    if q not in names:
        die(f'QEMU={q} is not in harness/qemu-versions.', f'Use one of: {" ".join(names)}')
    return q


def qemu_for(args, qemus=None):
    """The QEMU a guest with these QEMU arguments boots on."""
    qemus = qemus or qemu_versions.read(QEMUS)
    try:
        return qemu_versions.for_args(qemus, selected(qemus), args)
    except LookupError as e:
        die(f'no QEMU for a guest with: {" ".join(args)}: {e}')


def binary(name, program, qemus=None):
    """The command that runs PROGRAM of the QEMU NAME: the system's, else the
    wrapper harness/deps.sh wrote beside the unpacked packages."""
    q = next(q for q in (qemus or qemu_versions.read(QEMUS)) if q.name == name)
    if q.suite == 'system':
        path = shutil.which(program)
        if not path:
            die(f"{program} is not installed (QEMU={name} is the system's).", "Run 'make deps' as root.")
        return path
    path = os.path.join(glue.TOP, 'build', 'qemu', name, 'bin', program)
    if not os.access(path, os.X_OK):
        die(f'QEMU {name} is not fetched (no build/qemu/{name}/bin/{program}).',
            "Run 'make deps' as root (it fetches harness/qemu-versions' QEMUs).")
    return path


def version(name):
    try:
        b = binary(name, targets.ARCHES['arm64'].qemu)
        first = subprocess.run([b, '--version'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True).stdout.split('\n')[0]
        return re.sub(r'^QEMU emulator version ', '', first)
    except (SystemExit, OSError):
        return f'{name} (not installed)'


def summary():
    """"QEMU NAME: VERSION", and each target that boots on another QEMU."""
    qemus = qemu_versions.read(QEMUS)
    q = selected(qemus)
    line = f'QEMU {q}: {version(q)}'
    for t, target in targets.TARGETS.items():
        other = qemu_for(target.qemu_args.split(), qemus)
        if other != q:
            line += f'; {t} on QEMU {other}: {version(other)}'
    return line


def cmdline(kernel, initrd, d, kind, machine, module, args):
    """The QEMU command of a test guest (the binary, then its arguments,
    without the console ones) and the name of its QEMU; writes the two disk
    images (and arm64-acpi's firmware copy) into D."""
    if kind not in targets.KINDS:
        die(f'guest: unknown KIND {kind}.', f'Kinds: {" ".join(targets.KINDS)}.')
    name = qemu_for(args)
    # the pattern iommu_smoke.c expects: 2048 lines of 34 bytes;
    # GUEST_CORRUPT_DISK=1: one wrong byte in line 1000, for the harness's
    # own test that the DMA check notices
    pattern = bytearray(''.join(f'iommu-fwspec dma pattern {n:08d}\n' for n in range(PATTERN_LINES)).encode())
    if knob('GUEST_CORRUPT_DISK', '0') != '0':
        pattern[1000 * 34 + 5] = ord('X')
    for disk, data in (('disk0.img', pattern), ('disk1.img', b'')):
        with open(os.path.join(d, disk), 'wb') as f:
            f.write(data)
            f.truncate(1 << 20)
    # oops=panic with panic=-1: a guest that oopses stops at once (QEMU runs
    # with -no-reboot) instead of hanging until the watchdog. A task blocked
    # for 30 s is reported (with the locks held) within 35 s, well within
    # the watchdog's time, and then panics the guest with the whole kernel
    # log printed (panic_print=0x20): a hang's log then has the messages
    # loglevel=5 keeps off the console. deferred_probe_timeout=-1: an
    # endpoint waits for its IOMMU however long the IOMMU's driver is away
    # (with the default, one probed while virtio-iommu is unbound binds
    # without it and stays outside the IOMMU once it is back: kernel policy
    # for optional suppliers, which the storms rightly count as an endpoint
    # not behind its IOMMU). log_buf_len=8M: the judge reads the sanitizer's
    # start line, logged in the first second, from the kernel log the guest
    # prints at its end; the default 128 KiB wraps in a 40-trial race boot.
    append = ('loglevel=5 oops=panic panic=-1 sysctl.kernel.hung_task_timeout_secs=30 '
              'sysctl.kernel.hung_task_check_interval_secs=5 sysctl.kernel.hung_task_panic=1 panic_print=0x20 '
              'deferred_probe_timeout=-1 log_buf_len=8M')
    extra = knob('GUEST_APPEND')
    # the machine is set up for the checks, unless GUEST_APPEND says
    # otherwise (init's environment keeps the first of two values)
    if ' EXPECT_ENDPOINTS=' not in f' {extra} ':
        append += ' EXPECT_ENDPOINTS=2'
    append += f" IOMMU_MODULE={'' if module == '-' else module} STORM_DISPOSABLE=1 {extra}"
    k = targets.KINDS[kind]
    arch = targets.ARCHES[k.arch]
    qargs = ['-cpu', arch.cpu]
    if k.firmware:
        if not os.path.isfile(k.firmware):
            die(f'{k.firmware} is missing.', f"Run 'make deps' (package {k.firmware_package}).")
        # the virt machine wants its flash images exactly 64 MiB
        efi = os.path.join(d, 'efi-code.img')
        shutil.copyfile(k.firmware, efi)
        with open(efi, 'r+b') as f:
            f.truncate(64 << 20)
        qargs += ['-drive', f'if=pflash,format=raw,readonly=on,file={efi}']
    qargs += ['-append', f"console={arch.console}{' ' + k.append if k.append else ''} {append}"]
    # the disks' DMA goes through the IOMMU only with iommu_platform=on
    # (VIRTIO_F_ACCESS_PLATFORM; modern virtio only): without it QEMU reads
    # the rings and buffers at guest-physical addresses, whatever the IOMMU
    # does. GUEST_DMA_BYPASS=1: without it, for the harness's own test that
    # the guest notices DMA that bypasses the IOMMU
    disks = []
    for n in (0, 1):
        disks += ['-drive', f'if=none,id=disk{n},format=raw,readonly=on,file={d}/disk{n}.img',
                  '-device', f'virtio-blk-pci,drive=disk{n},iommu_platform=on,disable-legacy=on']
    if knob('GUEST_DMA_BYPASS', '0') != '0':
        disks = [a.replace('iommu_platform=on', 'iommu_platform=off') for a in disks]
    args = list(args)
    # a platform IOMMU, which must exist before the devices behind it
    if args[:1] == ['-device'] and len(args) > 1 and args[1].startswith(('intel-iommu', 'amd-iommu')):
        disks = args[:2] + disks
        args = args[2:]
    cmd = [binary(name, arch.qemu), '-M', machine, '-smp', '2', '-m', '1024', '-nodefaults', *qargs,
           '-kernel', kernel, '-initrd', initrd, *disks, *args]
    return cmd, name


def sanitizer_up(config):
    """The start line of the sanitizer built into the kernel, which the judge
    requires in the log of a guest that ran to its end."""
    text = open(config, errors='replace').read() if os.path.exists(config) else ''
    if re.search(r'^CONFIG_KCSAN=y', text, re.M):
        return 'kcsan: enabled early'
    if re.search(r'^CONFIG_KASAN=y', text, re.M):
        return 'KernelAddressSanitizer initialized'
    return ''


def main(argv):
    if len(argv) < 4:
        die('usage: guest NAME KIND MACHINE IOMMU-MODULE [QEMU-ARG...]')
    name, kind, machine, module, *args = argv
    from .guests import kind_dir
    if kind not in targets.KINDS:
        die(f'guest: unknown KIND {kind}.', f'Kinds: {" ".join(targets.KINDS)}.')
    k = os.path.join(os.environ['OUT'], kind_dir(kind, knob('GUEST_LEAN', '0') == '1'))
    initrd = os.path.join(k, f"{knob('IMAGE') or 'initramfs'}.cpio")
    if not os.path.isfile(initrd):
        die(f'no {kind} guest kernel in {os.path.relpath(k, glue.TOP)}.', "Run 'make smoke' first.")
    cmd, qemu = cmdline(os.path.join(k, 'kernel-image'), initrd, k, kind, machine, module, args)
    # for the judge's scripts/decode_stacktrace.sh of a kernel report
    os.environ.update(IOMMU_TEST_DECODE_KERNEL=k,
                      IOMMU_TEST_DECODE_CROSS=targets.ARCHES[targets.KINDS[kind].arch].cross,
                      IOMMU_TEST_SANITIZER_UP=sanitizer_up(os.path.join(k, '.config')))
    timeout = int(knob('GUEST_TIMEOUT') or 90)
    print(f'==> {name}: booting on QEMU {qemu} (watchdog {timeout} s)', flush=True)
    results = knob('RESULTS') or os.path.join(os.environ['OUT'], 'results')
    return 0 if boot.Boot(results, name, timeout, cmd[0], cmd[1:], False).judge() else 1
