#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot one QEMU guest under a watchdog and judge it from its console:
#  - a guest that does not power off within TIMEOUT seconds is killed: FAIL;
#  - an oops, BUG, WARNING, lockdep/KASAN report, stall or panic: FAIL, with
#    the excerpt shown;
#  - a guest that stops without guest-init's "done" line: FAIL;
#  - otherwise the KTAP of the guest's tests decides.
# Writes build/results/NAME.{log,ktap,result,problems} (RESULTS= overrides
# the directory). NAME.problems has one line per reason the boot failed,
# whatever its tests said, each starting with its kind: watchdog,
# qemu-crash, exit, report, died, sanitizer, program or no-tests.
#
#   harness/boot.sh [--own-console] NAME TIMEOUT QEMU-BINARY QEMU-ARG...
#
# QEMU gets '-display none -monitor none -serial stdio -no-reboot' added,
# unless --own-console says that the command (a kselftest-tarball run.sh)
# adds them itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

console=(-display none -monitor none -serial stdio -no-reboot)
[ "${1:-}" != --own-console ] || { console=(); shift; }
name=${1:?usage: boot.sh [--own-console] NAME TIMEOUT QEMU QEMU-ARG...}
timeout=${2:?usage: boot.sh [--own-console] NAME TIMEOUT QEMU QEMU-ARG...}
qemu=${3:?usage: boot.sh [--own-console] NAME TIMEOUT QEMU QEMU-ARG...}
shift 3
select_tree
command -v "$qemu" >/dev/null || die "$qemu is not installed." "Run 'make deps' as root."

res=${RESULTS:-$OUT/results}
mkdir -p "$res"
log=$res/$name.log
ktap=$res/$name.ktap
# an earlier boot's report excerpt, which only a report writes again, is
# not this boot's
rm -f "$res/$name".{report,decoded,report.out}

# Kernel reports that fail a run whatever the tests say.
BAD=$KERNEL_REPORTS

# decode_report FILE: FILE with file:line for each stack frame, when
# guest.sh named the guest kernel's build directory (DECODE_KERNEL, with
# DECODE_CROSS its binutils prefix) and its debug info resolves a frame.
decode_report() {
	local k=${DECODE_KERNEL:-}
	[ -n "$k" ] && [ -f "$k/vmlinux" ] || return 1
	CROSS_COMPILE=${DECODE_CROSS:-} "$SRC/scripts/decode_stacktrace.sh" \
		"$k/vmlinux" "$SRC" "$k" <"$1" >"$1.out" || return 1
	# decoded frames end in "file.c:line"; none means nothing resolved
	grep -qE '[^ ]+\.[chS]:[0-9]+' "$1.out" || return 1
	cat "$1.out"
}

