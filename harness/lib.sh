# SPDX-License-Identifier: GPL-2.0
# Common helpers for the harness scripts; sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
	printf 'ERROR: %s\n' "$1" >&2
	shift
	for line in "$@"; do printf '       %s\n' "$line" >&2; done
	exit 1
}

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

# The variables of harness/knobs are read from their IOMMU_TEST_ form only
# (the Makefile exports that for a knob on its command line); the plain
# names are dropped, so that neither this script nor a kernel make it runs
# sees an ARCH or V the user's shell happened to export.
HARNESS_VARS=$(awk '!/^#/ && NF { print $1 }' "$TOP/harness/knobs")
for _v in $HARNESS_VARS; do
	_p=IOMMU_TEST_$_v
	if [ -n "${!_v+x}" ] && [ "${!_v}" != "${!_p-}" ] && [ -z "${MAKELEVEL:-}" ]; then
		warn "$_v=${!_v} in the environment is ignored: the harness reads IOMMU_TEST_$_v (make $_v=... sets it)."
	fi
	unset "$_v"
	[ -z "${!_p+x}" ] || printf -v "$_v" '%s' "${!_p}"
done
unset _v _p
# knob NAME VALUE: set NAME here and for every harness script started from
# here on
knob() {
	printf -v "$1" '%s' "$2"
	export "IOMMU_TEST_$1=$2"
}

# Everything the harness writes, and everything it deletes, is under
# build/ of this checkout; no variable moves it.
BUILD=$TOP/build

# iommutest ARGS...: the harness's Python side (harness/iommutest: the
# target table, the KTAP reader, the result model and what is written from
# it), run by Debian's python3 (a version manager's shim first on PATH
# costs most of a second a call)
PYTHON=$(command -v /usr/bin/python3 || command -v python3) ||
	die "python3 is not installed." "Install it as root: apt-get install python3"
iommutest() { PYTHONPATH=$TOP/harness${PYTHONPATH:+:$PYTHONPATH} "$PYTHON" -m iommutest "$@"; }
# exec_iommutest ARGS...: the script becomes it (the run's lock and the
# process stay, for its signals and children)
exec_iommutest() { PYTHONPATH=$TOP/harness${PYTHONPATH:+:$PYTHONPATH} exec "$PYTHON" -m iommutest "$@"; }
# The arch, guest kernel and target table (harness/iommutest/targets.py)
# as bash arrays: ARCH_*[ARCH], KIND_*[KIND], TARGET_*[TARGET],
# GUEST_TARGETS, GUEST_KINDS, GUEST_ARCHES; written again when the
# package changes
_tt=$BUILD/.tables.sh
if [ ! -s "$_tt" ] || [ -n "$(find "$TOP/harness/iommutest" -name '*.py' -newer "$_tt" 2>/dev/null)" ]; then
	mkdir -p "$BUILD"
	iommutest shell >"$_tt.$$" && mv "$_tt.$$" "$_tt" ||
		die "harness/iommutest/targets.py does not load (output above)." "Fix the table there."
fi
. "$_tt"
unset _tt
# arch_known ARCH WHO: ARCH is in the table, or WHO dies naming them
arch_known() {
	[ -n "${ARCH_READELF[$1]+x}" ] ||
		die "$2: ARCH=$1 is not supported." "Use one of: ${!ARCH_READELF[*]} (harness/iommutest/targets.py)."
}
# the prepared tree: build/linux, or (TREE_NAME, the harness selftest's)
# another name under build/
[[ "${TREE_NAME:-linux}" =~ ^[a-z][a-z0-9-]*$ ]] ||
	die "TREE_NAME=$TREE_NAME is not a directory name under build/." "This is a bug of the harness selftest."
# The Linux base of this run (harness/bases): LINUX= or the list's first.
# BASE_OUT is where its kernels and results go.
BASES=$TOP/harness/bases
base_line() { awk -F'|' -v n="$1" '!/^#/ && NF && $1 == n' "$BASES"; }
base_names() { awk -F'|' '!/^#/ && NF { print $1 }' "$BASES"; }
LINUX=${LINUX:-$(base_names | sed -n 1p)}
[ -n "$(base_line "$LINUX")" ] ||
	die "LINUX=$LINUX is not in harness/bases." "Use one of: $(base_names | tr '\n' ' ')"
