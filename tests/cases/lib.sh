# SPDX-License-Identifier: GPL-2.0
# Helpers for the in-guest test cases (busybox sh).  A case fails as soon
# as one check fails: each check prints what it expected and what it got.

KO=/lib/anonmerge/anonmerge.ko

fail() {
	echo "FAIL: $*"
	exit 1
}

# expect_eq WHAT WANT GOT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: want '$2', got '$3'"
	echo "ok: $1 = '$3'"
}

# expect_rc WANT CMD...: the command's exit status must be WANT.
expect_rc() {
	want=$1
	shift
	"$@" >/tmp/expect_rc.out 2>&1
	rc=$?
	[ "$rc" = "$want" ] || {
		cat /tmp/expect_rc.out
		fail "'$*' exited $rc, want $want"
	}
	echo "ok: '$*' exited $rc"
}

# expect_out PATTERN: the output of the last expect_rc matches (grep -E).
expect_out() {
	grep -Eq -- "$1" /tmp/expect_rc.out || {
		cat /tmp/expect_rc.out
		fail "output does not match '$1'"
	}
	echo "ok: output matches '$1'"
}

# expect_out_fixed STRING: like expect_out, for a literal string (uname -r
# of Debian's kernels contains '+').
expect_out_fixed() {
	grep -Fq -- "$1" /tmp/expect_rc.out || {
		cat /tmp/expect_rc.out
		fail "output does not contain '$1'"
	}
	echo "ok: output contains '$1'"
}

module_loaded() {
	grep -q '^anonmerge ' /proc/modules
}

load_module() {
	module_loaded || insmod "$KO" "$@" || fail "insmod $KO $*"
}

unload_module() {
	! module_loaded || rmmod anonmerge || fail "rmmod anonmerge"
}

# One counter from `anonmergectl -j stats`, e.g. stat attempts.
ctl_stat() {
	anonmergectl -j stats | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# has_feature NAME: the loaded module advertises feature NAME, one of the
# names `anonmergectl -j status` lists ("features":["stats",...]), e.g.
# has_feature merge-existing.
has_feature() {
	anonmergectl -j status | grep -q "\"features\":\[[^]]*\"$1\""
}

# skip WHY: this case does not apply to the running kernel.
skip() {
	echo "SKIP: $*"
	exit 77
}

# checked PROG ARGS...: one run of a check program that must pass; only
# its failed checks and comments are shown.
checked() {
	echo "--- $*"
	"$@" >/tmp/checked.out 2>&1
	rc=$?
	grep -v '^ok ' /tmp/checked.out
	[ $rc = 0 ] || fail "$* exited $rc"
}

scenario() {
	checked am_scenario "$@"
}

# counter_grows NAME CMD...: the stats counter NAME grows while CMD runs.
counter_grows() {
	name=$1
	shift
	before=$(ctl_stat "$name")
	"$@"
	after=$(ctl_stat "$name")
	[ "$after" -gt "$before" ] || fail "$name did not grow ($before -> $after)"
	echo "ok: $name $before -> $after"
}
