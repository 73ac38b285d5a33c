# A faulted VMA moved (or grown) next to anonymous neighbours: appended,
# prepended, filling a hole, grown in place, partly swapped, THP moved by
# PMD, realloc-style growth; stock (off) and module (on, rebase_moved=1).
# Several VMAs moved by one call (6.17+) merge piece by piece, up to 16.
# Forked memory stays split; moves racing with move_pages keep the data.
# By default (no rebase) only a move back next to its own linear
# neighbour ("return") merges.
. ./lib.sh
has_feature merge-mremap || skip "no mremap merging on this kernel line yet"
# Merging a moved VMA mostly needs its pgoff rebased: opt-in.
rebase=/sys/module/anonmerge/parameters/rebase_moved
echo 1 >$rebase
trap 'echo 0 >$rebase' EXIT
for c in append prepend hole grow swap realloc return multi multi20; do
	checked am_mremap -m off "$c"
	checked am_mremap -m on "$c"
done
checked am_mremap -H -m off append
counter_grows mremap checked am_mremap -H -m on append
counter_grows anon_vma_shared checked am_mremap -m on fork
checked am_mremap -m on race
echo 0 >$rebase
checked am_mremap -m on return
checked am_mremap -S -m on append
