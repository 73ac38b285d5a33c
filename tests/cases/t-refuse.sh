# Refusal to load: a missing symbol (function or data) or a bad parameter
# leaves no module, no device, and a one-line reason in dmesg.
. ./lib.sh
unload_module
for sym in kallsyms_lookup_name anon_vma_chain_cachep __put_anon_vma \
	   mmap_region; do
	dmesg -c >/dev/null
	insmod "$KO" test_hide_symbol=$sym 2>/dev/null &&
		fail "loaded with $sym hidden"
	! module_loaded || fail "module present after refused load ($sym)"
	[ ! -e /dev/anonmerge ] || fail "/dev/anonmerge left behind ($sym)"
	dmesg | grep -q "anonmerge: kernel symbol $sym not found" ||
		fail "no clear message for $sym: $(dmesg | tail -3)"
	echo "ok: refused with $sym hidden"
done
insmod "$KO" mode=sometimes 2>/dev/null && fail "loaded with mode=sometimes"
! module_loaded || fail "module present after bad mode"
echo "ok: refused mode=sometimes"
insmod "$KO" mode=on || fail "insmod mode=on"
expect_rc 0 anonmergectl status
expect_out "mode: +on"
