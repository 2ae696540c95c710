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
# qemu-crash, exit, report, died or no-tests.
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

t0=$(now)
rc=0
# timeout puts QEMU in a process group of its own, out of reach of the
# terminal's ^C: a signal to this script stops QEMU (timeout passes SIGTERM
# on), then ends this script by the same signal, so that the scripts that
# started it stop too rather than boot the next guest.
timeout -k 5 "$timeout" "$qemu" "${console[@]}" "$@" \
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

problems=() kinds=()
problem() { kinds+=("$1"); problems+=("$2"); }
qemu_crashed=
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	problem watchdog "watchdog: the guest did not finish in $timeout s and was killed"
elif [ "$rc" = 134 ] || [ "$rc" = 139 ]; then
	# a guest cannot crash its emulator: that is QEMU's bug, not the kernel's
	qemu_crashed=1
	problem qemu-crash "QEMU crashed ($qemu exited with status $rc, SIG$([ "$rc" = 139 ] && echo SEGV || echo ABRT)): a bug of QEMU, not of the guest kernel"
elif [ "$rc" != 0 ]; then
	problem exit "$qemu exited with status $rc"
fi
if grep -qE "$BAD" "$log"; then
	problem report "the kernel log has a report: $(grep -m1 -oE "$BAD" "$log")"
fi
if ! grep -q '^guest-init: done' "$log" && [ "$rc" != 124 ] && [ "$rc" != 137 ] && [ -z "$qemu_crashed" ]; then
	problem died "the guest stopped before guest-init finished (panic or crash)"
fi

sed -n -E 's/^[[:space:]]*((K?TAP version|1\.\.|ok |not ok |# ).*)$/\1/p' "$log" >"$ktap"
passed=$(grep -E '^ok [0-9]+ ' "$ktap" | grep -vc '# SKIP' || true)
skipped=$(grep -E '^ok [0-9]+ ' "$ktap" | grep -c '# SKIP' || true)
failed=$(grep -cE '^not ok [0-9]+ ' "$ktap" || true)
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
printf '%s %s %s %s %s\n' "$name" "$passed" "$failed" "$skipped" "$secs" >"$res/$name.result"
printf '%s: %s passed, %s failed, %s skipped in %s s\n' "$name" "$passed" "$failed" "$skipped" "$secs"
[ "$failed" = 0 ]
