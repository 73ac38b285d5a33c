# The merge cases with 2 MiB regions mapped by PMD THPs; a THP split
# across two VMAs of one anon_vma (stock), neither of which may be moved
# alone (siblings), so the other side moves; and a THP half unmapped,
# whose VMA must not move (the folio reaches outside it): the other side
# moves, or, when that cannot move either (over max_rehome_pages), both
# stay split.
. ./lib.sh
has_feature merge-existing || skip "no existing-range merging on this kernel line yet"
grep -q '\[always\]' /sys/kernel/mm/transparent_hugepage/enabled ||
	skip "THP not enabled=always"
for c in prev next middle head tail; do
	scenario -H -m off "$c"
	scenario -H -m on "$c"
done
scenario -H -m on straddle
scenario -m on straddle
scenario -H -m off halfthp
scenario -H -m on halfthp
limit=/sys/module/anonmerge/parameters/max_rehome_pages
old=$(cat $limit)
trap 'echo "$old" >$limit' EXIT
echo 256 >$limit
counter_grows large_folio_straddles scenario -S -H -m on halfthp
echo "$old" >$limit
