# What must stay split: anything forked (parent, child, grandchild side),
# KSM pages, more pages than max_rehome_pages; dry-run counts and changes
# nothing.  Data and rmap intact.
. ./lib.sh
has_feature merge-existing || skip "no existing-range merging on this kernel line yet"
counter_grows anon_vma_shared scenario -m on fork
counter_grows anon_vma_shared scenario -m on forkchild
counter_grows anon_vma_shared scenario -m on fork2
if [ -d /sys/kernel/mm/ksm ]; then
	counter_grows ksm scenario -m on ksm
fi
# More pages than max_rehome_pages: refused, for flag changes and mremap.
limit=/sys/module/anonmerge/parameters/max_rehome_pages
old=$(cat $limit)
rebase=/sys/module/anonmerge/parameters/rebase_moved
trap 'echo "$old" >$limit; echo 0 >$rebase' EXIT
echo 4 >$limit
counter_grows too_many_pages scenario -S -m on prev
echo 1 >$rebase
counter_grows too_many_pages checked am_mremap -S -m on append
echo 0 >$rebase
# A lasting refusal is remembered, not walked again, until the VMA
# changes or a second passes.
counter_grows remembered scenario -S -m on memo
echo "$old" >$limit
merges=$(ctl_stat existing)
counter_grows dry_run_would_merge scenario -m dry-run middle
expect_eq "merges in dry-run" "$merges" "$(ctl_stat existing)"
