#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest half of tests/package/check: what a newcomer does after
# `apt install ./anonmerge-dkms*.deb ./anonmerge-utils*.deb` on Debian 12,
# run with the Debian root that the .debs were installed into mounted at
# /rootfs (tests/vm/run --rootfs), so modprobe, anonmergectl and bpftrace
# are the packaged ones and the module is the one DKMS built.  The
# workload (am_frag) is the harness's static build in /usr/local/bin.
# Prints PASS/FAIL lines and ends "N passed, N failed"; exit 1 on a failure.
passed=0
failed=0
pass() { echo "PASS package guest: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL package guest: $*"; failed=$((failed + 1)); }
check() {	# check NAME CMD...: PASS when CMD succeeds
	name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}
in_root() { chroot /rootfs "$@"; }
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
SYS=/sys/kernel/mm/anonmerge
# counter FILE: its value, or nothing when there is no such file.
counter() { cat "$SYS/$1" 2>/dev/null; }
# sum DIR: the sum of the counters in $SYS/DIR/*.
sum() { cat "$SYS/$1"/* 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

if [ ! -x /rootfs/usr/sbin/anonmergectl ]; then
	echo "FAIL package guest: no /rootfs with anonmerge-utils (run with --rootfs)"
	echo "0 passed, 1 failed"
	exit 1
fi
krel=$(uname -r)

# --- load the module DKMS built, with the packaged modprobe -----------------
echo "## modprobe anonmerge"
check "modprobe anonmerge" in_root modprobe anonmerge
path=$(in_root modinfo -n anonmerge 2>/dev/null)
echo "modinfo -n anonmerge: $path"
case "$path" in
"/lib/modules/$krel/updates/dkms/"*) pass "modprobe takes DKMS's module ($path)" ;;
*) fail "modprobe takes DKMS's module (found '$path')" ;;
esac
# The module that is loaded is that file (same source hash).
check "loaded module is the installed one" \
	test "$(cat /sys/module/anonmerge/srcversion 2>/dev/null)" = \
	"$(in_root modinfo -F srcversion anonmerge 2>/dev/null)"

# --- the tool --------------------------------------------------------------
echo "## anonmergectl status"
in_root anonmergectl status
check "anonmergectl status" test $? = 0
echo "## anonmergectl enable"
check "anonmergectl enable" in_root anonmergectl enable

# --- counters in sysfs, with a workload that fragments ---------------------
echo "## counters in $SYS"
if [ ! -d "$SYS" ]; then
	fail "$SYS exists (the module has no sysfs directory: counters not checked)"
else
	check "$SYS/mode reads on" grep -qw on "$SYS/mode"
	before=$(sum merges)
	echo "## am_frag -n 64 (a pool of 64 slabs, each faulted while mlocked)"
	am_frag -n 64
	for f in mode max_rehome_pages attempts candidates dry_run_would_merge \
		pages_rehomed; do
		echo "$f: $(counter "$f")"
	done
	for f in "$SYS"/merges/* "$SYS"/refusals/*; do
		[ -f "$f" ] && echo "${f#"$SYS"/}: $(cat "$f")"
	done
	check "attempts counted" test "$(counter attempts)" -gt 0
	# Only the 6.1 line merges today (README, status per kernel line).
	if [ "${krel#6.1.}" != "$krel" ]; then
		check "merges counted on $krel" test "$(sum merges)" -gt "$before"
		check "pages_rehomed counted" test "$(counter pages_rehomed)" -gt 0
	fi
	echo "## anonmergectl verify \$\$ (this shell)"
	check "anonmergectl verify" in_root anonmergectl verify $$
fi

# --- bpftrace ---------------------------------------------------------------
echo "## bpftrace (packaged bpftrace 0.17 from the rootfs)"
t0=$(now)
out=$(in_root bpftrace -e 'BEGIN { printf("hello\n"); exit(); }' 2>&1)
echo "$out"
echo "bpftrace hello: $(since "$t0") s"
check "bpftrace runs in the chroot" test "${out#*hello}" != "$out"

# --- watch merges live with the packaged bpftrace tools ----------------------
# Each tool runs in the chroot in the background; once it printed its
# banner (BEGIN runs after every probe is attached) am_frag merges, then
# SIGINT stops the tool, which prints what it counted.  What it printed must
# add up to what the module counted in the same time.
BT=/usr/share/anonmerge/bpftrace
# tick TOOL: wait one more second for TOOL (pid $tool_pid, count $n);
# 1, with its output shown, once it died or 300 s have passed.
tick() {
	n=$((n + 1))
	if [ $n -gt 300 ] || ! kill -0 $tool_pid 2>/dev/null; then
		cat "/tmp/$1.out"
		return 1
	fi
	sleep 1
}
# watch TOOL: start $BT/TOOL, wait for its banner; 1 when it never came.
watch() {
	# Not through in_root: a backgrounded function is a subshell, which
	# ignores SIGINT (as every asynchronous list of a non-interactive
	# shell does); chroot execs bpftrace, so $! is bpftrace itself.
	chroot /rootfs bpftrace "$BT/$1" >"/tmp/$1.out" 2>&1 &
	tool_pid=$!
	n=0
	until grep -q '^Tracing' "/tmp/$1.out" 2>/dev/null; do
		tick "$1" || return 1
	done
	# bpftrace 0.17 runs BEGIN before it has attached every other probe.
	# Ready means: SIGINT caught (SigCgt bit 1; started in the
	# background, bpftrace inherits it ignored), and for a tool with an
	# interval probe, that probe has printed once.
	until sigcgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$tool_pid/status") &&
		[ $((0x$sigcgt & 2)) != 0 ]; do
		tick "$1" || return 1
	done
	if grep -q '^interval:' "/rootfs$BT/$1"; then
		until grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}$' "/tmp/$1.out"; do
			tick "$1" || return 1
		done
	fi
	echo "$1 attached after $n s"
}
# unwatch TOOL: stop it as Ctrl-C does and show its output.  bpftrace
# 0.17 notices SIGINT only when it interrupts epoll_wait() (its
# poll_perf_events() tests exitsig_recv on EINTR alone) or when a later
# perf event arrives: one that lands while it reads events is lost, and a
# tool that prints nothing after BEGIN (rehome-latency) then runs on
# forever.  So, as a user would, Ctrl-C is pressed again every 2 s.
unwatch() {
	n=0
	ints=0
	while kill -0 $tool_pid 2>/dev/null && [ $n -lt 60 ]; do
		if [ $((n % 2)) = 0 ]; then
			kill -INT $tool_pid 2>/dev/null
			ints=$((ints + 1))
		fi
		sleep 1
		n=$((n + 1))
	done
	[ $ints -le 1 ] || echo "$1 needed $ints SIGINTs"
	kill -KILL $tool_pid 2>/dev/null && echo "$1 ignored $ints SIGINTs"
	wait $tool_pid
	echo "--- $1 printed:"
	cat "/tmp/$1.out"
}
# total PATTERN FILE: the sum of the counts of the map lines matching.
total() {
	grep -E "$1" "$2" | sed 's/.*]: *//' | awk '{ s += $1 } END { print s + 0 }'
}

