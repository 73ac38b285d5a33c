#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest half of tests/stressng/run (busybox sh, the module loaded by the
# harness, Debian's bookworm root at /rootfs): each stressor runs with
# Debian's stress-ng (chroot /rootfs), first with merging off, then on
# (and for mremap and pagemove once more with rebase_moved=1), and each
# run prints one line
#
#   @@SNG name=N mode=M rc=R end=E fails=F skipped=S untrust=U verify=V
#         bogo=B merges=M kinds=K refused=F rehomed=P attempts=A candidates=C
#         races=R warns=W oom=O secs=T
#
# (one line, no wrap; all again at the end) that the host side compares.
# rc is stress-ng's exit status; end "successful" / "unsuccessful" /
# "none" (its last "run completed" line); fails the "fail:" lines (a
# failed --verify among them); skipped the lines saying a stressor is
# skipped; untrust "metrics may be untrustworthy" (timing, reported
# only); verify the module's verifier (anonmergectl verify) on every
# stress-ng process once the workers have run a third of the time: ok |
# bad | none (none left to check); bogo the bogo-ops (--yaml);
# merges/kinds/refused/rehomed/attempts/candidates/races the deltas of
# /sys/kernel/mm/anonmerge/merges/* (sum; by kind), refusals/* (by
# reason), pages_rehomed, attempts, candidates and refusals/state_changed
# during the run; warns the kernel lines
# "merge not as predicted" (the module's own model-error warning); oom
# the kernel's "Out of memory" lines.
#
# Environment (from the host): SNG_SECONDS (stress-ng -t per run,
# default 10); SNG_ONLY (space-separated entry names, default all);
# SNG_FAKE_DIFF (an entry name: its runs with merging on get an unknown
# option, so stress-ng exits 1 there: a faked differing verdict).
SECS=${SNG_SECONDS:-10}
ONLY=${SNG_ONLY:-}
FAKE=${SNG_FAKE_DIFF:-}
SYS=/sys/kernel/mm/anonmerge
REBASE=/sys/module/anonmerge/parameters/rebase_moved
OUT=/tmp/sng
mkdir -p $OUT
chmod 1777 $OUT	# madvise runs as nobody and writes its --yaml here
: >$OUT/results

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
sum() { cat "$SYS/$1"/* 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
counter() { cat "$SYS/$1" 2>/dev/null || echo 0; }
# kinds [DIR]: "name=value" of every DIR/* counter (default merges), one
# a line.
kinds() {
	for f in "$SYS/${1:-merges}"/*; do
		[ -f "$f" ] && echo "${f##*/}=$(cat "$f")"
	done
}
# delta BEFORE DIR: "name:increase,..." of the DIR counters that grew
# since BEFORE (an output of kinds DIR), or "-".
delta() {
	(echo "$1" | sed 's/^/0 /'; kinds "$2" | sed 's/^/1 /') | awk '
		{ split($2, a, "="); v[$1, a[1]] = a[2]; n[a[1]] = 1 }
		END { s = ""; for (k in n) if (v[1, k] - v[0, k] > 0)
			s = s (s == "" ? "" : ",") k ":" v[1, k] - v[0, k]
			print (s == "" ? "-" : s) }'
}

if [ ! -x /rootfs/usr/bin/stress-ng ]; then
	echo "FAIL stressng: no /rootfs/usr/bin/stress-ng (run with --rootfs of tests/vm/rootfs)"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ ! -w "$SYS/mode" ]; then
	echo "FAIL stressng: no $SYS/mode (module not loaded?)"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "## $(chroot /rootfs stress-ng --version), kernel $(uname -r), $(nproc) CPUs, NUMA nodes: $(echo /sys/devices/system/node/node* | wc -w)"
echo "## $SECS s per run; module mode at start: $(cat $SYS/mode)"

