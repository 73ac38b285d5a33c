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

# Struct layouts (btf_layout.c): built with the kernel's BTF (6.12, 7.2),
# the module compares them with the running kernel's at load, silently
# when the BTF is the build's; one taken as moved refuses the load, naming
# it.  Built without (6.1, the debug kernels), it says so.
case ${AMTEST_LINE:-unknown} in
6.12 | 7.2)
	! dmesg | grep -q "anonmerge: .*BTF" ||
		fail "a BTF note on a matching kernel: $(dmesg | grep BTF)"
	echo "ok: layouts match the running kernel's BTF, no note"
	rmmod anonmerge || fail "rmmod"
	dmesg -c >/dev/null
	insmod "$KO" test_btf_perturb=anon_vma.num_active_vmas 2>/dev/null &&
		fail "loaded with anon_vma.num_active_vmas perturbed"
	! module_loaded || fail "module present after a refused load"
	dmesg | grep -q "anonmerge: struct anon_vma.num_active_vmas: offset [0-9]*, size 8 at build, offset [0-9]*, size 8 running; rebuild" ||
		fail "no clear message: $(dmesg | tail -3)"
	echo "ok: refused with anon_vma.num_active_vmas perturbed"
	insmod "$KO" || fail "insmod after the refusal"
	;;
*)
	dmesg | grep -q "anonmerge: built without the kernel's BTF" ||
		fail "no note that layouts went unchecked"
	echo "ok: built without BTF, and said so"
	;;
esac