# frag_under TOOL PATTERN: am_frag merges while TOOL watches; sets $merged
# (what the module counted) and $shown (the sum of TOOL's map lines
# matching PATTERN).  1 when TOOL never attached.
frag_under() {
	watch "$1" || return 1
	m0=$(counter merges/existing)
	am_frag -n 64 >/dev/null
	sleep 2
	unwatch "$1"
	merged=$(($(counter merges/existing) - m0))
	shown=$(total "$2" "/tmp/$1.out")
}

echo "## bpftrace tools in $BT"
for t in anonmerge-top.bt vma-count.bt rehome-latency.bt; do
	check "$t installed" test -f "/rootfs$BT/$t"
done
if [ "${krel#6.1.}" != "$krel" ] && [ -d "$SYS" ]; then
	in_root anonmergectl enable >/dev/null
	if frag_under anonmerge-top.bt \
		'^@merges\[[0-9]+, am_frag, existing\]'; then
		check "anonmerge-top shows am_frag's $merged merges (shows $shown)" \
			test "$merged" -gt 0 -a "$shown" = "$merged"
	else
		fail "anonmerge-top.bt attaches"
	fi
	if frag_under vma-count.bt '^@merged\[[0-9]+, am_frag\]'; then
		check "vma-count shows am_frag's VMA count" \
			grep -Eq '^@vmas\[[0-9]+, am_frag\]: [0-9]+' /tmp/vma-count.bt.out
		check "vma-count shows am_frag's $merged merges (shows $shown)" \
			test "$merged" -gt 0 -a "$shown" = "$merged"
	else
		fail "vma-count.bt attaches"
	fi
	if watch rehome-latency.bt; then
		m0=$(counter merges/existing)
		am_frag -n 64 >/dev/null
		unwatch rehome-latency.bt
		merged=$(($(counter merges/existing) - m0))
		for h in rehome_us rehome_pages merge_us; do
			check "rehome-latency prints @$h" \
				grep -q "^@$h:" /tmp/rehome-latency.bt.out
		done
		# Each of am_frag's merges needed one re-home: the buckets of
		# @rehome_pages ("[lo, hi)   count |@@@|") add up to them - or to
		# fewer, as this tool has no interval probe that would prove
		# every probe attached before am_frag started (see watch()).
		rehomes=$(sed -n '/^@rehome_pages:/,/^$/p' /tmp/rehome-latency.bt.out |
			grep -E '^\[' | sed -E 's/^\[[^])]*[])] +([0-9]+) .*/\1/' |
			awk '{ s += $1 } END { print s + 0 }')
		check "rehome-latency counted $rehomes re-homes for $merged merges" \
			test "$rehomes" -gt 0 -a "$rehomes" -le "$merged"
	else
		fail "rehome-latency.bt attaches"
	fi
	in_root anonmergectl disable >/dev/null
fi

# --- unload, and load again with an option ----------------------------------
echo "## anonmergectl disable; modprobe -r anonmerge"
check "anonmergectl disable" in_root anonmergectl disable
in_root modprobe -r anonmerge
check "modprobe -r anonmerge" test ! -d /sys/module/anonmerge
echo "## modprobe anonmerge mode=dry-run (what /etc/modprobe.d/anonmerge.conf sets)"
check "modprobe with mode=dry-run" in_root modprobe anonmerge mode=dry-run
if [ -d "$SYS" ]; then
	check "$SYS/mode reads dry-run" grep -qw dry-run "$SYS/mode"
fi
in_root modprobe -r anonmerge
check "modprobe -r again" test ! -d /sys/module/anonmerge

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
