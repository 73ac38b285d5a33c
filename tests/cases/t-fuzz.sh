# The differential fuzzer (tests/fuzz/am_fuzz.c): each seed runs with
# merging off, then on; the transcripts must agree (up to a legitimate
# divergence) and the VMA count with merging on never be higher.  A
# second phase runs with rebase_moved=1: transcripts must still agree; a
# higher VMA count is only reported (that opt-in's documented price).
#
# Environment: FUZZ_SECONDS (default 90) of seeds in all, a quarter of
# them with rebase_moved=1; FUZZ_STEPS (default 400) steps each; FUZZ_SEED
# (default 1) the first seed; seeds follow one after another, so a
# failure is replayed with FUZZ_SEED=<seed> (and the phase's parameter).
. ./lib.sh
has_feature merge-existing || skip "no merging on this kernel line yet"
seconds=${FUZZ_SECONDS:-90}
steps=${FUZZ_STEPS:-400}
seed=${FUZZ_SEED:-1}
dir=/tmp/fuzz
mkdir -p $dir

# run_seed SEED [-w]: off, then on; compare.
run_seed() {
	am_fuzz run -s "$1" -n "$steps" -m off -c $dir/off.cnt >$dir/off.txt ||
		fail "seed $1: the run with merging off failed"
	am_fuzz run -s "$1" -n "$steps" -m on -c $dir/on.cnt >$dir/on.txt ||
		fail "seed $1: the run with merging on failed"
	am_fuzz compare $2 $dir/off.txt $dir/on.txt $dir/off.cnt $dir/on.cnt \
		>$dir/cmp.txt
}

# fuzz_for SECONDS [-w]: seeds from $seed on; counts into seeds/whole/bad.
fuzz_for() {
	start=$(date +%s)
	while [ $(($(date +%s) - start)) -lt "$1" ]; do
		if run_seed "$seed" $2; then
			grep -q 'whole run' $dir/cmp.txt && whole=$((whole + 1))
			echo "seed $seed: $(tail -n 1 $dir/cmp.txt)"
			grep WORSE $dir/cmp.txt && higher=$((higher + 1))
		else
			cat $dir/cmp.txt
			echo "FAIL: seed $seed (replay: FUZZ_SEED=$seed FUZZ_STEPS=$steps)"
			bad=$((bad + 1))
		fi
		seeds=$((seeds + 1))
		seed=$((seed + 1))
	done
}

# The fuzzer must be deterministic: one seed, merging off, twice.
am_fuzz run -s "$seed" -n "$steps" -m off -c $dir/a.cnt >$dir/a.txt &&
	am_fuzz run -s "$seed" -n "$steps" -m off -c $dir/b.cnt >$dir/b.txt ||
	fail "determinism runs failed"
am_fuzz compare $dir/a.txt $dir/b.txt $dir/a.cnt $dir/b.cnt >$dir/cmp.txt ||
	{ cat $dir/cmp.txt; fail "seed $seed: two runs with merging off differ"; }
echo "ok: seed $seed is deterministic ($(wc -l <$dir/a.txt) transcript lines)"

# The comparison must be able to fail: with test_skip_folio armed, one
# re-home of the run with merging on leaves a folio behind.  A seed may
# unmap that folio before any check sees it (which is then harmless): the
# fault is armed again for the next seed, and one of ten must differ.
skip_param=/sys/module/anonmerge/parameters/test_skip_folio
caught=""
injected=0
for i in 0 1 2 3 4 5 6 7 8 9; do
	s=$((seed + i))
	echo 1 >$skip_param
	am_fuzz run -s "$s" -n "$steps" -m off -c $dir/off.cnt >$dir/off.txt &&
		am_fuzz run -s "$s" -n "$steps" -m on -c $dir/on.cnt >$dir/on.txt ||
		fail "fault-injection runs failed"
	[ "$(cat $skip_param)" = N ] || continue
	injected=$((injected + 1))
	if am_fuzz compare $dir/off.txt $dir/on.txt $dir/off.cnt $dir/on.cnt \
		>$dir/cmp.txt; then
		echo "note: seed $s: the folio left behind was unmapped before any check"
		continue
	fi
	caught=$s
	break
done
echo 0 >$skip_param
[ "$injected" -gt 0 ] || fail "no re-home in ten seeds from $seed to inject the fault into"
[ -n "$caught" ] || fail "$injected folios left behind by re-homes, none noticed"
echo "ok: seed $caught with one folio left behind: $(grep -m1 -A2 DIFFER $dir/cmp.txt | tr '\n' ' ')"

before_merges=$(($(ctl_stat existing) + $(ctl_stat new_range) + $(ctl_stat mremap)))
before_cand=$(ctl_stat candidates)
seeds=0
whole=0
bad=0
higher=0
fuzz_for $((seconds * 3 / 4))
merges=$(($(ctl_stat existing) + $(ctl_stat new_range) + $(ctl_stat mremap) - before_merges))
cand=$(($(ctl_stat candidates) - before_cand))
echo "fuzz: $seeds seeds of $steps steps, $whole compared whole, $bad differing; module: $cand candidates, $merges merges"
anonmergectl stats | sed -n '/refusals/,$p'
[ "$merges" -gt 0 ] || fail "the fuzzer caused no merge: it proves nothing"

rebase=/sys/module/anonmerge/parameters/rebase_moved
echo 1 >$rebase
trap 'echo 0 >$rebase' EXIT
rb_seeds=$seeds
rb_merges=$(ctl_stat mremap)
fuzz_for $((seconds / 4)) -w
echo 0 >$rebase
echo "fuzz rebase_moved=1: $((seeds - rb_seeds)) seeds, $higher with a higher VMA count at some step (documented), $(($(ctl_stat mremap) - rb_merges)) mremap merges; $bad seeds differing in all"
[ "$bad" = 0 ] || fail "$bad seeds differ from stock"
