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
