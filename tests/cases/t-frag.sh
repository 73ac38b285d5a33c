# The demo workload: 512 slabs faulted while mlocked stay 512 VMAs on
# stock Linux and become one with the module; the data survives both.
. ./lib.sh
has_feature merge-existing || skip "no existing-range merging on this kernel line yet"
anonmergectl disable >/dev/null
expect_rc 0 am_frag -n 512
expect_out "512 VMAs in the pool"
anonmergectl enable >/dev/null
expect_rc 0 am_frag -n 512
expect_out " 1 VMAs in the pool, .* data intact"
