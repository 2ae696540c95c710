#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the project needs, only those the make goals
# at hand need. Idempotent: prints one line and does nothing when they are
# all present; only apt-get needs root, nothing else in the harness does.
#
#   harness/deps.sh [--for "GOAL..."]  the packages of those make goals
#                                      (default: everything, every goal's)
#   harness/deps.sh --base    also the pinned source of the base (LINUX, harness/bases)
#   harness/deps.sh --busybox also static busybox for the guests (bench-selftests)
#   harness/deps.sh --list    print the packages the goals need, install nothing
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# What each kind of goal needs: every goal builds a kernel or checks a
# tree (core); the guests need the arm64 cross compiler, both QEMUs and
# the arm64 UEFI firmware; KUnit on arm64 or x86_64 runs under QEMU.
# python3-ply, python3-git: checkpatch's SPDX check (scripts/spdxcheck.py),
# which without either prints a traceback per file and checks nothing.
# libcap-dev: 7.3's tools/testing/selftests/iommu/Makefile links every
# program with -lcap (the standalone check builds the kselftest with it).
CORE=(make gcc flex bison bc libelf-dev libssl-dev ccache python3 git
      cpio xz-utils kmod rsync perl gawk python3-ply python3-git libcap-dev)
# The arches' and guest kinds' packages are in their table
# (harness/iommutest/targets.py). gdb reads a crashed QEMU's frame from its
# core dump (boot.sh).
GUESTS=(gdb)
for _a in $GUEST_ARCHES; do GUESTS+=(${ARCH_PACKAGES[$_a]} "${ARCH_QEMU_PACKAGE[$_a]}"); done
for _k in $GUEST_KINDS; do GUESTS+=(${KIND_FIRMWARE_PACKAGE[$_k]}); done
unset _a _k
# kunit_needs ARCH: what a KUnit run on ARCH needs (UML: nothing more)
kunit_needs() {
	[ "$1" = um ] || echo "${ARCH_PACKAGES[$1]} ${ARCH_QEMU_PACKAGE[$1]}"
}
# goal_packages GOAL: the packages GOAL needs beyond CORE
goal_packages() {
	case "$1" in
	kunit)	kunit_needs "${ARCH:-um}" ;;
	# the guest mutations boot arm64 and x86_64 guests
	bench-mutate) echo "$(kunit_needs "${BENCH_ARCH:-x86_64}") ${GUESTS[*]}" ;;
	coverage | bench-kunit | kunit-repeat | mutate | checkpatch | kerneldoc | \
	standalone-check | selftest | tree | export | deps) ;;
	bisect-check) echo "${ARCH_PACKAGES[arm64]}" ;;
	allmod-check) echo "${ARCH_PACKAGES[arm64]} ${ARCH_PACKAGES[arm]}" ;;
	everything) echo "${GUESTS[*]} ${ARCH_PACKAGES[arm]}" ;;
	*)	echo "${GUESTS[*]}" ;;
	esac
}
goals=everything
list=0 extra=
while [ $# -gt 0 ]; do
	case "$1" in
	--for)	goals=${2:-all}; shift ;;
	--list)	list=1 ;;
	--base | --busybox) extra=$1 ;;
	*)	die "deps.sh: unknown argument $1." "Usage: deps.sh [--for \"GOAL...\"] [--base|--busybox] [--list]" ;;
	esac
	shift
done
read -ra PACKAGES <<<"$(for g in $goals; do goal_packages "$g"; done | tr ' ' '\n' |
	cat <(printf '%s\n' "${CORE[@]}") - | awk 'NF && !seen[$0]++' | tr '\n' ' ')"
if [ "$list" = 1 ]; then
	printf '%s\n' "${PACKAGES[@]}"
	exit 0
fi

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || printf '%s\n' "$p"
	done
}

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	[ "$(id -u)" = 0 ] ||
		die "packages are missing and this is not root: $*" \
		    "Run 'sudo harness/deps.sh' or install them with apt-get."
	step "apt-get update"
	run_logged "$BUILD/logs/apt-update.log" apt-get update -q ||
		die "apt-get update failed (log above)." "Check the network access to the Debian mirror."
	apt_updated=1
}

apt_install() {
	apt_update "$@"
	step "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive run_logged "$BUILD/logs/apt-install.log" \
		apt-get install -y -q --no-install-recommends "$@" && return 0
	local p
	for p in "$@"; do
		apt-cache policy "${p%%=*}" 2>/dev/null | grep -q 'Candidate: [0-9]' ||
			die "Debian package '${p%%=*}' cannot be installed: apt has no candidate for it." \
			    "Check /etc/apt/sources.list (bookworm, bookworm-security, main)."
	done
	die "apt-get install $* failed (log above)."
}

