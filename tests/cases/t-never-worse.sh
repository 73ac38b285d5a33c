# What an unprivileged process can arrange against the re-home (issue 7 and
# two reviews): a partly applicable plan, a pgoff that would wrap, a private
# /dev/zero neighbour, a forked child's inherited chain, a large folio
# mapped by another VMA of the same anon_vma, an interleave policy, a
# re-home onto a forked chain, away from sibling VMAs, across soft-dirty
# tracking, a moved VMA moved back home.  Stock (off) and module (on): VMA
# count at most stock's, every page found by rmap (migration, pageout),
# growth as on stock, verifier clean.  The rebase cases run with
# rebase_moved=1.  Then the checkers must fail once on purpose: a re-home
# made to leave one folio behind (test_skip_folio) is reported by the
# verifier and cannot migrate.
. ./lib.sh
has_feature merge-existing || skip "no existing-range merging on this kernel line yet"
for c in partial-plan fork-child folio-elsewhere fork-chain siblings \
	softdirty guard rebase-home; do
	checked am_never_worse -m off "$c"
	checked am_never_worse -m on "$c"
done
rebase=/sys/module/anonmerge/parameters/rebase_moved
echo 1 >$rebase
trap 'echo 0 >$rebase' EXIT
for c in pgoff-wrap devzero-before devzero-after interleave; do
	checked am_never_worse -m off "$c"
	checked am_never_worse -m on "$c"
done
echo 0 >$rebase
checked am_never_worse -m on skip-folio
