#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the initramfs for a guest kernel built by build-kernel.sh: a static
# C init (harness/guest/init.c), the test programs under /tests (static C,
# or a busybox shell script with a static busybox as /bin/busybox), and the
# kernel's modules with their modules.dep. Packed with the kernel's own
# usr/gen_init_cpio, so no root is needed for the /dev/console node.
#
#   harness/initramfs.sh [-z] [-f SRC=DEST]... NAME ARCH TEST.c|TEST.sh...
#
# -f puts the host file SRC at DEST in the image (the kselftest tarball and
# the C library its programs link with); -z compresses the modules with xz
# as kbuild's modules_install does (a kernel with CONFIG_MODULE_DECOMPRESS
# loads them), so that the guest's module loader meets what distribution
# and CI root filesystems have.
# Writes build/NAME/IMAGE.cpio; IMAGE defaults to initramfs (the smoke
# tests), so that each set of test programs has an image of its own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: initramfs.sh [-z] [-f SRC=DEST]... NAME ARCH TEST.c|TEST.sh..."
extra=() xz_modules=
while getopts zf: opt; do
	case "$opt" in
	z)	xz_modules=1 ;;
	f)	[[ "$OPTARG" == ?*=/?* ]] || die "initramfs: -f $OPTARG is not SRC=/DEST." "$usage"
		extra+=("$OPTARG") ;;
	*)	die "initramfs: unknown option." "$usage" ;;
	esac
done
shift $((OPTIND - 1))
name=${1:?$usage}
arch=${2:?$usage}
shift 2
select_tree
arch_known "$arch" initramfs
cc=${ARCH_CROSS[$arch]}gcc

kout=$OUT/$name
image=${IMAGE:-initramfs}
stage=$kout/$image
gen=$kout/usr/gen_init_cpio
[ -x "$gen" ] || die "$name: $gen is missing." "Build the kernel first (harness/build-kernel.sh; it needs CONFIG_BLK_DEV_INITRD=y)."
rm_build "$stage"
mkdir -p "$stage/tests"

cflags=(-static -O2 -Wall -Werror -pthread
	-I"$SRC/tools/testing/selftests" -I"$TOP/harness/guest")
guest_cc() {
	run_logged "$OUT/logs/guest-cc-$name.log" "$cc" "${cflags[@]}" -o "$1" "$2" ||
		die "$name: compiling $(basename "$2") for $arch failed (log above)."
}
guest_cc "$stage/init" "$TOP/harness/guest/init.c"
# A shell script among the tests runs with busybox, which deps.sh --busybox
# puts under build/busybox
busybox=
n=10
for t in "$@"; do
	case "$t" in
	*.sh)	busybox=$BUILD/busybox/${ARCH_DEBIAN[$arch]}/busybox
		[ -x "$busybox" ] ||
			die "$name: $(basename "$t") needs $busybox." "Run 'harness/deps.sh --busybox' as root."
		cp "$t" "$stage/tests/$n-$(basename "${t%.sh}")" ;;
	*)	guest_cc "$stage/tests/$n-$(basename "${t%.c}")" "$t" ;;
	esac
	n=$((n + 10))
done

# the modules as the image has them: kbuild's xz settings (scripts/Makefile.modinst),
# modules.dep naming the compressed files
mods=$kout/modules
if [ -n "$xz_modules" ] && ! grep -qx 'CONFIG_MODULE_DECOMPRESS=y' "$kout/.config"; then
	info "$name: the kernel cannot decompress modules (no CONFIG_MODULE_DECOMPRESS): they stay uncompressed"
	xz_modules=
fi
if [ -n "$xz_modules" ]; then
	mods=$stage/modules
	cp -a "$kout/modules" "$mods"
	find "$mods" -name '*.ko' -exec xz --check=crc32 --lzma2=dict=1MiB {} +
	find "$mods" -name modules.dep -exec sed -i -E 's/\.ko(:| |$)/.ko.xz\1/g' {} +
fi

list=$kout/$image.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "file /init $stage/init 0755 0 0"
	echo "dir /tests 0755 0 0"
	[ -z "$busybox" ] || printf 'dir /bin 0755 0 0\nfile /bin/busybox %s 0755 0 0\n' "$busybox"
	for f in "$stage"/tests/*; do echo "file /tests/$(basename "$f") $f 0755 0 0"; done
	(cd "$mods" && find lib -type d | sort | sed 's|.*|dir /& 0755 0 0|')
	(cd "$mods" && find lib -type f | sort | sed "s|.*|file /& $mods/& 0644 0 0|")
	for f in "${extra[@]}"; do
		d=${f#*=} p=
		for c in $(dirname "$d" | tr / ' '); do
			p+=/$c
			echo "dir $p 0755 0 0"
		done
		echo "file $d $(realpath "${f%%=*}") 0755 0 0"
	done
} | awk '$1 != "dir" || !seen[$2]++' >"$list"
"$gen" "$list" >"$kout/$image.cpio" ||
	die "$name: gen_init_cpio failed on $list."
info "$name: $image.cpio $(du -h "$kout/$image.cpio" | cut -f1), $# test program(s)"
