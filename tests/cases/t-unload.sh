# Unload is safe at any moment: UNLOAD_CYCLES (default 20) load/unload
# cycles while a workload keeps entering the hooked merge path; and an
# open device blocks rmmod.  (make stress-long runs 200 under stress.)
. ./lib.sh
cycles=${UNLOAD_CYCLES:-20}
am_churn -t 3600 >/tmp/churn.log 2>&1 &
churn=$!
i=0
while [ $i -lt "$cycles" ]; do
	unload_module
	load_module mode=on
	anonmergectl dry-run >/dev/null || fail "cycle $i: ctl"
	i=$((i + 1))
done
echo "ok: $cycles load/unload cycles under load"
kill -0 $churn || fail "workload died: $(cat /tmp/churn.log)"
kill $churn
wait $churn
# The workload only stops on a signal; anything else means bad data.
[ $? -gt 128 ] || fail "workload failed: $(cat /tmp/churn.log)"

# Busy: a holder of /dev/anonmerge pins the module.
exec 3</dev/anonmerge
rmmod anonmerge 2>/dev/null && fail "rmmod succeeded while the device is open"
module_loaded || fail "module gone while busy"
expect_rc 0 anonmergectl status
exec 3<&-
rmmod anonmerge || fail "rmmod after close"
echo "ok: busy device blocks unload"
