# Merges with part of the memory in swap (and swap cache), and merges while
# another thread migrates the pages between the two NUMA nodes.
. ./lib.sh
has_feature 2 || skip "no existing-range merging on this kernel line yet"
grep -q zram /proc/swaps || fail "no zram swap in the guest"
scenario -m on swap
scenario -m off swap
scenario -m on race
