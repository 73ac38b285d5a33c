# anonmergectl round trip: every subcommand, prefixes, JSON, exit codes
# (0 ok, 1 failed, 2 usage, 3 no module or not this ABI's device).  Exit 4,
# verify finding violations, and a module of another ABI are tested on the
# host against a stand-in device (tests/unit/run): no process here keeps a
# broken reverse map for the tool to find.
. ./lib.sh
expect_rc 0 anonmergectl enable
expect_rc 0 anonmergectl status
expect_out "mode: +on"
expect_out "^features: stats( [a-z-]+)* verify"
expect_rc 0 anonmergectl dr
expect_rc 0 anonmergectl -j status
expect_out '"mode":"dry-run"'
expect_out '"features":\["stats"(,"[a-z-]+")*\]'
expect_out_fixed "\"kernel_release\":\"$(uname -r)\""
expect_rc 0 anonmergectl disa
expect_rc 2 anonmergectl st
expect_out "ambiguous: status, stats"
expect_rc 0 anonmergectl statu -j
expect_out '"mode":"off"'
expect_rc 0 anonmergectl -p status
expect_out '^    "mode": "off",$'
expect_rc 0 anonmergectl stats -j
expect_out '^\{"attempts":[0-9]+,.*"refusals":\{"anon_vma_shared":[0-9]+'
expect_rc 0 anonmergectl stats
expect_out "too_many_pages"
# Options after the command, as before it.
expect_rc 0 anonmergectl status -d /dev/anonmerge -j
expect_out '"mode":"off"'

# version: the tool's and the module's ABI are the same number.
expect_rc 0 anonmergectl version
expect_out "^module anonmerge [0-9.]+ \(ABI [0-9]+\)$"
expect_out "^features: stats"
abi=$(sed -n 's/^anonmergectl .* (ABI \([0-9]*\))$/\1/p' /tmp/expect_rc.out)
expect_eq "module ABI = tool ABI" "$abi" \
	"$(sed -n 's/^module anonmerge .* (ABI \([0-9]*\))$/\1/p' /tmp/expect_rc.out)"
expect_rc 0 anonmergectl -j version
expect_out "\"tool_abi_version\":$abi,.*\"module_abi_version\":$abi,"

# Usage errors exit 2 and change nothing.
expect_rc 2 anonmergectl d
expect_out "ambiguous"
expect_rc 2 anonmergectl frobnicate
expect_rc 2 anonmergectl
expect_rc 2 anonmergectl status extra
expect_rc 2 anonmergectl -x status
expect_rc 2 anonmergectl enable -d

# Failures exit 1 with a clear message: no CAP_SYS_ADMIN.
expect_rc 1 am_runas 65534 anonmergectl enable
expect_out "permission denied"
expect_rc 1 am_runas 65534 anonmergectl stats
expect_out "permission denied"
# No module behind the path, or not this ABI's device: 3.
expect_rc 3 anonmergectl -d /dev/nonexistent status
expect_out "is the anonmerge module loaded"
expect_rc 3 anonmergectl -d /dev/null enable
expect_out "does not answer GET_INFO"
# version tells, and still succeeds.
expect_rc 0 anonmergectl -d /dev/nonexistent version
expect_out "^module not loaded$"

# Under -j an error is one JSON object on stdout, nothing on stderr, and
# the exit status is the same.
json_error() {	# json_error WANT_RC ARGS...
	want=$1
	shift
	anonmergectl "$@" >/tmp/json.out 2>/tmp/json.err
	rc=$?
	[ "$rc" = "$want" ] || fail "'anonmergectl $*' exited $rc, want $want"
	[ ! -s /tmp/json.err ] ||
		fail "'anonmergectl $*' wrote to stderr: $(cat /tmp/json.err)"
	grep -Eq '^\{"error":"[^"]+"\}$' /tmp/json.out ||
		fail "'anonmergectl $*' printed $(cat /tmp/json.out)"
	echo "ok: 'anonmergectl $*' exited $rc with $(cat /tmp/json.out)"
}
json_error 3 -j -d /dev/nonexistent status
json_error 3 -d /dev/null stats -j
json_error 2 -j frobnicate
json_error 2 -j st
am_runas 65534 anonmergectl -j enable >/tmp/json.out 2>/tmp/json.err
rc=$?
expect_eq "unprivileged -j enable: exit" 1 "$rc"
expect_eq "unprivileged -j enable: stderr" "" "$(cat /tmp/json.err)"
grep -q '^{"error":".*permission denied' /tmp/json.out ||
	fail "unprivileged -j enable printed $(cat /tmp/json.out)"
expect_rc 0 anonmergectl -j help
expect_out '^null$'

expect_eq "mode after bad calls" off "$(anonmergectl -j status |
	sed -n 's/.*"mode":"\([a-z-]*\)".*/\1/p')"
