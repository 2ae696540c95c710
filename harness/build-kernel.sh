#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build a guest kernel out of tree: allnoconfig plus config fragments, then
# the image and the modules, installed into OUT/NAME/modules.
#
#   harness/build-kernel.sh NAME ARCH FRAGMENT...
#
# NAME is the build directory under build/ (or build/ext-*/ for KERNEL_SRC).
# Every option a fragment sets must survive olddefconfig: one that does not
# (a missing dependency) fails the build with its name.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: build-kernel.sh NAME ARCH FRAGMENT...}
arch=${2:?usage: build-kernel.sh NAME ARCH FRAGMENT...}
shift 2
select_tree
ccache_env

arch_known "$arch" build-kernel
cross=${ARCH_CROSS[$arch]} image=${ARCH_IMAGE[$arch]}

kout=$OUT/$name
mkdir -p "$kout" "$OUT/logs"
frag=$kout/fragment.config
cat "$@" >"$frag"
kmake() {
	make -C "$SRC" O="$kout" ARCH="$arch" CROSS_COMPILE="$cross" \
		CC="ccache ${cross}gcc" -j"$(nproc)" "$@"
}

log=$OUT/logs/build-$name.log
t0=$(now)
step "$name: configuring ($arch, allnoconfig + $(printf '%s ' "${@#"$TOP"/}"))"
run_logged "$log" kmake KCONFIG_ALLCONFIG="$frag" allnoconfig ||
	die "$name: configuring the kernel failed (log above)."
bad=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS= read -r line; do
	grep -qxF "$line" "$kout/.config" || printf '%s ' "$line"
done)
# An option the tree's Kconfig does not define at all: the tree is of
# another era than the guests (a KERNEL_SRC too old for them); one it
# defines but that did not stick: a dependency the fragment misses.
missing=
for o in $bad; do
	o=${o%%=*}
	grep -rqxE --include='Kconfig*' "(menu)?config ${o#CONFIG_}" "$SRC" || missing+="$o "
done
[ -z "$missing" ] ||
	die "$name: Linux $(kernel_version "$SRC") (${SRC#"$TOP"/}) has no $missing: the guests need it, so they cannot boot this tree." \
	    "Use a tree that has it, or leave KERNEL_SRC unset."
[ -z "$bad" ] ||
	die "$name: these fragment options did not stick (unmet dependencies): $bad" \
	    "Add the options they depend on to the fragment (see 'make ARCH=$arch menuconfig', search with /)."

step "$name: building $(basename "$image") and modules (log: ${log#"$TOP"/}; a few minutes cold)"
run_logged "$log" kmake "$(basename "$image")" modules ||
	die "$name: the kernel build failed (log above)." "Run with V=1 to see the whole build."
rm_build "$kout/modules"
run_logged "$OUT/logs/modules-$name.log" kmake INSTALL_MOD_PATH="$kout/modules" modules_install ||
	die "$name: modules_install failed (log above)."
ln -sf "$image" "$kout/kernel-image"
info "$name: built in $(($(now) - t0)) s: $(du -h "$kout/$image" | cut -f1) $(basename "$image"), $(find "$kout/modules" -name '*.ko' | wc -l) modules"
