# Every vma_merge case reachable by a flag change, with each trigger, stock
# (mode off) and with the module (mode on): VMA counts, bytes, verifier,
# migration and pageout (am_scenario), plus userfaultfd (un)register and
# the hole filled by mmap.
. ./lib.sh
has_feature merge-existing || skip "no existing-range merging on this kernel line yet"
for trig in dump dontfork mlock mbind prot; do
	for c in prev next middle head tail; do
		scenario -m off -t "$trig" "$c"
		scenario -m on -t "$trig" "$c"
	done
done
scenario -m off uffd
scenario -m on uffd
counter_grows new_range scenario -m on hole
scenario -m off hole
counter_grows existing scenario -m on middle
