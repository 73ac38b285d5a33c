# The IBT audit at load (module/ibt_audit.c).  QEMU does not emulate IBT,
# so an indirect call into a sealed kernel function would not fault here:
# the audit's verdicts are checked instead, against the kernel text as
# sealed at boot (sealing does not depend on the CPU).
#   - A normal load checks every static call bound to a kernel function.
#   - test_audit_callback=SYM treats SYM as a function the module would
#     call through a pointer.  With IBT (6.12, 7.2) the load must fail
#     unless SYM starts with ENDBR64: folio_lock_anon_vma_read (an rmap
#     walk callback) and find_vma (exported) keep theirs; of the functions
#     the module calls, those whose address the kernel never takes are
#     sealed, and which ones depends on the build (vma_modify_flags on
#     Debian's 6.12 and 7.2, not on the mm-debug 6.12).  A kernel built
#     without IBT (6.1) has no ENDBR anywhere and never enables IBT: any
#     function may be called through a pointer, and the load goes on.
#   - An unknown SYM refuses the load on every line.
. ./lib.sh
unload_module

# The kernel's own word on IBT: ibt_selftest() exists only with
# CONFIG_X86_KERNEL_IBT (arch/x86/kernel, run at boot).
if grep -q ' ibt_selftest$' /proc/kallsyms; then
	ibt=with
else
	ibt=without
fi
echo "kernel $(uname -r): $ibt IBT"

# try_load WANT_RC ARGS...: insmod with ARGS; WANT_RC 0 (loads, then
# unloaded), 1 (refused, nothing left behind) or any; $rc is what
# happened.  dmesg is kept in /tmp/ibt.dmesg.
try_load() {
	want=$1
	shift
	dmesg -c >/dev/null
	if insmod "$KO" "$@" 2>/tmp/ibt.err; then
		rc=0
	else
		rc=1
	fi
	dmesg >/tmp/ibt.dmesg
	if [ "$want" != any ] && [ "$rc" != "$want" ]; then
		cat /tmp/ibt.err /tmp/ibt.dmesg
		fail "insmod $*: exit status $rc, want $want"
	fi
	if [ "$rc" = 0 ]; then
		rmmod anonmerge || fail "rmmod after insmod $*"
		echo "ok: loaded with ${*:-no parameter}"
	else
		! module_loaded || fail "module present after refused load ($*)"
		[ ! -e /dev/anonmerge ] || fail "/dev/anonmerge left behind ($*)"
		echo "ok: refused with $*"
	fi
}

# dmesg_has PATTERN: the last try_load's kernel log matches (grep -E).
dmesg_has() {
	grep -Eq -- "$1" /tmp/ibt.dmesg || {
		cat /tmp/ibt.dmesg
		fail "dmesg does not match '$1'"
	}
	echo "ok: dmesg matches '$1'"
}

# A normal load audits every bound call, and agrees with the kernel on
# IBT.
try_load 0
dmesg_has "anonmerge: IBT audit: [0-9]+ calls checked, all direct \(kernel $ibt IBT\)"
n=$(sed -n 's/.*IBT audit: \([0-9]*\) calls checked.*/\1/p' /tmp/ibt.dmesg)
# kcalls.c (7), kallsyms_lookup_name, mmap_region, __x64_sys_mremap and
# the line's own: 11 on 6.1, 15 or 16 on 6.12 and 7.2.
[ "$n" -ge 11 ] || fail "only $n calls checked"
echo "ok: $n calls checked"

if [ "$ibt" = with ]; then
	# Each verdict as the bytes say (a refusal shows the poison), and at
	# least one sealed function refused.
	refused=
	for sym in vma_modify_flags kallsyms_lookup_name mmap_region \
		   __put_anon_vma; do
		try_load any test_audit_callback=$sym
		if [ "$rc" = 0 ]; then
			dmesg_has "anonmerge: IBT audit: $sym starts with ENDBR64: may be called indirectly"
			echo "note: $sym keeps its ENDBR on this kernel"
		else
			dmesg_has "anonmerge: $sym would be called indirectly but has no ENDBR64 \(starts (66 0f 1f 00|0f 1f 40 d6)\); refusing to load"
			refused="$refused $sym"
		fi
	done
	[ -n "$refused" ] || fail "no sealed function refused"
	echo "ok: refused as sealed:$refused"
	for sym in folio_lock_anon_vma_read find_vma; do
		try_load 0 test_audit_callback=$sym
		dmesg_has "anonmerge: IBT audit: $sym starts with ENDBR64: may be called indirectly"
	done
else
	# vma_merge: 6.1's sealed-on-IBT equivalent of vma_modify_flags.
	for sym in vma_merge folio_lock_anon_vma_read find_vma; do
		try_load 0 test_audit_callback=$sym
		dmesg_has "anonmerge: IBT audit: $sym \(starts [0-9a-f ]+\) may be called indirectly: kernel built without IBT"
		! grep -q "$sym (starts f3 0f 1e fa)" /tmp/ibt.dmesg ||
			fail "$sym starts with ENDBR64 on a kernel without IBT"
	done
fi

try_load 1 test_audit_callback=am_no_such_function
dmesg_has "anonmerge: IBT audit: kernel symbol am_no_such_function not found; refusing to load"

load_module