IFS='|' read -r _ BASE_PACKAGE BASE_VERSION BASE_SUITE BASE_SERIES BASE_MESSAGES <<<"$(base_line "$LINUX")"
# BASE_TAG: appended to the names of a step's results on another base than
# the first ("checkpatch-7.3"), so that one run can hold both
if [ "$LINUX" = "$(base_names | sed -n 1p)" ]; then
	BASE_OUT=$BUILD
	TREE=$BUILD/${TREE_NAME:-linux}
	BASE_TAG=
else
	BASE_OUT=$BUILD/$LINUX
	TREE=$BUILD/${TREE_NAME:-linux-$LINUX}
	BASE_TAG=-$LINUX
fi
PATCHES=${PATCHES:-$TOP/$BASE_SERIES}
# base_tarball: the source tarball of this run's base
base_tarball() {
	if [ "$BASE_SUITE" = system ]; then
		echo "/usr/src/$BASE_PACKAGE.tar.xz"
	else
		echo "$BUILD/src/$LINUX/usr/src/$BASE_PACKAGE.tar.xz"
	fi
}
# base_installed: the Debian version of this run's base that is on this
# machine; nothing when none is
base_installed() {
	if [ "$BASE_SUITE" = system ]; then
		dpkg-query -W -f='${Version}' "$BASE_PACKAGE" 2>/dev/null || true
	else
		cat "$BUILD/src/$LINUX/VERSION" 2>/dev/null || true
	fi
}
V=${V:-0}

# rm_build PATH...: rm -rf each PATH, which must lie inside build/ (after
# resolving symbolic links and ..); anything else is a bug of the harness,
# and is refused before a byte goes.
rm_build() {
	local p r
	for p in "$@"; do
		r=$(realpath -m -- "$p")
		[[ "$r" == "$BUILD"/?* ]] ||
			die "refusing to delete $p ($r): it is not inside $BUILD." \
			    "This is a bug of the harness; please report the command that led here."
	done
	rm -rf -- "$@"
}

# One harness run per checkout at a time: two would build into the same
# directories and boot the same disk images. The lock is taken by the
# first script of a run and held by its children (IOMMU_TEST_LOCKED);
# the lock file's descriptor dies with the last process of the run.
if [ "${IOMMU_TEST_LOCKED:-}" != "$TOP" ]; then
	mkdir -p "$BUILD"
	exec {_lock_fd}>>"$BUILD/.lock"
	if ! flock -n "$_lock_fd"; then
		die "another harness run holds this checkout ($(cat "$BUILD/.lock.owner" 2>/dev/null || echo 'owner unknown'))." \
		    "Wait for it to end, or stop it; one make per checkout at a time (use a second clone to run two)."
	fi
	printf 'pid %s, %s, since %s\n' "$$" "$(basename "$0")" "$(date +%T)" >"$BUILD/.lock.owner"
	export IOMMU_TEST_LOCKED=$TOP IOMMU_TEST_LOCK_FD=$_lock_fd
fi

# run_logged LOG CMD...: run CMD with its output in LOG (on the terminal too
# when V=1); on failure show the tail of LOG and return the command's status.
run_logged() {
	local log=$1 rc=0
	shift
	mkdir -p "$(dirname "$log")"
	if [ "$V" = 1 ]; then
		"$@" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		"$@" >"$log" 2>&1 || rc=$?
	fi
	if [ "$rc" != 0 ]; then
		printf -- '---- last 40 lines of %s ----\n' "$log" >&2
		tail -n 40 "$log" >&2
		printf -- '---- end of %s ----\n' "$log" >&2
	fi
	return "$rc"
}

# A directory is a kernel tree if it has the top-level Makefile with a
# VERSION line and the kbuild scripts.
is_kernel_tree() {
	[ -f "$1/Makefile" ] && [ -f "$1/Kbuild" ] && [ -d "$1/scripts" ] &&
		grep -q '^VERSION = ' "$1/Makefile"
}

# VERSION.PATCHLEVEL.SUBLEVEL[EXTRAVERSION] from the top-level Makefile,
# as 'make kernelversion' prints it, without running make.
kernel_version() {
	awk -F' = *' '/^VERSION =/ {v = $2} /^PATCHLEVEL =/ {p = $2}
		/^SUBLEVEL =/ {s = $2} /^EXTRAVERSION =/ {e = $2; exit}
		END {printf "%s.%s.%s%s\n", v, p, s, e}' "$1/Makefile"
}

