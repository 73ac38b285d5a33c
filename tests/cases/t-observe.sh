# What an operator sees: /sys/kernel/mm/anonmerge (the same numbers as the
# ioctl, readable by anyone, writable by root only, bad input refused and
# nothing changed), the trace events anonmerge:{merge,refuse,rehome} (one
# merge event per counted merge, the refusal's name), and the pr_debug
# lines behind dynamic debug.
. ./lib.sh
S=/sys/kernel/mm/anonmerge
T=/sys/kernel/tracing
P=/sys/module/anonmerge/parameters

# expect_fail CMD...: the command must fail (a write refused).
expect_fail() {
	! "$@" 2>/dev/null || fail "'$*' succeeded"
	echo "ok: '$*' failed"
}

[ -d $S ] || fail "no $S"
for f in mode max_rehome_pages attempts candidates dry_run_would_merge \
	pages_rehomed; do
	[ -f $S/$f ] || fail "no $S/$f"
done
echo "ok: $S has the top-level files"

# Every counter the tool names is a file with the tool's value (merges and
# refusals do not move on an idle system; attempts only grow).
anonmergectl -j stats >/tmp/stats.json || fail "anonmergectl stats"
for group in merges refusals; do
	pairs=$(sed -n "s/.*\"$group\":{\([^}]*\)}.*/\1/p" /tmp/stats.json |
		tr ',' ' ' | tr -d '"')
	[ -n "$pairs" ] || fail "no $group in $(cat /tmp/stats.json)"
	n=0
	for kv in $pairs; do
		name=${kv%%:*}
		[ -f "$S/$group/$name" ] || fail "no $S/$group/$name"
		expect_eq "$group/$name" "${kv##*:}" "$(cat "$S/$group/$name")"
		n=$((n + 1))
	done
	expect_eq "files in $group/" "$n" "$(ls $S/$group | wc -l)"
done
merging=0
has_feature merge-existing && merging=1
a1=$(cat $S/attempts)
if [ $merging = 1 ]; then
	scenario -m on middle
else
	scenario -m off middle
fi
[ "$(cat $S/attempts)" -gt "$a1" ] || fail "attempts did not grow"
expect_eq "merges/existing after a merge" "$(ctl_stat existing)" \
	"$(cat $S/merges/existing)"

# Readable by anyone, writable by root only.
echo off >$S/mode
expect_rc 0 am_runas 65534 cat $S/merges/existing $S/refusals/ksm $S/mode
expect_fail am_runas 65534 sh -c "echo on >$S/mode"
expect_eq "mode after an unprivileged write" off "$(cat $S/mode)"

# Bad input: a clear error and nothing changed.
for bad in bogus "" "on off" 3; do
	expect_fail sh -c "echo '$bad' >$S/mode"
	expect_eq "mode after writing '$bad'" off "$(cat $S/mode)"
done
old=$(cat $S/max_rehome_pages)
for bad in -1 abc 4294967296 ""; do
	expect_fail sh -c "echo '$bad' >$S/max_rehome_pages"
	expect_eq "max_rehome_pages after '$bad'" "$old" \
		"$(cat $S/max_rehome_pages)"
done

# Root's writes take effect where the tool and the parameter look.
echo dry-run >$S/mode || fail "write dry-run"
expect_rc 0 anonmergectl status
expect_out 'mode: +dry-run'
echo off >$S/mode
echo 77 >$S/max_rehome_pages || fail "write max_rehome_pages"
expect_eq "parameter after the sysfs write" 77 "$(cat $P/max_rehome_pages)"
echo "$old" >$S/max_rehome_pages

# Trace events: the format user space decodes, and one event per verdict.
for ev in merge refuse rehome; do
	[ -f $T/events/anonmerge/$ev/format ] || fail "no event anonmerge:$ev"
done
grep -q 'field:unsigned int reason;' $T/events/anonmerge/refuse/format ||
	fail "refuse has no reason field"
grep -q '{ 0, "anon_vma_shared" }' $T/events/anonmerge/refuse/format ||
	fail "refuse's print format lacks the decoded reason names"
echo "ok: trace event formats"
if [ $merging = 0 ]; then
	echo "note: no merging on this line: event counts not checked"
	exit 0
fi
echo 0 >$T/tracing_on
echo >$T/trace
echo 1 >$T/events/anonmerge/enable
echo 1 >$T/tracing_on
m0=$(ctl_stat existing)
s0=$(ctl_stat anon_vma_shared)
scenario -m on middle
scenario -m on prev
scenario -m on fork
echo 0 >$T/tracing_on
echo 0 >$T/events/anonmerge/enable
cp $T/trace /tmp/trace.txt
merges=$(($(ctl_stat existing) - m0))
shared=$(($(ctl_stat anon_vma_shared) - s0))
[ "$merges" -gt 0 ] || fail "no merge counted"
expect_eq "merge events = merges counted" "$merges" \
	"$(grep -c 'merge: pid=[0-9]* range=0x[0-9a-f]*-0x[0-9a-f]* kind=existing pages=[0-9]* duration_ns=' /tmp/trace.txt)"
expect_eq "refuse events = anon_vma_shared counted" "$shared" \
	"$(grep -c 'refuse: .* reason=anon_vma_shared' /tmp/trace.txt)"
grep -q 'rehome: pid=[0-9]* range=.* vmas=[1-3] pages=[1-9]' /tmp/trace.txt ||
	fail "no rehome event: $(head -20 /tmp/trace.txt)"
echo "ok: $merges merge, $shared refuse events, rehome events present"

# Dynamic debug: the decision points print when asked to.
DD=/sys/kernel/debug/dynamic_debug/control
if [ -w $DD ]; then
	echo 'module anonmerge +p' >$DD
	dmesg -c >/dev/null
	scenario -m on middle
	echo 'module anonmerge -p' >$DD
	dmesg | grep -q 'anonmerge: merged 0x' ||
		fail "no pr_debug line: $(dmesg | tail -5)"
	echo "ok: dynamic debug shows the merge"
else
	echo "note: no dynamic debug control on this kernel"
fi
