# A faulted VMA moved (or grown) next to anonymous neighbours: appended,
# prepended, filling a hole, grown in place, partly swapped, THP moved by
# PMD, realloc-style growth; stock (off) and module (on).  Forked memory
# stays split; moves racing with move_pages keep the data.
. ./lib.sh
has_feature 4 || skip "no mremap merging on this kernel line yet"
for c in append prepend hole grow swap realloc return; do
	checked am_mremap -m off "$c"
	checked am_mremap -m on "$c"
done
checked am_mremap -H -m off append
counter_grows mremap checked am_mremap -H -m on append
counter_grows anon_vma_shared checked am_mremap -m on fork
checked am_mremap -m on race