install_tools() {
	mapfile -t need < <(missing "${PACKAGES[@]}")
	if [ "${#need[@]}" -eq 0 ]; then
		info "packages: all ${#PACKAGES[@]} present"
		return 0
	fi
	apt_install "${need[@]}"
}

# The pinned base of this run (LINUX, harness/bases). A 'system' one is
# installed with apt-get; another 6.12.x is accepted with a warning when
# the pinned one is gone. Any other is fetched from its suite at exactly
# the pinned version and unpacked under build/src/NAME.
install_base() {
	local want=$BASE_VERSION have deb
	have=$(base_installed)
	[ "$have" = "$want" ] && [ -f "$(base_tarball)" ] && return 0
	if [ "$BASE_SUITE" != system ]; then
		apt_private "$BASE_SUITE" "the source of Linux $LINUX ($BASE_PACKAGE $want)" \
			"sudo make deps LINUX=$LINUX"
		deb=$(apt_fetch "$BASE_SUITE" "$BASE_PACKAGE=$want") ||
			die "apt-get download $BASE_PACKAGE=$want from $BASE_SUITE failed (log above)." \
			    "The pinned version may be gone from $BASE_SUITE: update harness/bases."
		rm_build "$BUILD/src/$LINUX"
		mkdir -p "$BUILD/src/$LINUX"
		dpkg-deb -x "$deb" "$BUILD/src/$LINUX" ||
			die "unpacking $deb failed." "Check free disk space (df -h $BUILD)."
		[ -f "$(base_tarball)" ] ||
			die "$BASE_PACKAGE $want has no $(base_tarball | sed "s|^$BUILD/src/$LINUX||")." \
			    "The package's layout changed; adjust base_tarball() in harness/lib.sh."
		echo "$want" >"$BUILD/src/$LINUX/VERSION"
		info "Linux $LINUX: $BASE_PACKAGE $want under build/src/$LINUX"
		return 0
	fi

	apt_update "$BASE_PACKAGE"
	if apt-cache madison "$BASE_PACKAGE" | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
			grep -qxF "$want"; then
		apt_install "$BASE_PACKAGE=$want"
		return 0
	fi
	warn "$BASE_PACKAGE $want (harness/bases) is not available from apt."
	if [ -n "$have" ] && [ -f "$(base_tarball)" ]; then
		warn "using the installed $have; results may differ from the pinned base."
		return 0
	fi
	apt_install "$BASE_PACKAGE"
	warn "installed $(base_installed) instead; update harness/bases if the series applies."
}

# Static busybox for arm64 and amd64 guests (the shell-loop reference of
# 'make bench-selftests'), from Debian's busybox-static, unpacked under
# build/busybox/ARCH. arm64 is a foreign architecture here: its package
# lists are fetched for this download only, dpkg is not told about it.
install_busybox() {
	local a arches=() debs=() tmp
	for a in $GUEST_ARCHES; do
		debs+=("${ARCH_DEBIAN[$a]}")
		arches+=(-o "APT::Architectures::=${ARCH_DEBIAN[$a]}")
	done
	for a in "${debs[@]}"; do
		[ -x "$BUILD/busybox/$a/busybox" ] && continue
		[ "$(id -u)" = 0 ] ||
			die "busybox for $a guests is missing and this is not root." \
			    "Run 'sudo harness/deps.sh --busybox'."
		if [ "${bb_lists:-0}" = 0 ]; then
			step "apt-get update (amd64 and arm64 lists, for busybox-static)"
			run_logged "$BUILD/logs/apt-update-busybox.log" \
				apt-get -q "${arches[@]}" update ||
				die "apt-get update with the arm64 lists failed (log above)."
			bb_lists=1
		fi
		tmp=$(mktemp -d)
		chmod 755 "$tmp"
		(cd "$tmp" && run_logged "$BUILD/logs/busybox-$a.log" \
			apt-get -q "${arches[@]}" download "busybox-static:$a") ||
			die "downloading busybox-static:$a failed (log above)."
		dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/root"
		mkdir -p "$BUILD/busybox/$a"
		cp "$tmp/root/bin/busybox" "$BUILD/busybox/$a/busybox"
		rm -rf "$tmp"
		info "busybox for $a guests: build/busybox/$a/busybox"
	done
}

