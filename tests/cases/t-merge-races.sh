# Merges with part of the memory in swap (and swap cache), merges while
# another thread migrates the pages between the two NUMA nodes, and (where
# the kernel has page_idle, as the mm-debug one does) merges while a thread
# keeps making the kernel walk the same folios' reverse map without the
# folio lock - the walkers the RCU-deferred anon_vma put is for.
. ./lib.sh
has_feature merge-existing || skip "no existing-range merging on this kernel line yet"
grep -q zram /proc/swaps || fail "no zram swap in the guest"
scenario -m on swap
scenario -m off swap
scenario -m on race
scenario -m on idle

# Faults under the per-VMA lock (6.4+) racing re-homes, with a 2 ms pause
# while a plan holds its folios.  Then the check of the check: the same run
# with the plan's VMA write locks switched off must let a fault add a page
# on the old anon_vma behind a re-home, which the verifier must report.
# Without per-VMA locks (6.1) every fault waits for mmap_lock: nothing can
# slip in, and the self-check does not apply.
P=/sys/module/anonmerge/parameters
echo 2000 >$P/test_collect_delay_us
scenario -m on vmalock
if grep -qw lock_vma_under_rcu /proc/kallsyms; then
	echo 1 >$P/test_skip_vma_lock
	echo "--- am_scenario -m on vmalock, VMA write locks off (must fail)"
	am_scenario -m on vmalock >/tmp/vmalock.out 2>&1
	rc=$?
	echo 0 >$P/test_skip_vma_lock
	grep -E '^# vmalock|not ok' /tmp/vmalock.out
	[ $rc != 0 ] || fail "vmalock passed without the VMA write locks: the test cannot see the defect"
	grep -q 'bad anon_vma [1-9]' /tmp/vmalock.out ||
		fail "vmalock without VMA locks failed, but not on a page behind a re-home"
else
	echo "# no per-VMA locks on this kernel: faults wait for mmap_lock"
fi
echo 0 >$P/test_collect_delay_us