# The tree the suite runs on: KERNEL_SRC when given, else build/linux.
# Build output for a KERNEL_SRC tree goes under build/ext-<name>, never
# into it. SRC is the tree the harness builds and writes test files into:
# for a KERNEL_SRC outside build/ (a user's tree), the hard-linked copy
# build/ext-<name>/src that 'make tree' (harness/iommutest/tree.py)
# prepares; KSRC is the tree given. 'select_tree --preparing' (tree.sh)
# does not ask for the copy to exist yet.
select_tree() {
	if [ -n "${KERNEL_SRC:-}" ]; then
		[ -d "$KERNEL_SRC" ] ||
			die "KERNEL_SRC=$KERNEL_SRC does not exist." \
			    "Point KERNEL_SRC at a Linux source tree, or leave it unset to use build/linux."
		KSRC=$(cd "$KERNEL_SRC" && pwd -P)
		is_kernel_tree "$KSRC" ||
			die "KERNEL_SRC=$KERNEL_SRC is not a Linux kernel tree (no top-level Makefile with VERSION, Kbuild and scripts/)." \
			    "Point KERNEL_SRC at the top of a kernel source tree."
		OUT=$BUILD/ext-$(printf '%s' "$KSRC" | md5sum | cut -c1-8)
		if [[ "$KSRC" == "$BUILD"/* ]]; then
			SRC=$KSRC
		else
			SRC=$OUT/src
			[ "${1:-}" = --preparing ] || is_kernel_tree "$SRC" ||
				die "no working copy of KERNEL_SRC=$KSRC in ${SRC#"$TOP"/}." \
				    "Run 'make tree KERNEL_SRC=$KERNEL_SRC' first (make kunit, smoke and selftests do)."
		fi
	else
		SRC=$TREE KSRC=$TREE
		is_kernel_tree "$SRC" ||
			die "no prepared kernel tree at ${TREE#"$TOP"/}." "Run 'make tree${LINUX:+ LINUX=$LINUX}' first."
		OUT=$BASE_OUT
	fi
	export SRC OUT KSRC
}

ccache_env() {
	command -v ccache >/dev/null ||
		die "ccache is not installed." "Run 'make deps' (harness/deps.sh) as root."
	export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
	# The size limit for this project's runs only, never written into the
	# user's ccache configuration.
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
	# Share objects between checkouts at different paths: ccache hashes
	# paths under the checkout relative to the compiler's directory, and
	# not that directory itself (debug info then names the first
	# checkout's paths, which no test reads).
	export CCACHE_BASEDIR=$TOP CCACHE_NOHASHDIR=1
}

# record_failure RESULTS NAME KIND WHY: NAME (a step, a target or a boot)
# failed for WHY, a reason of KIND (build, exit, sanitizer, not-run, ...):
# one more failure in RESULTS/NAME.result (made with that one failure when
# NAME wrote none) and "KIND WHY" in RESULTS/NAME.problems, which the
# report's tail prints. A target that was asked for is never left out of
# the table because it could not be built, booted or judged.
record_failure() {
	local r=$1/$2 n=$2 p=0 f=0 s=0 secs=0
	mkdir -p "$1"
	if [ -f "$r.result" ]; then
		read -r n p f s secs <"$r.result"
	else
		rm -f "$r.problems"	# an earlier run's
	fi
	echo "$n $p $((f + 1)) $s $secs" >"$r.result"
	printf '%s %s\n' "$3" "$4" >>"$r.problems"
	printf 'FAIL %s: %s\n' "$2" "$4" >&2
}

# known_defect TARGET LOG: "ID|SCENARIO|WRITE-UP" of the entry of
# harness/known-defects that the failed boot LOG of TARGET (with its
# NAME.problems and NAME.qemu-crash beside it) shows, or nothing and
# false (harness/iommutest/known_defects.py: the QEMU, base, target and
# scenario must be the entry's, the first report and the signature match,
# nothing of UNLESS in the log).
KNOWN_DEFECTS=$TOP/harness/known-defects
known_defect() {
	iommutest known-defect "$1" "$2" "$KNOWN_DEFECTS" "$QEMU_VERSIONS" "$(qemu_selected)" \
		"$(kernel_version "${SRC:-$TREE}")"
}

# --- the QEMUs the guests boot on (harness/qemu-versions) ---
# qemu_selected: the QEMU of this run (QEMU=, else the list's first);
# qemu_summary: it and the QEMU of each target that boots on another
# (harness/iommutest/guest.py)
QEMU_VERSIONS=$TOP/harness/qemu-versions
qemu_selected() { iommutest qemu-selected; }
qemu_summary() { iommutest qemu-summary; }

# The guest kernels carry KASAN and kmemleak, or KCSAN and kmemleak when
# KCSAN=1; the lean race kernels (GUEST_LEAN=1: the load-race boots of
# 'make selftests') carry neither, only the lock and list debugging of
# debug.config, for twice the trials a minute. Each is built in a
# directory of its own (NAME, NAME-kcsan, NAME-lean) so that all stay warm.
# One arm64 kernel, with ACPI built in, serves the device-tree targets and
# the UEFI + ACPI one: arm64 uses ACPI only when the firmware gives it
# tables and no device tree, so the DT boots still take the OF path.
sanitizer_config() {
	local C=$TOP/configs
	if [ "${GUEST_LEAN:-0}" = 1 ]; then
		return 0
	elif [ "${KCSAN:-0}" != 1 ]; then
		echo "$C/kasan.config $C/kmemleak.config"
	else
		configs_of "${ARCH_KCSAN_CONFIGS[$1]}" kmemleak.config
	fi
}
# GUEST_KERNEL_PREFIX (make mutate-guests: "mutant-") keeps a second set of
# guest kernels beside the real ones, so that those stay as they are.
kind_dir() {
	local d=${KIND_KERNEL[$1]:-$1}
	d=${GUEST_KERNEL_PREFIX:-}$d
	if [ "${GUEST_LEAN:-0}" = 1 ]; then
		echo "$d-lean"
	elif [ "${KCSAN:-0}" = 1 ]; then
		echo "$d-kcsan"
	else
		echo "$d"
	fi
}

# build_guest_kernel KIND: build (incrementally) the guest kernel of KIND
# into build/$(kind_dir KIND)
build_guest_kernel() {
	local C=$TOP/configs dir arch san frags xz=()
	[ -n "${KIND_ARCH[$1]+x}" ] || die "unknown guest kernel $1." "Kinds: $GUEST_KINDS."
	arch=${KIND_ARCH[$1]}
	dir=$(kind_dir "$1")
	# module decompression in the form of Linux 6.2 on; an older tree's
	# guests load plain modules (initramfs.sh -z says so)
	! grep -q '^config MODULE_COMPRESS_ALL' "$SRC/kernel/module/Kconfig" 2>/dev/null ||
		xz=("$C/module-xz.config")
	read -ra frags <<<"$(configs_of "${ARCH_GUEST_CONFIGS[$arch]}" debug.config)"
	read -ra san <<<"$(sanitizer_config "$arch")"
	"$TOP/harness/build-kernel.sh" "$dir" "$arch" "${frags[@]}" "${san[@]}" "${xz[@]}"
}

# configs_of NAME...: the paths of configs/NAME (words of each argument)
configs_of() {
	local c
	for c in $*; do printf '%s ' "$TOP/configs/$c"; done
	echo
}

kind_arch() { echo "${KIND_ARCH[$1]}"; }

# the harness's notes in the tree: the series it was last prepared or
# exported with, and how to undo a change a killed run left
# (harness/iommutest/tree.py)
STATE=$TREE/.git/harness-series
UNDO=$TREE/.git/harness-undo

git_t() { git -C "$TREE" "$@"; }

series_patches() {
	[ -f "$PATCHES/series" ] || return 0
	local p
	while read -r p; do
		case "$p" in '' | '#'*) continue ;; esac
		[ -f "$PATCHES/$p" ] ||
			die "$PATCHES/series lists $p, but that file does not exist." \
			    "Fix the series file or run 'make export' from the tree."
		printf '%s\n' "$PATCHES/$p"
	done <"$PATCHES/series"
}

# tree_sum: the fingerprint of the tree's commits (format-patch is
# deterministic for given commits)
tree_sum() { git_t format-patch --stdout --zero-commit --no-signature base..HEAD | sha1sum | cut -d' ' -f1; }

# on_tree COMMAND [ARG...]: the harness's Python COMMAND on this run's
# tree and series; tree_py WHAT: its tree workflow (harness/iommutest/
# tree.py: tree, export, overlay, foreign, check-unexported, record-state)
on_tree() {
	local cmd=$1
	shift
	iommutest "$cmd" "$@" --tree "$TREE" --patches "$PATCHES" --linux "$LINUX" \
		--package "$BASE_PACKAGE" --suite "$BASE_SUITE"
}
tree_py() { on_tree tree "$@"; }

# base_worktree DIR: DIR, a worktree of build/linux, at tag base with
# nothing else in it (an interrupted git am aborted, untracked files gone);
# made again when its git directory is gone (build/linux made again).
base_worktree() {
	if ! git -C "$1" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		step "creating the worktree ${1#"$TOP"/} at tag base (about a minute)"
		rm_build "$1"
		git_t worktree prune
		git_t worktree add -q --detach "$1" base
	fi
	git -C "$1" am --abort >/dev/null 2>&1 || true
	git -C "$1" checkout -q -f --detach base
	git -C "$1" clean -fdxq
}

# mutation_runner kunit|guests|bench ARG...: the mutation runner
# (harness/iommutest/mutations.py) on this run's tree
mutation_runner() {
	local what=$1
	shift
	mkdir -p "$OUT/results"
	iommutest mutations "$what" --tree "$TREE" --src "$SRC" --out "$OUT" --undo "$UNDO" "$@"
}
# The mutations are made against the series in build/linux
mutation_no_kernel_src() {
	[ -z "${KERNEL_SRC:-}" ] ||
		die "the mutations are made against the series in build/linux, not KERNEL_SRC." \
		    "Run 'make $1' without KERNEL_SRC."
}

# --- KTAP from the harness's own checks ---
# ktap_begin COUNT; then ktap_ok LABEL, ktap_not_ok LABEL [DETAILS] (shown as
# "# " lines) or ktap_skip LABEL REASON per test; ktap_end DIR NAME writes
# DIR/NAME.ktap (the KTAP printed) and DIR/NAME.result for the report,
# prints the summary and returns non-zero when a test failed.
ktap_line() { printf '%s\n' "$@" | tee -a "$KT_FILE"; }
ktap_begin() {
	KT_N=0 KT_PASS=0 KT_FAIL=0 KT_SKIP=0 KT_T0=$(now) KT_PLAN=$1
	KT_FILE=$(mktemp)
	ktap_line "KTAP version 1" "1..$1"
}
ktap_ok() {
	KT_N=$((KT_N + 1)) KT_PASS=$((KT_PASS + 1))
	ktap_line "ok $KT_N $1"
}
ktap_not_ok() {
	KT_N=$((KT_N + 1)) KT_FAIL=$((KT_FAIL + 1))
	ktap_line "not ok $KT_N $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /' | tee -a "$KT_FILE"
}
ktap_skip() {
	KT_N=$((KT_N + 1)) KT_SKIP=$((KT_SKIP + 1))
	ktap_line "ok $KT_N $1 # SKIP $2"
}
ktap_end() {
	local secs=$(($(now) - KT_T0))
	# a plan that does not match what ran is a broken check
	[ "$KT_N" = "$KT_PLAN" ] ||
		ktap_not_ok "plan" "the plan said 1..$KT_PLAN but $KT_N results came: fix the count in ktap_begin"
	mkdir -p "$1"
	rm -f "$1/$2.problems"	# an earlier run's
	mv "$KT_FILE" "$1/$2.ktap"
	printf '%s %s %s %s %s\n' "$2" "$KT_PASS" "$KT_FAIL" "$KT_SKIP" "$secs" >"$1/$2.result"
	printf '%s: %s passed, %s failed, %s skipped in %s s\n' "$2" "$KT_PASS" "$KT_FAIL" "$KT_SKIP" "$secs"
	[ "$KT_FAIL" = 0 ]
}

# guest_matrix smoke|selftests|tarball NAME...: the guest matrix
# (harness/iommutest/guests.py) of this run's tree and base: the smoke
# test on the guest kinds NAME, the storms and race boots, or the
# kselftest tarball's boot, on the targets NAME
guest_matrix() {
	iommutest guests "$@" --src "$SRC" --out "$OUT" --results "${RESULTS:-$OUT/results}" \
		--base-tag "$BASE_TAG" --kernel "$(kernel_version "$SRC")" --qemu-summary "$(qemu_summary)"
}

# Seconds since the epoch, for step timings.
now() { date +%s; }

