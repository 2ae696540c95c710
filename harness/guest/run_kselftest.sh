#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# The guest of the kselftest tarball (harness/kselftest-tarball.sh): the
# tarball that 'make gen_tar' wrote, unpacked and run by its own
# run_kselftest.sh under busybox's shell, as a CI system runs it.
#
# kselftest/runner.sh applies the settings file's timeout through
# /usr/bin/timeout, called as coreutils' ("--foreground"), and counts exit
# status 124 as a timeout. busybox's timeout has no --foreground and exits
# 143 when it kills: the /usr/bin/timeout here adapts the one to the other,
# so that the settings' timeout holds as it would on a full root filesystem.
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /tmp /kselftest
/bin/busybox --install -s
# what udev would have made: runner.sh logs to /dev/stdout
for fd in 0:stdin 1:stdout 2:stderr; do
	[ -e "/dev/${fd#*:}" ] || ln -s "/proc/self/fd/${fd%%:*}" "/dev/${fd#*:}"
done
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
rm -f /usr/bin/timeout
cat >/usr/bin/timeout <<'SHIM'
#!/bin/sh
[ "$1" != --foreground ] || shift
/bin/busybox timeout "$@"
rc=$?
[ "$rc" != 143 ] || rc=124
exit "$rc"
SHIM
chmod 755 /usr/bin/timeout
tar -xzf /kselftest.tar.gz -C /kselftest || {
	echo "run_kselftest: unpacking /kselftest.tar.gz failed"
	exit 1
}
cd /kselftest && exec ./run_kselftest.sh -t iommu:iommu_probe_storm
