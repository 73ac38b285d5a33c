# The merge cases with 2 MiB regions mapped by PMD THPs, and a THP split
# across two VMAs (stock) that must not be re-homed with one of them: the
# module moves the other side instead, or, when that cannot move either
# (over max_rehome_pages), leaves both split.
. ./lib.sh
has_feature 2 || skip "no existing-range merging on this kernel line yet"
grep -q '\[always\]' /sys/kernel/mm/transparent_hugepage/enabled ||
	skip "THP not enabled=always"
for c in prev next middle head tail; do
	scenario -H -m off "$c"
	scenario -H -m on "$c"
done
scenario -H -m on straddle
limit=/sys/module/anonmerge/parameters/max_rehome_pages
old=$(cat $limit)
echo 256 >$limit
counter_grows large_folio_straddles scenario -S -H -m on straddle
echo "$old" >$limit
scenario -m on straddle
