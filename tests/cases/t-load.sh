# The module loads, publishes a 0600 device and says so in dmesg.
. ./lib.sh
load_module
expect_eq "device mode" "crw-------" "$(ls -l /dev/anonmerge | cut -c1-10)"
expect_rc 0 anonmergectl status
expect_out_fixed "kernel:   $(uname -r) "
expect_out "mode: +off"
expect_eq "mode parameter" off "$(cat /sys/module/anonmerge/parameters/mode)"
rmmod anonmerge || fail "rmmod"
insmod "$KO" || fail "insmod"
dmesg | grep -q "anonmerge: .* loaded on kernel line" ||
	fail "no load message in dmesg"
echo "ok: load message in dmesg"
