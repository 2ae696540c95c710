# SPDX-License-Identifier: GPL-2.0
"""What the harness knows of architectures, guest kernels and guest
targets: the one table. The shell scripts read it as bash arrays
(`iommutest shell`, evaluated by lib.sh); nothing else spells a cross
compiler, a QEMU binary, a console or a machine.
"""

import shlex
from dataclasses import dataclass, field



@dataclass
class Arch:
    cross: str = ''             # CROSS_COMPILE
    image: str = ''             # the boot image, in the build directory
    qemu: str = ''              # the QEMU system emulator
    qemu_package: str = ''      # the Debian package that has it
    cpu: str = ''               # -cpu
    console: str = ''           # console= of the kernel command line
    readelf: str = 'readelf'
    debian: str = ''            # its Debian architecture (a guest's busybox)
    libdir: str = ''            # the C library of its toolchain (guest rootfs)
    kunit: str = ''             # kunit.py's options for it (UML: none)
    packages: list = field(default_factory=list)        # its cross toolchain
    guest_configs: list = field(default_factory=list)   # configs/ of its guest kernel
    bisect_configs: list = field(default_factory=list)  # configs/ of make bisect-check
    kcsan_configs: list = field(default_factory=list)   # configs/ of its KCSAN=1 guests


ARCHES = {
    'arm64': Arch(cross='aarch64-linux-gnu-', image='arch/arm64/boot/Image',
                  qemu='qemu-system-aarch64', qemu_package='qemu-system-arm',
                  cpu='max,pauth-impdef=on', console='ttyAMA0',
                  readelf='aarch64-linux-gnu-readelf', libdir='/usr/aarch64-linux-gnu/lib',
                  debian='arm64',
                  kunit='--arch=arm64 --cross_compile=aarch64-linux-gnu-',
                  packages=['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'],
                  # one arm64 kernel, ACPI built in, serves the DT targets and
                  # the UEFI + ACPI one: arm64 takes ACPI only from firmware
                  # that gives it tables and no device tree
                  guest_configs=['arm64-guest.config', 'arm64-acpi.config'],
                  bisect_configs=['arm64-guest.config', 'arm64-acpi.config', 'bisect.config'],
                  kcsan_configs=['kcsan.config', 'kcsan-arm64.config']),
    'x86_64': Arch(image='arch/x86/boot/bzImage', qemu='qemu-system-x86_64',
                   qemu_package='qemu-system-x86', cpu='max', console='ttyS0',
                   libdir='/lib/x86_64-linux-gnu', kunit='--arch=x86_64', debian='amd64',
                   guest_configs=['x86_64-guest.config'],
                   bisect_configs=['x86_64-guest.config', 'bisect-x86_64.config'],
                   kcsan_configs=['kcsan.config']),
    # make allmod-check only
    'arm': Arch(cross='arm-linux-gnueabihf-', packages=['gcc-arm-linux-gnueabihf']),
    # KUnit only
    'um': Arch(),
}


@dataclass
class Kind:
    """A guest kernel and how it boots."""
    arch: str
    kernel: str                 # the kernel's build directory (kinds may share one)
    firmware: str = ''          # pflash image: UEFI
    firmware_package: str = ''
    append: str = ''            # kernel command line words of its own


KINDS = {
    'arm64': Kind(arch='arm64', kernel='arm64'),
    'arm64-acpi': Kind(arch='arm64', kernel='arm64',
                       firmware='/usr/share/qemu-efi-aarch64/QEMU_EFI.fd',
                       firmware_package='qemu-efi-aarch64', append='acpi=force'),
    'x86_64': Kind(arch='x86_64', kernel='x86_64'),
}


@dataclass
class Target:
    kind: str
    machine: str                # -M
    module: str                 # the IOMMU driver's module; '-': built in
    qemu_args: str = ''         # the IOMMU device, for one that is not the machine's


# intel-iommu and amd-iommu cannot be modules or be unbound: their targets
# run the smoke test and the endpoint storms, and skip the load race and
# the IOMMU unbind. amd-iommu runs with pt=off: QEMU 10.0's AMD-Vi with
# pass-through on (its default) leaves every endpoint on an untranslated
# alias of system memory whatever the guest's device table says
# (fwspec-tests.rst, QEMU versions).
TARGETS = {
    'arm64-smmuv3-dt': Target('arm64', 'virt,iommu=smmuv3,gic-version=3', 'arm_smmu_v3'),
    'arm64-virtio-iommu-dt': Target('arm64', 'virt,gic-version=3', 'virtio_iommu',
                                    '-device virtio-iommu-pci'),
    'arm64-smmuv3-iort': Target('arm64-acpi', 'virt,iommu=smmuv3,gic-version=3', 'arm_smmu_v3'),
    'x86_64-virtio-iommu-viot': Target('x86_64', 'q35', 'virtio_iommu', '-device virtio-iommu-pci'),
    'x86_64-intel-iommu': Target('x86_64', 'q35', '-', '-device intel-iommu'),
    'x86_64-amd-iommu': Target('x86_64', 'q35', '-', '-device amd-iommu,pt=off'),
}


def _assoc(name, table, attr):
    def val(v):
        return ' '.join(v) if isinstance(v, list) else v
    items = ' '.join(f'[{k}]={shlex.quote(val(getattr(v, attr)))}' for k, v in table.items())
    return f'declare -gA {name}=({items})'


def shell():
    """The table as bash: ARCH_*, KIND_* and TARGET_* associative arrays,
    GUEST_TARGETS and GUEST_KINDS in the table's order."""
    out = []
    for attr in Arch.__dataclass_fields__:
        out.append(_assoc(f'ARCH_{attr.upper()}', ARCHES, attr))
    for attr in Kind.__dataclass_fields__:
        out.append(_assoc(f'KIND_{attr.upper()}', KINDS, attr))
    for attr in Target.__dataclass_fields__:
        out.append(_assoc(f'TARGET_{attr.upper()}', TARGETS, attr))
    out.append(f'GUEST_TARGETS={shlex.quote(" ".join(TARGETS))}')
    out.append(f'GUEST_KINDS={shlex.quote(" ".join(KINDS))}')
    arches = dict.fromkeys(k.arch for k in KINDS.values())
    out.append(f'GUEST_ARCHES={shlex.quote(" ".join(arches))}')
    return '\n'.join(out)