# Every entry: NAME, the merging modes after "off" (rebase = on with
# rebase_moved=1, for the stressors that move pages with mremap), and
# stress-ng's arguments (1-2 workers; sizes for a 2 GiB TCG guest).
# --verify everywhere (`stress-ng --verifiable` lists mlock, mmapfork,
# mmapmany, numa, pagemove, userfaultfd, mremap, vm of these; the others
# ignore it).  brk-mlock (brk with --brk-mlock) is brk's variant that
# leaves neighbours with different anon_vmas, i.e. work for the module:
# first, so that a short or cut run has it.
ENTRIES="brk-mlock on --brk 2 --brk-mlock
mprotect on --mprotect 2
mremap on,rebase --mremap 2 --mremap-bytes 16M
pagemove on,rebase --pagemove 2 --pagemove-bytes 4M
mlock on --mlock 2
madvise on --madvise 2
mmapfork on --mmapfork 1
mmapmany on --mmapmany 2
rmap on --rmap 1
numa on --numa 2
vm on --vm 2 --vm-bytes 64M --vm-method all
brk on --brk 2
userfaultfd on --userfaultfd 2"
# madvise runs as nobody: as root, stress-ng 0.15 also uses MADV_HWPOISON,
# and whether a worker then touches a poisoned page and is killed (an
# "unsuccessful run") is chance, merging or not: seen off rc 0, on rc 2,
# with nothing merged.  Unprivileged, MADV_HWPOISON and
# MADV_SOFT_OFFLINE fail with EPERM.
user_of() {
	case "$1" in
	madvise) echo nobody ;;
	*) echo root ;;
	esac
}

# stressng_procs: the pids whose comm starts with "stress-ng".
stressng_procs() {
	for d in /proc/[0-9]*; do
		c=$(cat "$d/comm" 2>/dev/null) || continue
		case "$c" in
		stress-ng*) echo "${d#/proc/}" ;;
		esac
	done
}

