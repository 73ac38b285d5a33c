# The concurrent stress test (tests/stress/am_stress.c) and the module's
# lifetime under it.
#
# 1. The checker can fail: a short run with -X (one byte flipped behind
#    the bookkeeping) must report it and exit 1.
# 2. Stress: am_stress with the module's mode and rebase_moved flapping
#    (-m) and the verifier after every phase (-v), for 2/3 of
#    STRESS_SECONDS.  0 corrupted bytes, no violation, and merges > 0.
# 3. Lifetime: while am_stress runs again (the mode left alone; at most
#    STRESS_LIFE_SECONDS, default STRESS_SECONDS / 4), up to STRESS_CYCLES
#    insmod / enable / rmmod cycles.  rmmod may fail only
#    as busy (the stress holds /dev/anonmerge for a verifier call); the
#    anon_vma and anon_vma_chain slab objects, counted with the caches
#    shrunk and nothing running, must come back to where they were before,
#    within the drift a stock run (module absent) shows, plus STRESS_SLACK.
#    Measured on 6.1: counts move by up to ~50 objects between two settled
#    readings with no module at all (a slab holds 39 anon_vmas, 64
#    chains); the stress makes hundreds of merges, each of which frees an
#    anon_vma, so a leak of even one in a few merges is well above that.
#    (The mm-debug kernels have no CONFIG_DEBUG_KMEMLEAK: slab counts are
#    the leak check.)
#
# Environment: STRESS_SECONDS (default 90; 2/3 of it is the stress of 2),
# STRESS_CYCLES (default 200; fewer when STRESS_LIFE_SECONDS run out: a
# cycle takes seconds under TCG, most of it insmod and rmmod), STRESS_SEED
# (default: the clock; printed), STRESS_ARGS (more am_stress options, e.g.
# "-p 2 -j 4"), STRESS_SLACK (objects, default 128).  A failure is replayed
# with the am_stress line it prints (same thread choices, not the same
# interleaving) or the whole case with STRESS_SEED.
. ./lib.sh
has_feature merge-existing || skip "no merging on this kernel line yet"
seconds=${STRESS_SECONDS:-90}
cycles=${STRESS_CYCLES:-200}
seed=${STRESS_SEED:-$(date +%s)}
args=${STRESS_ARGS:-}
life=${STRESS_LIFE_SECONDS:-$((seconds / 4))}
slack=${STRESS_SLACK:-128}
dir=/tmp/stress
mkdir -p $dir
echo "stress: seed $seed (replay: STRESS_SEED=$seed STRESS_SECONDS=$seconds /tests/cases/run-all t-stress.sh)"

# run_stress OUT ARGS...: am_stress; its summary shown, its status kept.
run_stress() {
	out=$1
	shift
	am_stress "$@" >"$out" 2>&1
	rc=$?
	grep -v '^am_stress: worker .*clean$' "$out"
	return $rc
}

# Slab objects in use, with the per-CPU slabs flushed
# (SLUB's slabinfo counts a CPU's slab as fully active) and RCU-freed
# anon_vmas (the module's deferred puts) given time to go.
slab_active() {
	echo 1 >/sys/kernel/slab/"$1"/shrink 2>/dev/null
	awk -v n="$1" '$1 == n { print $2 }' /proc/slabinfo
}
settle() {
	sleep 2
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
	echo "$(slab_active anon_vma) $(slab_active anon_vma_chain)"
}
delta() {
	echo $(($1 - $3)) $(($2 - $4))
}
abs() {
	[ "$1" -lt 0 ] && echo $((-$1)) || echo "$1"
}

s0=$(settle)

# 1. The checker must be able to fail.
run_stress $dir/x.txt -s "$seed" -t 6 -P 3 -p 1 -j 2 -q -X
rc=$?
[ $rc = 1 ] && grep -q 'corrupted=[1-9]' $dir/x.txt ||
	fail "a byte flipped behind the bookkeeping went unnoticed (exit $rc)"
echo "ok: the injected corruption was caught"

# 2. Stress with mode flapping and the verifier.
anonmergectl enable >/dev/null || fail "anonmergectl enable"
t0=$(date +%s)
run_stress $dir/stress.txt -s "$seed" -t $((seconds * 2 / 3)) -m -v $args
rc=$?
[ $rc = 0 ] || fail "am_stress exited $rc (replay: $(sed -n 's/^am_stress: replay: //p' $dir/stress.txt))"
merges=$(sed -n 's/.* merges=\([-0-9]*\) .*/\1/p' $dir/stress.txt)
[ "${merges:-0}" -gt 0 ] || fail "no merge happened: the stress proves nothing"
echo "ok: stress $(($(date +%s) - t0)) s, $merges merges, 0 corrupted bytes, verifier clean"
anonmergectl disable >/dev/null

s1=$(settle)
# Stock drift: the same stress, module absent.
rmmod anonmerge || fail "rmmod before the stock run"
run_stress $dir/stock.txt -s "$((seed + 1))" -t 10 -q $args ||
	fail "am_stress failed with the module absent"
s2=$(settle)
set -- $(delta $s2 $s1)
noise_av=$(abs $1)
noise_avc=$(abs $2)
echo "slab (anon_vma anon_vma_chain): at the start $s0, after the stress $s1, after a stock run $s2 (drift $1 $2)"
# leak_check WHAT BEFORE AFTER: AFTER - BEFORE within drift + slack.
leak_check() {
	set -- "$1" $(delta $4 $5 $2 $3)
	echo "slab $1: change $2 $3; allowed $((noise_av + slack)) $((noise_avc + slack))"
	[ "$2" -le $((noise_av + slack)) ] && [ "$3" -le $((noise_avc + slack)) ] ||
		fail "anon_vma/anon_vma_chain objects leaked ($1)"
}
leak_check "over the stress" $s0 $s1

# 3. Lifetime.

load_module
anonmergectl enable >/dev/null
am_stress -s "$((seed + 2))" -t "$life" -v -q $args >$dir/life.txt 2>&1 &
pid=$!
t0=$(date +%s)
i=0
busy=0
while [ $i -lt "$cycles" ] && kill -0 $pid 2>/dev/null; do
	module_loaded || insmod "$KO" || fail "cycle $i: insmod"
	anonmergectl enable >/dev/null || fail "cycle $i: enable"
	usleep 20000
	if ! rmmod anonmerge 2>$dir/rmmod.err; then
		grep -Eq 'busy|temporarily unavailable' $dir/rmmod.err ||
			fail "cycle $i: rmmod: $(cat $dir/rmmod.err)"
		module_loaded || fail "cycle $i: rmmod failed, module gone"
		busy=$((busy + 1))
	fi
	i=$((i + 1))
done
t1=$(date +%s)
# Cycles done: am_stress stops, checks its regions, verifies, sums up.
kill -USR1 $pid 2>/dev/null
wait $pid
rc=$?
grep -v '^am_stress: worker .*clean$' $dir/life.txt
[ $rc = 0 ] || fail "am_stress under load/unload exited $rc"
[ $i -gt 0 ] || fail "no load/unload cycle ran"
echo "ok: $i load/enable/unload cycles in $((t1 - t0)) s while am_stress ran ($busy rmmod refused as busy)"
unload_module
s3=$(settle)
leak_check "over the load/unload cycles" $s2 $s3
load_module
anonmergectl disable >/dev/null
echo "ok: no anon_vma/anon_vma_chain leak"
