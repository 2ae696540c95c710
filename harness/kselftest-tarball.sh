#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kselftest as kernel CI takes it: the iommu collection built by its own
# Makefile and packed by 'make gen_tar', and for each guest target what a
# runner needs to boot it, in build/kselftest/TARGET/:
#
#   kselftest.tar.gz  gen_tar of TARGETS=iommu for the target's architecture
#   kernel-image      the guest kernel
#   rootfs.cpio       initramfs: busybox, the C library the tests link
#                     with, the modules compressed with xz, the tarball, and
#                     an init that unpacks it and runs run_kselftest.sh
#                     (harness/guest/run_kselftest.sh)
#   disk0.img disk1.img (efi-code.img)  the endpoints' disks (the firmware)
#   qemu.args         the QEMU binary, then its arguments, one per line,
#                     paths relative to this directory
#   run.sh            boots it from this directory, console on stdio;
#                     arguments are added to QEMU's
#
#   SELFTEST_TARGETS  targets (default: all)
#   STORM_SECONDS, STORM_THREADS, STORM_IOMMU_THREADS
#                     on the guest's kernel command line, as selftests.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest-cmdline.sh"

select_tree
ccache_env
# the guest's shell and tools: Debian's busybox-static, fetched with apt
"$TOP/harness/deps.sh" --for kselftest-tarball --busybox >/dev/null
targets=${SELFTEST_TARGETS:-$GUEST_TARGETS}
[ -f "$SRC/tools/testing/selftests/iommu/iommu_probe_storm.c" ] ||
	die "no tools/testing/selftests/iommu/iommu_probe_storm.c in $SRC." "Run 'make tree': it copies tools/ of this repo into the tree."
append="STORM_SECONDS=${STORM_SECONDS:-3} STORM_THREADS=${STORM_THREADS:-4}"
[ -z "${STORM_EXCLUDE:-}" ] ||
	die "STORM_EXCLUDE=$STORM_EXCLUDE: the kselftest tarball runs every scenario." \
	    "run_kselftest.sh starts a test with no options, as CI does; leave STORM_EXCLUDE out, or use 'make selftests STORM_EXCLUDE=...'."
[ -z "${STORM_IOMMU_THREADS:-}" ] || append+=" STORM_IOMMU_THREADS=$STORM_IOMMU_THREADS"

# gen_tar KERNEL-DIR ARCH: build and pack the iommu collection against the
# guest kernel's headers; prints the tarball's path
gen_tar() {
	local kdir=$1 arch=$2 cross=${ARCH_CROSS[$2]} inst log
	inst=$OUT/kselftest/install-$arch
	log=$OUT/logs/kselftest-$arch.log
	rm_build "$inst"
	run_logged "$OUT/logs/headers-$arch.log" make -C "$SRC" O="$kdir" ARCH="$arch" \
		CROSS_COMPILE="$cross" headers >&2 ||
		die "$arch: make headers failed (log above)."
	local ksft=(make -C "$SRC/tools/testing/selftests" O="$kdir" ARCH="$arch"
		    CROSS_COMPILE="$cross" CC="ccache ${cross}gcc" TARGETS=iommu
		    KSFT_INSTALL_PATH="$inst")
	if ! "${ksft[@]}" gen_tar >"$log" 2>&1; then
		# Debian's 6.12.117 iommufd.c uses IOMMU_HW_INFO_TYPE_DEFAULT,
		# which its own uapi header does not have: a stable backport
		# without the uAPI change it needs, nothing of this series
		grep -q "IOMMU_HW_INFO_TYPE_DEFAULT.*undeclared" "$log" ||
			{ tail -n 40 "$log" >&2; die "$arch: building the iommu kselftests failed (${log#"$TOP"/}, tail above)."; }
		warn "$arch: the base's iommufd selftests do not build (iommufd.c: IOMMU_HW_INFO_TYPE_DEFAULT undeclared; ${log#"$TOP"/}): packing iommu_probe_storm alone."
		rm_build "$inst"
		# lib.mk prefixes TEST_GEN_PROGS with the output directory; one
		# given on the command line must carry it already
		run_logged "$log" "${ksft[@]}" TEST_GEN_PROGS="$(realpath "$kdir")/kselftest/iommu/iommu_probe_storm" gen_tar >&2 ||
			die "$arch: building iommu_probe_storm with the kselftest Makefile failed (log above)."
	fi
	echo "$inst/kselftest-packages/kselftest.tar.gz"
}