# QEMU runs in a directory of its own with no core-size limit (as far as
# the hard limit lets, which some containers set to 0): when it crashes
# and the kernel's core_pattern is a plain file name (the default, "core"),
# its core dump lands there and its crashing frame is read back below.
# The guest's RAM is not in the core (QEMU's dump-guest-core=off, below).
qemu_path=$(command -v "$qemu")
[[ "$qemu_path" = /* ]] || qemu_path=$PWD/$qemu_path
core_dir=$res/$name.qemu-core
printf '%q ' "$qemu_path" "${console[@]}" -machine dump-guest-core=off "$@" >"$res/$name.cmdline"
echo >>"$res/$name.cmdline"
rm -rf "$core_dir" "$res/$name.qemu-crash"
mkdir -p "$core_dir"
t0=$(now)
rc=0
# timeout puts QEMU in a process group of its own, out of reach of the
# terminal's ^C: a signal to this script stops QEMU (timeout passes SIGTERM
# on), then ends this script by the same signal, so that the scripts that
# started it stop too rather than boot the next guest.
# QEMU does not hold the run's lock (an orphan would keep build/.lock),
# and does not outlive this script: timeout and QEMU each die with their
# parent (setpriv --pdeathsig), a SIGKILL of this script included. Its
# core leaves the guest's RAM out (dump-guest-core=off).
(cd "$core_dir" && { ulimit -c unlimited 2>/dev/null || true; } &&
 { [ -z "${IOMMU_TEST_LOCK_FD:-}" ] || eval "exec $IOMMU_TEST_LOCK_FD>&-"; } &&
 exec setpriv --pdeathsig KILL timeout -k 5 "$timeout" \
	setpriv --pdeathsig KILL "$qemu_path" "${console[@]}" -machine dump-guest-core=off "$@") \
	</dev/null >"$log" 2>&1 &
qpid=$!
stop_qemu() {
	kill -TERM "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	trap - "$1"
	kill -"$1" $$
}
for sig in INT TERM HUP; do trap "stop_qemu $sig" "$sig"; done
wait "$qpid" || rc=$?
trap - INT TERM HUP
secs=$(($(now) - t0))
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

# qemu_crash_frame DIR: the crashed QEMU's innermost frames and the
# registers that hold a call's first arguments, from its core in DIR (by
# gdb; Debian's QEMU has its dynamic symbols), or why there are none
qemu_crash_frame() {
	local core exe
	core=$(find "$1" -maxdepth 1 -type f -name 'core*' | head -n 1)
	if [ -z "$core" ] && [ "$(ulimit -Hc)" = 0 ]; then
		echo "no core dump of QEMU: the hard core-size limit is 0 (ulimit -Hc);" \
			"raise it for QEMU's crashing frame"
	elif [ -z "$core" ] && [[ "$(cat /proc/sys/kernel/core_pattern)" = [/\|]* || "$(cat /proc/sys/kernel/core_pattern)" = */* ]]; then
		echo "no core dump of QEMU: kernel.core_pattern is '$(cat /proc/sys/kernel/core_pattern)'," \
			"which sends it elsewhere; set it to 'core' (sysctl -w kernel.core_pattern=core) for QEMU's crashing frame"
	elif [ -z "$core" ]; then
		echo "no core dump of QEMU in ${1#"$TOP"/}, although kernel.core_pattern is" \
			"'$(cat /proc/sys/kernel/core_pattern)' and the core-size limit $(ulimit -Hc): the kernel did not write one" \
			"(a full disk, or a sandbox that drops cores); to see the frame, run the guest's QEMU under gdb" \
			"(its command line: ${res#"$TOP"/}/$name.cmdline)"
	elif ! command -v gdb >/dev/null; then
		echo "QEMU's core dump is not read: gdb is not installed (make deps)"
	else
		# the program that crashed, as the core names it: QEMU, or the
		# interpreter of a script standing in for it
		exe=$(gdb -batch -nx -c "$core" 2>/dev/null |
			sed -n -E "s/^Core was generated by \`([^ ']+).*/\1/p")
		[ -x "$exe" ] || exe=$qemu_path
		gdb -batch -nx -ex 'bt 16' -ex 'info registers rip rdi rsi rdx' \
			"$exe" "$core" 2>/dev/null | grep -E '^(#[0-9]|r[ids][pix] )' | awk '!seen[$0]++'
	fi
}

# crash_frame FILE: the function of the first frame in a qemu_crash_frame
# output that is not the C library's or GLib's way to abort (raise, abort,
# assert, g_assert): the code that gave up
crash_frame() {
	sed -n -E 's/^#[0-9]+ +(0x[0-9a-f]+ in )?([A-Za-z_][A-Za-z0-9_.]*) .*/\2/p' "$1" |
		{ grep -vE '^(__pthread_kill_[a-z_]+|pthread_kill|__GI_raise|raise|__GI_abort|abort|__assert_fail_base|__GI___assert_fail|__assert_fail|__assert_perror_fail|g_assertion_message[a-z_]*|g_log[a-z_]*|g_error)$' || true; } |
		sed -n 1p
}

# qemu_said LOG: what QEMU itself printed when it gave up (error_report's
# 'qemu-system-ARCH: ...', cpu_abort()'s 'qemu: fatal: ...', assert()'s
# message, GLib's 'ERROR:'/'Bail out!'),
# on one line
qemu_said() {
	{ grep -aE '^(qemu(-system-[a-z0-9_]+)?: |\*\*$|(Bail out! )?ERROR:)|: Assertion .* failed\.$' "$1" || true; } |
		{ grep -av '^\*\*$' || true; } | awk '!seen[$0]++' | sed -n 1,3p | paste -sd';' - | sed 's/;/; /g'
}

problems=() kinds=()
problem() { kinds+=("$1"); problems+=("$2"); }
qemu_crashed=
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	problem watchdog "watchdog: the guest did not finish in $timeout s and was killed"
elif [ "$rc" = 134 ] || [ "$rc" = 139 ]; then
	# a guest cannot crash its emulator: that is QEMU's bug, not the kernel's
	qemu_crashed=1
	qemu_crash_frame "$core_dir" >"$res/$name.qemu-crash"
	frame=$(crash_frame "$res/$name.qemu-crash")
	said=$(qemu_said "$log")
	problem qemu-crash "QEMU crashed ($qemu exited with status $rc, SIG$([ "$rc" = 139 ] && echo SEGV || echo ABRT))${frame:+ in $frame()}${said:+ saying '$said'}: a bug of QEMU, not of the guest kernel"
