# The hook on the kernel's merge entry sees every merge attempt, in any mode.
. ./lib.sh
for mode in disable dry-run enable; do
	anonmergectl "$mode" >/dev/null || fail "anonmergectl $mode"
	before=$(ctl_stat attempts)
	am_churn -n 200 || fail "am_churn"
	after=$(ctl_stat attempts)
	# 2 mprotect calls per iteration, each one a merge attempt.
	[ $((after - before)) -ge 400 ] ||
		fail "$mode: attempts grew by $((after - before)), want >= 400"
	echo "ok: $mode: attempts grew by $((after - before))"
done
