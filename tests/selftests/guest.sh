#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest half of tests/selftests/run (busybox sh, booted with --no-load):
# runs the kernel's mm selftests listed in /usr/local/bin/selftests.list
# twice, first with anonmerge absent (never loaded), then with the module
# loaded and mode on, and prints one verdict per test and per TAP subtest
# (and per khugepaged "Run test:" block) and pass:
#     @@ST|absent|KEY|VERDICT@@        VERDICT: pass fail skip xfail timeout
# between @@ST-RESULTS-BEGIN@@ and @@ST-RESULTS-END@@, with the module's
# counters after the "on" pass (@@STC|name|value@@) and the merges each
# test caused (@@STM|test|merges@@).  The host compares the passes.
# Environment (from the run command line):
#   ST_TMO_FACTOR     multiply each timeout (3 on the debug kernel)
#   ST_ONLY           space-separated test names to run (default: all)
#   ST_FAKE_FAIL      PASS:TEST - in that pass run `false` instead of TEST,
#                     to show that a differing verdict fails the comparison;
#                     TEST "fake" is a test of its own (`true`), run first,
#                     so that every real test is still compared
#   ST_INSMOD_ARGS    module parameters for the "on" pass
#   ST_ORDER          on-first: the "on" pass first, then the module
#                     unloaded and the "absent" pass
# Always exits 0: the verdicts are the host's to judge.
LIST=/usr/local/bin/selftests.list
SYS=/sys/kernel/mm/anonmerge
RES=/tmp/st-results
LOGS=/tmp/st-logs
: "${ST_TMO_FACTOR:=1}"
mkdir -p $LOGS /tmp/huge /tmp/st
: >$RES
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
msum() { cat $SYS/merges/* 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
rec() { echo "@@ST|$1|$2|$3@@" >>$RES; }

# As run_vmtests.sh: hugetlbfs at a known place, SysV shm big enough for
# hugepage-shm, KSM and THP as the tests expect them (they set their own).
mount -t hugetlbfs none /tmp/huge || echo "selftests: cannot mount hugetlbfs"
echo 268435456 >/proc/sys/kernel/shmmax
echo 4194304 >/proc/sys/kernel/shmall
echo "selftests: THP enabled=$(cat /sys/kernel/mm/transparent_hugepage/enabled)" \
	"defrag=$(cat /sys/kernel/mm/transparent_hugepage/defrag)," \
	"ksm=$(cat /sys/kernel/mm/ksm/run 2>/dev/null)," \
	"nodes=$(ls -d /sys/devices/system/node/node* | wc -l), cpus=$(nproc)"

# subtests PASS TEST LOG: verdicts of TAP lines ("ok N desc",
# "not ok N desc", "ok N # SKIP desc", "ok N # XFAIL desc") and of
# khugepaged's blocks ("Run test: NAME (ctx:mem)" followed by its checks,
# failed ones printed in red, skipped in yellow).
subtests() {
	# (busybox sed knows no \x1b: a literal ESC and CR in the script)
	e=$(printf '\033')
	r=$(printf '\r')
	sed "s/$e\[3\([123]\)m/@C\1@/g; s/$e\[[0-9;]*m//g; s/$r//g" "$3" |
		awk -v pass="$1" -v test="$2" '
	function key(s) { gsub(/[|@]/, "_", s); gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
	function out(k, v) { printf "@@ST|%s|%s: %s|%s@@\n", pass, test, key(k), v }
	function flush() { if (blk != "") out(blk, bfail ? "fail" : (bskip && !bok ? "skip" : "pass")); blk = "" }
	/^(not )?ok [0-9]+/ {
		v = ($1 == "not") ? "fail" : "pass"
		line = $0; sub(/^(not )?ok /, "", line)
		n = line; sub(/ .*/, "", n); d = line; sub(/^[0-9]+ ?/, "", d)
		if (d ~ /^# *SKIP/) { v = (v == "pass") ? "skip" : v; sub(/^# *SKIP */, "", d) }
		else if (d ~ /^# *XFAIL/) { v = (v == "pass") ? "xfail" : v; sub(/^# *XFAIL */, "", d) }
		else if (d ~ /^# *error/) { v = "fail"; sub(/^# *error */, "", d) }
		out("#" n " " d, v); next
	}
	/^Run test: / { flush(); blk = $0; sub(/^Run test: /, "", blk); bfail = bskip = bok = 0; next }
	blk != "" && /@C1@/ { bfail = 1 }
	blk != "" && /@C3@/ { bskip = 1 }
	blk != "" && /@C2@/ { bok = 1 }
	END { flush() }' >>$RES
}

run_pass() {
	pass=$1
	echo "selftests: ===== pass '$pass' ====="
	{
		case "${ST_FAKE_FAIL:-}" in *:fake) echo "fake 10 true" ;; esac
		grep -v '^[[:space:]]*#' $LIST | grep -v '^[[:space:]]*$'
	} |
	while read -r name tmo cmd; do
		case "$name" in
		@hugepages)
			echo 3 >/proc/sys/vm/drop_caches
			echo "$tmo" >/proc/sys/vm/nr_hugepages
			echo "selftests: nr_hugepages=$tmo: $(grep HugePages_Free /proc/meminfo)"
			continue ;;
		esac
		if [ -n "${ST_ONLY:-}" ]; then
			case " $ST_ONLY " in *" $name "*) ;; *) continue ;; esac
		fi
		tmo=$((tmo * ST_TMO_FACTOR))
		[ "${ST_FAKE_FAIL:-}" = "$pass:$name" ] &&
			cmd="sh -c 'echo ST_FAKE_FAIL: $name not run; exit 1'"
		log=$LOGS/$pass.$name
		# Each test starts on compacted memory: the second pass
		# otherwise runs on what the first fragmented, and on the debug
		# kernel khugepaged's MADV_COLLAPSE cases then failed to get a
		# huge page in whichever pass came second ("Fail: check_huge()",
		# different cases each run, 0 merges).
		sync
		echo 3 >/proc/sys/vm/drop_caches
		echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
		m0=$(msum)
		t0=$(now)
		# A fresh cwd per test (some leave files behind), with ./huge the
		# hugetlbfs mount as run_vmtests.sh has it; stdin closed.
		rm -rf /tmp/st/*
		ln -s /tmp/huge /tmp/st/huge
		(cd /tmp/st && eval "timeout -k 10 $tmo $cmd") </dev/null >"$log" 2>&1
		rc=$?
		secs=$(since "$t0")
		rm -f /tmp/huge/* 2>/dev/null
		case $rc in
		0) v=pass ;;
		4) v=skip ;;
		*) v=fail
		   if [ $rc -ge 124 ] && awk -v s="$secs" -v t="$tmo" 'BEGIN { exit !(s >= t) }'; then
			v=timeout
		   fi ;;
		esac
		rec "$pass" "$name" "$v"
		echo "@@STT|$pass|$name|$secs|$rc@@" >>$RES
		subtests "$pass" "$name" "$log"
		m=""
		if [ "$pass" = on ]; then
			m=" merges+$(($(msum) - m0))"
			echo "@@STM|$name|$(($(msum) - m0))@@" >>$RES
		fi
		echo "selftests: $pass $name: $v (rc $rc, ${secs} s$m)"
	done
}

load_on() {
	if insmod "$ANONMERGE_KO" ${ST_INSMOD_ARGS:-}; then
		echo on >$SYS/mode || echo "selftests: cannot set mode on"
		echo "selftests: anonmerge loaded, mode $(cat $SYS/mode)"
		rec on module-loaded pass
	else
		rec on module-loaded fail
	fi
}

# The module's counters and a verifier run, while it is still loaded.
counters() {
	for f in $SYS/attempts $SYS/candidates $SYS/pages_rehomed $SYS/merges/* $SYS/refusals/*; do
		[ -f "$f" ] && echo "@@STC|${f#$SYS/}|$(cat "$f")@@" >>$RES
	done
	anonmergectl verify $$ 2>&1 | sed 's/^/selftests: anonmergectl verify (this shell): /'
}

timed_pass() {
	t0=$(now)
	run_pass "$1"
	echo "selftests: pass '$1' took $(since "$t0") s"
}

# ST_ORDER=on-first: the "on" pass first, then rmmod and the "absent" pass,
# so that a verdict that follows the order (which pass runs on used memory)
# shows up in the other pass than usual.
if [ "${ST_ORDER:-}" = on-first ]; then
	echo "selftests: order: on first, then absent (after rmmod)"
	load_on
	timed_pass on
	counters
	rmmod anonmerge || echo "selftests: rmmod anonmerge failed"
	timed_pass absent
else
	timed_pass absent
	load_on
	timed_pass on
	counters
fi

# Output of every test that did not pass in some pass (first 60 lines).
for f in $LOGS/*; do
	n=${f##*/}
	grep -q "@@ST|${n%%.*}|${n#*.}|pass@@" $RES && continue
	echo "----- output of ${n#*.} (${n%%.*}) -----"
	head -n 60 "$f"
done

# Console messages off while the results go out, so no kernel line lands
# in the middle of one (dmesg keeps them; the harness scans its dump).
saved=$(cut -f1 /proc/sys/kernel/printk)
echo 1 >/proc/sys/kernel/printk
echo "@@ST-RESULTS-BEGIN@@"
cat $RES
echo "@@ST-RESULTS-END@@"
echo "$saved" >/proc/sys/kernel/printk
exit 0
