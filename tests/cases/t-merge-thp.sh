# The merge cases with 2 MiB regions mapped by PMD THPs, and a THP split
# across two VMAs (stock) that must not be re-homed with one of them.
. ./lib.sh
has_feature 2 || skip "no existing-range merging on this kernel line yet"
grep -q '\[always\]' /sys/kernel/mm/transparent_hugepage/enabled ||
	skip "THP not enabled=always"
for c in prev next middle head tail; do
	scenario -H -m off "$c"
	scenario -H -m on "$c"
done
counter_grows large_folio_straddles scenario -H -m on straddle
scenario -m on straddle