# run NAME MODE ARGS...: one run of stressor NAME with merging MODE
# (off | on | rebase); prints @@SNG.
run() {
	name=$1
	mode=$2
	shift 2
	case "$mode" in
	rebase) echo on >"$SYS/mode"; echo 1 >$REBASE ;;
	*) echo "$mode" >"$SYS/mode"; echo 0 >$REBASE ;;
	esac || echo "stressng: cannot set mode $mode"
	extra=""
	[ "$mode" != off ] && [ "$name" = "$FAKE" ] && extra="--anonmerge-fake-diff"
	user=$(user_of "$name")
	priv=""
	[ "$user" = root ] || priv="setpriv --reuid=$user --regid=nogroup --clear-groups"
	m0=$(sum merges)
	k0=$(kinds merges)
	f0=$(kinds refusals)
	p0=$(counter pages_rehomed)
	a0=$(counter attempts)
	c0=$(counter candidates)
	r0=$(counter refusals/state_changed)
	d0=$(dmesg | wc -l)
	rm -f $OUT/out $OUT/y.yaml $OUT/verify
	t0=$(now)
	# The data segment is limited for brk (it grows the heap until
	# ENOMEM): an OOM kill would print a Call Trace, a splat to the
	# harness.  /tmp is the guest's tmpfs (the rootfs is read-only).
	# The run ends by writing its exit status to $OUT/rc: whether it
	# still runs is read from there, not from kill -0 of a pid (seen:
	# the verifier loop below, keyed on kill -0 $! and on counting
	# stress-ng processes, checked no process at all in 13 stressors).
	rm -f $OUT/rc
	(
		# shellcheck disable=SC2086 # $priv and $extra are words
		timeout -s KILL $((SECS * 10 + 120)) chroot /rootfs /bin/sh -c \
			'cd /tmp && ulimit -d 524288 && exec "$@"' sh $priv \
			stress-ng "$@" -t "${SECS}s" --verify --metrics-brief \
			--seed 1 --oom-avoid --temp-path /tmp --yaml $OUT/y.yaml \
			$extra >$OUT/out 2>&1
		echo $? >$OUT/rc
	) &
	job=$!
	# The verifier on every stress-ng process, once a second for as
	# long as the run lasts: merges happen while the workers run.
	verify=none
	vruns=0
	vother=0
	: >$OUT/vother
	# This shell polls above stress-ng's priority (it was started
	# before): with the workers on every vCPU it otherwise got a turn
	# only after they ended.  Back to normal after the loop.  (This
	# runs in the pipeline's subshell: its pid is not $$, and `read`,
	# a builtin, opens /proc/self in this very process.)
	read -r me _ </proc/self/stat
	renice -n -10 -p "$me" >/dev/null
	while [ ! -e $OUT/rc ]; do
		sleep 1
		for p in $(stressng_procs); do
			anonmergectl verify "$p" >$OUT/v1 2>&1
			case $? in
			0)
				vruns=$((vruns + 1))
				[ "$verify" = bad ] || verify=ok ;;
			4)
				vruns=$((vruns + 1))
				verify=bad
				cat $OUT/v1 >>$OUT/verify ;;
			*)
				# Not checked (gone meanwhile, exiting, or a
				# race the verifier refused to judge): the
				# message, counted below, says which.
				vother=$((vother + 1))
				sed "s/[0-9][0-9]*/N/g" $OUT/v1 >>$OUT/vother ;;
			esac
		done
	done
	renice -n 0 -p "$me" >/dev/null
	wait $job
	rc=$(cat $OUT/rc)
	secs=$(since "$t0")
	new=$(dmesg | tail -n +$((d0 + 1)))
	end=$(sed -nE 's/.* (unsuccessful|successful) run completed.*/\1/p' $OUT/out | tail -n 1)
	fails=$(grep -c ' fail: ' $OUT/out)
	skipped=$(grep -ci 'skipped' $OUT/out)
	untrust=$(grep -c 'untrustworthy' $OUT/out)
	bogo=$(awk '/bogo-ops:/ { s += $2 } END { print s + 0 }' $OUT/y.yaml 2>/dev/null)
	kd=$(delta "$k0" merges)
	rd=$(delta "$f0" refusals)
	warns=$(echo "$new" | grep -c 'merge not as predicted')
	oom=$(echo "$new" | grep -c 'Out of memory')
	echo "--- $name, merging $mode: ${priv:+$priv }stress-ng $* -t ${SECS}s $extra (exit $rc)"
	grep -E ' (fail|error|warn|skip):|skipped|untrustworthy|run completed|metrc: .*(bogo|'"${1#--}"' )' $OUT/out | head -n 20
	[ -s $OUT/verify ] && cat $OUT/verify
	echo "(verifier: $vruns process checks, $vother not checked)"
	sort $OUT/vother | uniq -c | sed 's/^/(verifier: not checked: /; s/$/)/'
	echo "$new" | grep -E 'anonmerge|Out of memory|oom|Memory failure|hwpoison' | head -n 10
	echo "@@SNG name=$name mode=$mode rc=$rc end=${end:-none} fails=$fails skipped=$skipped untrust=$untrust verify=$verify bogo=$bogo merges=$(($(sum merges) - m0)) kinds=$kd refused=$rd rehomed=$(($(counter pages_rehomed) - p0)) attempts=$(($(counter attempts) - a0)) candidates=$(($(counter candidates) - c0)) races=$(($(counter refusals/state_changed) - r0)) warns=$warns oom=$oom secs=$secs" |
		tee -a $OUT/results
}

T0=$(now)
echo "$ENTRIES" | while read -r name modes args; do
	if [ -n "$ONLY" ]; then
		case " $ONLY " in
		*" $name "*) ;;
		*) continue ;;
		esac
	fi
	# shellcheck disable=SC2086 # $args are words
	run "$name" off $args </dev/null
	for m in $(echo "$modes" | tr , ' '); do
		# shellcheck disable=SC2086
		run "$name" "$m" $args </dev/null
	done
done
echo off >"$SYS/mode"
echo 0 >$REBASE
echo "## refusals (whole run):"
for f in "$SYS"/refusals/*; do
	v=$(cat "$f")
	[ "$v" = 0 ] || echo "  ${f##*/} $v"
done
echo "## anonmergectl verify 1: $(anonmergectl verify 1 2>&1)"
echo "## guest time $(since "$T0") s"
# Again, all together: a kernel message on the console may have split a
# line above; the host takes the last copy.
echo "## results"
cat $OUT/results
