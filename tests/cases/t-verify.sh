# The verifier on every line: a healthy process verifies clean, bad pids
# are refused clearly, and stock merging with the module loaded (mode off)
# keeps bytes, reverse map and verifier intact.
. ./lib.sh
has_feature verify || fail "module does not offer VERIFY"
expect_rc 0 anonmergectl verify $$
expect_out "bad_anon_vma 0, bad_index 0, bad_vma 0, bad_rmap 0, bad_pgoff 0: ok"
expect_rc 0 anonmergectl -j verify 1
expect_out '"bad_anon_vma":0,"bad_index":0,"bad_vma":0,"bad_rmap":0,"bad_pgoff":0'
expect_rc 1 anonmergectl verify 999999
expect_out "No such process"
expect_rc 1 anonmergectl verify 2
expect_out "Invalid argument"
expect_rc 2 anonmergectl verify 12x
expect_rc 2 anonmergectl verify 1 2
for c in prev middle hole; do
	scenario -m off "$c"
done
scenario -m off swap
