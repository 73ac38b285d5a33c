# What an unprivileged process can arrange against the re-home (issue 7):
# a partly applicable plan, a pgoff that would wrap, a private /dev/zero
# neighbour, a forked child's inherited chain, a large folio mapped by
# another VMA of the same anon_vma, an interleave policy.  Stock (off) and
# module (on): VMA count at most stock's, every page found by rmap
# (migration, pageout), growth as on stock, verifier clean.  Then the
# checkers must fail once on purpose: a re-home made to leave one folio
# behind (test_skip_folio) is reported by the verifier and cannot migrate.
. ./lib.sh
has_feature 2 || skip "no existing-range merging on this kernel line yet"
for c in partial-plan pgoff-wrap devzero-before devzero-after fork-child \
	folio-elsewhere interleave fork-chain siblings softdirty; do
	checked am_never_worse -m off "$c"
	checked am_never_worse -m on "$c"
done
checked am_never_worse -m on skip-folio