# libc_files ARCH PROGRAM: -f SRC=DEST options of initramfs.sh for the
# program's interpreter and the libraries it names (all of glibc's live in
# one directory of the cross or the host toolchain)
libc_files() {
	local arch=$1 prog=$2 readelf=${ARCH_READELF[$1]} libdir=${ARCH_LIBDIR[$1]} interp lib
	interp=$($readelf -l "$prog" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	[ -n "$interp" ] || return 0
	echo "-f $libdir/$(basename "$interp")=$interp"
	for lib in $($readelf -d "$prog" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		[ -f "$libdir/$lib" ] || die "$prog needs $lib, which is not in $libdir." "Install the C library of the $arch toolchain ('make deps')."
		echo "-f $libdir/$lib=/lib/$lib"
	done
}

declare -A tarball=()
built=" "
for t in $targets; do
	read -ra g <<<"$(guest_target "$t")"
	kind=${g[0]} arch=$(kind_arch "${g[0]}")
	kdir=$OUT/$(kind_dir "$kind")
	if [[ "$built" != *" $(kind_dir "$kind") "* ]]; then
		build_guest_kernel "$kind"
		built+="$(kind_dir "$kind") "
	fi
	if [ -z "${tarball[$arch]:-}" ]; then
		step "kselftest-$arch: make gen_tar TARGETS=iommu"
		tarball[$arch]=$(gen_tar "$kdir" "$arch")
		info "kselftest-$arch: ${tarball[$arch]#"$TOP"/}: $(tar -tzf "${tarball[$arch]}" | tr '\n' ' ')"
	fi
	out=$OUT/kselftest/$t
	rm_build "$out"
	mkdir -p "$out/unpacked"
	cp "${tarball[$arch]}" "$out/kselftest.tar.gz"
	tar -xzf "$out/kselftest.tar.gz" -C "$out/unpacked"
	read -ra libs <<<"$(libc_files "$arch" "$out/unpacked/iommu/iommu_probe_storm" | tr '\n' ' ')"
	IOMMU_TEST_IMAGE=kselftest "$TOP/harness/initramfs.sh" -z "${libs[@]}" \
		-f "$out/kselftest.tar.gz=/kselftest.tar.gz" \
		"$(kind_dir "$kind")" "$arch" "$TOP/harness/guest/run_kselftest.sh"
	rm_build "$out/unpacked"
	mv "$kdir/kselftest.cpio" "$out/rootfs.cpio"
	cp -L "$kdir/kernel-image" "$out/kernel-image"
	knob GUEST_APPEND "$append"
	guest_cmdline kernel-image rootfs.cpio "$out" "${g[@]}"
	printf '%s\n' "${QEMU_CMD[@]//"$out/"/}" >"$out/qemu.args"
	cat >"$out/run.sh" <<-'RUN'
	#!/bin/sh
	# Boots the iommu kselftest guest of this directory (written by
	# harness/kselftest-tarball.sh): QEMU with qemu.args, the console on
	# stdio; the arguments of this script are added to QEMU's. The guest
	# runs run_kselftest.sh -t iommu:iommu_probe_storm and powers off.
	cd "$(dirname "$0")" || exit 1
	n=$#
	while IFS= read -r a; do set -- "$@" "$a"; done <qemu.args
	while [ "$n" -gt 0 ]; do a=$1; shift; set -- "$@" "$a"; n=$((n - 1)); done
	exec "$@" -display none -monitor none -serial stdio -no-reboot
	RUN
	chmod +x "$out/run.sh"
	info "$t: ${out#"$TOP"/}: $(cd "$out" && ls | tr '\n' ' ')"
done