elif [ "$rc" != 0 ]; then
	problem exit "$qemu exited with status $rc"
fi
if grep -qE "$BAD" "$log"; then
	problem report "the kernel log has a report: $(grep -m1 -oE "$BAD" "$log")"
fi
if ! grep -q '^guest-init: done' "$log" && [ "$rc" != 124 ] && [ "$rc" != 137 ] && [ -z "$qemu_crashed" ]; then
	problem died "the guest stopped before guest-init finished (panic or crash)"
fi

iommutest ktap-extract "$log" >"$ktap"
read -r passed failed skipped <<<"$(iommutest ktap-counts "$ktap")"
# A sanitizer built into the kernel (guest.sh names its start line) that
# never started would pass everything; a guest that died is judged by
# its death instead
if [ -n "${SANITIZER_UP:-}" ] && sanitizer_missing "$log" "$SANITIZER_UP"; then
	problem sanitizer "the kernel log does not say '$SANITIZER_UP': the sanitizer built into the guest kernel did not run"
fi
# init's own word on its programs: one that failed while no KTAP line
# says so (it crashed, or exited non-zero after 'ok') fails the boot
prog_failed=$(sed -n -E 's/^guest-init: done: [0-9]+ programs, ([0-9]+) failed$/\1/p' "$log" | tail -n 1)
if [ "${prog_failed:-0}" != 0 ] && [ "$failed" = 0 ]; then
	problem program "guest-init: $prog_failed program(s) failed with no failed test in their KTAP: $(grep -E '^guest-init: .*(failed|killed by signal [0-9]+)$' "$log" | grep -v '^guest-init: done' | paste -sd';' -)"
fi
[ $((passed + failed + skipped)) -gt 0 ] || [ "${#problems[@]}" -gt 0 ] ||
	problem no-tests "the guest ran no test (no KTAP result lines on the console)"
failed=$((failed + ${#problems[@]}))
: >"$res/$name.problems"
for i in "${!problems[@]}"; do
	printf '%s %s\n' "${kinds[$i]}" "${problems[$i]}" >>"$res/$name.problems"
done

cat "$ktap"
if [ "${#problems[@]}" -gt 0 ]; then
	for p in "${problems[@]}"; do printf 'FAIL %s: %s\n' "$name" "$p" >&2; done
	if grep -qE "$BAD" "$log"; then
		first=$(grep -nE "$BAD" "$log" | sed -n 1,1p | cut -d: -f1)
		sed -n "$((first > 5 ? first - 5 : 1)),$((first + 45))p" "$log" >"$res/$name.report"
		how=
		if decode_report "$res/$name.report" >"$res/$name.decoded" 2>/dev/null; then
			how=", decoded with scripts/decode_stacktrace.sh"
			mv "$res/$name.decoded" "$res/$name.report"
		fi
		rm -f "$res/$name.decoded" "$res/$name.report.out"
		printf -- '---- kernel report (%s, from line %s%s) ----\n' "${log#"$TOP"/}" "$first" "$how" >&2
		cat "$res/$name.report" >&2
	elif [ -s "$res/$name.qemu-crash" ]; then
		printf -- "---- QEMU's crash (%s) ----\n" "${res#"$TOP"/}/$name.qemu-crash" >&2
		cat "$res/$name.qemu-crash" >&2
		printf -- '---- last 30 lines of %s ----\n' "${log#"$TOP"/}" >&2
		tail -n 30 "$log" >&2
	elif grep -qE '^(# )?# stalled: ' "$log"; then
		# the storm's stall report: the stacks of the tasks that wait
		first=$(grep -nE -m1 '^(# )?# stalled: ' "$log" | cut -d: -f1)
		printf -- '---- stall report (%s, from line %s) ----\n' "${log#"$TOP"/}" "$first" >&2
		sed -n "$first,$((first + 80))p" "$log" >&2
	else
		printf -- '---- last 30 lines of %s ----\n' "${log#"$TOP"/}" >&2
		tail -n 30 "$log" >&2
	fi
	printf -- '---- end ----\n' >&2
fi
rm -rf "$core_dir"
printf '%s %s %s %s %s\n' "$name" "$passed" "$failed" "$skipped" "$secs" >"$res/$name.result"
printf '%s: %s passed, %s failed, %s skipped in %s s\n' "$name" "$passed" "$failed" "$skipped" "$secs"
[ "$failed" = 0 ]
