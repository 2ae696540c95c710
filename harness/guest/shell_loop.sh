#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# The reference figures of 'make bench-selftests': what iommu_probe_storm's
# storms do, driven by a plain shell loop, one operation at a time, for
# STORM_SECONDS (default 3) each. Prints one "shell-loop:" line per storm
# kind and a KTAP line for each: not ok when the loop completed no cycle,
# so that a loop whose writes all fail gives no figure.
export PATH=/sbin:/usr/sbin:/bin:/usr/bin
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s

secs=${STORM_SECONDS:-3}
pci=/sys/bus/pci
viommu=/sys/bus/virtio/drivers/virtio_iommu

# The endpoints: every virtio PCI device but virtio-iommu itself
endpoints=
for d in $pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" != 0x1057 ] &&
		endpoints="$endpoints ${d##*/}"
done

[ -z "$IOMMU_MODULE" ] || modprobe "$IOMMU_MODULE" ||
	echo "# shell-loop: modprobe $IOMMU_MODULE failed"
# the endpoints in groups, as the storm test waits for them
i=0
for e in $endpoints; do
	while [ ! -e "$pci/devices/$e/iommu_group" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
done

# uptime in centiseconds: date +%s would make a loop of $secs seconds
# anything from $secs - 1 to $secs
now_cs() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}

# loop NUMBER NAME COMMAND: run COMMAND (one cycle, over every endpoint)
# for $secs seconds, print the cycles that succeeded, the time from the
# first cycle's start to the last one's end, and the KTAP line
n=0
loop() {
	local num=$1 name=$2 start end cs cycles=0
	shift 2
	start=$(now_cs)
	end=$((start + secs * 100))
	while [ "$(now_cs)" -lt $end ]; do
		n=0
		"$@"
		cycles=$((cycles + n))
	done
	cs=$(($(now_cs) - start))
	echo "# shell-loop: $name $cycles cycles in $((cs / 100)).$((cs % 100 / 10))$((cs % 10)) s"
	if [ "$cycles" -gt 0 ]; then
		echo "ok $num shell_loop_$name"
	else
		echo "not ok $num shell_loop_$name # no cycle completed"
	fi
}

bind_unbind() {
	for e in $endpoints; do
		echo "$e" >$pci/drivers/virtio-pci/unbind &&
			echo "$e" >$pci/drivers/virtio-pci/bind && n=$((n + 1))
	done
}

remove_rescan() {
	for e in $endpoints; do
		echo 1 >"$pci/devices/$e/remove" && echo 1 >$pci/rescan && n=$((n + 1))
	done
}

iommu_unbind_bind() {
	echo "$1" >$viommu/unbind && echo "$1" >$viommu/bind && n=$((n + 1))
}

echo "TAP version 13"
echo "1..3"
loop 1 bind_unbind bind_unbind
loop 2 remove_rescan remove_rescan
# virtio-iommu is the virtio device bound to its driver; SMMUv3 cannot be
# unbound
v=$(ls $viommu 2>/dev/null | grep '^virtio' | head -n 1)
if [ -n "$v" ]; then
	loop 3 iommu_unbind_bind iommu_unbind_bind "$v"
else
	echo "ok 3 shell_loop_iommu_unbind_bind # SKIP no virtio-iommu"
fi
