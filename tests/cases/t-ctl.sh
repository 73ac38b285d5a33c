# anonmergectl round trip: every subcommand, prefixes, JSON, exit codes.
. ./lib.sh
expect_rc 0 anonmergectl enable
expect_rc 0 anonmergectl status
expect_out "mode: +on"
expect_rc 0 anonmergectl dr
expect_rc 0 anonmergectl -j status
expect_out '"mode":"dry-run"'
expect_out_fixed "\"kernel_release\":\"$(uname -r)\""
expect_rc 0 anonmergectl disa
expect_rc 2 anonmergectl st
expect_out "ambiguous"
expect_rc 0 anonmergectl statu -j
expect_out '"mode":"off"'
expect_rc 0 anonmergectl stats -j
expect_out '^\{"attempts":[0-9]+,.*"refusals":\{"anon_vma_shared":[0-9]+'
expect_rc 0 anonmergectl stats
expect_out "too_many_pages"
expect_rc 0 anonmergectl version
expect_out "module anonmerge [0-9.]+ \(ABI 1\)"
# Usage errors exit 2 and change nothing.
expect_rc 2 anonmergectl d
expect_out "ambiguous"
expect_rc 2 anonmergectl frobnicate
expect_rc 2 anonmergectl
expect_rc 2 anonmergectl status extra
# Failures exit 1 with a clear message.
expect_rc 1 am_runas 65534 anonmergectl enable
expect_out "permission denied"
expect_rc 1 anonmergectl -d /dev/nonexistent status
expect_out "is the anonmerge module loaded"
expect_eq "mode after bad calls" off "$(anonmergectl -j status |
	sed -n 's/.*"mode":"\([a-z-]*\)".*/\1/p')"