# apt_private SUITE WHAT COMMAND: a sources list of the harness's own for the
# Debian suite SUITE (build/apt/SUITE: the system's mirror, that suite;
# the system's apt configuration is neither read for sources nor
# changed), its package lists updated; APT_OPTS then holds the apt-get
# options that use it. WHAT says what it is fetched for, COMMAND what a
# user who is not root runs to fetch it.
apt_private() {
	local suite=$1 apt=$BUILD/apt/$1 uri
	[ "$(id -u)" = 0 ] ||
		die "$2 is not fetched and this is not root." \
		    "Run '$3' (it fetches it from Debian $suite under build/)."
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
		awk '$2 == "bookworm" { print $1; exit }')
	[ -n "$uri" ] || uri=http://deb.debian.org/debian/
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$apt/sources.list"
	APT_OPTS=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
		  -o "Dir::State::lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		  -o APT::Sandbox::User=root)
	step "fetching $2 from Debian $suite (apt sources of its own: ${apt#"$TOP"/})"
	run_logged "$BUILD/logs/apt-update-$suite.log" apt-get -q "${APT_OPTS[@]}" update ||
		die "apt-get update of $suite failed (log above)." "Check the network access to $uri."
	rm -f "$apt/debs"/*.deb
}
# apt_fetch SUITE PACKAGE[=VERSION]: download it into build/apt/SUITE/debs
# (after apt_private SUITE) and print the .deb's path
apt_fetch() {
	local debs=$BUILD/apt/$1/debs
	(cd "$debs" && run_logged "$BUILD/logs/apt-download-$1.log" apt-get -q "${APT_OPTS[@]}" download "$2") >&2 ||
		return 1
	ls -t "$debs/${2%%=*}"_*.deb | sed -n 1p
}

# The QEMUs of harness/qemu-versions that are not the system's: their
# Debian packages at the pinned version (apt_private), unpacked under
# build/qemu/NAME/root, run by wrappers in build/qemu/NAME/bin that point
# QEMU at its own firmware (-L: its data and the suite's seabios before
# the system's) and modules (QEMU_MODULE_DIR). They use the system's
# libraries: those of the system's QEMU, which GUESTS installs.
install_qemu() {
	local name=$1 suite version pkgs dir p b have=
	IFS='|' read -r _ suite version pkgs _ <<<"$(qemu_line "$name")"
	dir=$BUILD/qemu/$name
	have=$(cat "$dir/VERSION" 2>/dev/null || true)
	[ "$have" = "$version" ] && return 0
	apt_private "$suite" "QEMU $name ($version)" "sudo harness/deps.sh"
	read -ra pkgs <<<"$pkgs"
	for p in "${pkgs[@]}"; do
		# firmware comes from the suite at its own version
		if apt-cache "${APT_OPTS[@]}" madison "$p" | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "$version"; then
			p="$p=$version"
		fi
		apt_fetch "$suite" "$p" >/dev/null ||
			die "apt-get download $p from $suite failed (log above)." \
			    "The pinned version may be gone from $suite: update harness/qemu-versions."
	done
	rm_build "$dir"
	mkdir -p "$dir/bin"
	for p in "$BUILD/apt/$suite/debs"/*.deb; do dpkg-deb -x "$p" "$dir/root"; done
	for b in $(for a in $GUEST_ARCHES; do echo "${ARCH_QEMU[$a]}"; done); do
		[ -x "$dir/root/usr/bin/$b" ] || die "QEMU $name: the packages have no usr/bin/$b."
		p=$(ldd "$dir/root/usr/bin/$b" | awk '/not found/ { print $1 }' | paste -sd' ' -)
		[ -z "$p" ] || die "QEMU $name: $b needs libraries this system lacks: $p." \
			"Install the bookworm packages that hold them (apt-file search), or use QEMU=7.2."
		printf '%s\n' '#!/bin/sh' "# QEMU $name, Debian $version from $suite, unpacked by harness/deps.sh" \
			"export QEMU_MODULE_DIR=$dir/root/usr/lib/x86_64-linux-gnu/qemu" \
			"exec $dir/root/usr/bin/$b -L $dir/root/usr/share/qemu -L $dir/root/usr/share/seabios \"\$@\"" >"$dir/bin/$b"
		chmod 755 "$dir/bin/$b"
	done
	echo "$version" >"$dir/VERSION"
	info "QEMU $name: $("$dir/bin/${ARCH_QEMU[arm64]}" --version | sed -n 1p)"
}
install_qemus() {
	local q suite
	for q in $(qemu_names); do
		IFS='|' read -r _ suite _ <<<"$(qemu_line "$q")"
		[ "$suite" = system ] || install_qemu "$q"
	done
}

mkdir -p "$BUILD/logs"
install_tools
# the guests boot on the QEMUs of harness/qemu-versions
[[ " ${PACKAGES[*]} " != *" qemu-system-arm "* ]] || install_qemus
case "$extra" in
--base)		install_base ;;
--busybox)	install_busybox ;;
esac
exit 0
