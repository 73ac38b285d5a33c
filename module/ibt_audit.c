// SPDX-License-Identifier: GPL-2.0
/*
 * The load-time IBT audit (see ibt_audit.h).
 *
 * With IBT, an indirect call must land on an ENDBR64 (f3 0f 1e fa).  The
 * kernel seals at boot the ENDBR of every function whose address it never
 * takes, overwriting it with a 4-byte NOP ("poison": 66 0f 1f 00 on
 * 6.12, 0f 1f 40 d6 on 7.2), whether or not the CPU has IBT: so under QEMU
 * the bytes are those of real hardware, only the #CP is missing.  A direct
 * call or jump is never checked, so the module reaches kernel functions
 * through static calls, and this audit checks, once every call is bound,
 * what a #CP on real hardware would otherwise be the first to tell:
 *
 * - each static call's key and trampoline point at the bound address (the
 *   trampoline really is a direct JMP there);
 * - that address is the start of a kernel function, or just past its
 *   ENDBR or poison: the kprobe lookup of kallsyms_lookup_name() returns
 *   start+4 on IBT kernels (arch_adjust_kprobe_addr() skips either);
 * - a kernel function the module would call through a pointer starts with
 *   a real ENDBR64 (am_ibt_check_callback()).  There is none today; the
 *   test_audit_callback parameter checks one to prove the check works.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "anonmerge.h"
#include "ibt_audit.h"

/* Without them static_call() is a call through key->func: indirect. */
#if !defined(CONFIG_HAVE_STATIC_CALL) || !defined(CONFIG_X86_64)
#error "calls into sealed kernel functions need x86-64 static call trampolines"
#endif

static char *test_audit_callback;
module_param(test_audit_callback, charp, 0444);
MODULE_PARM_DESC(test_audit_callback,
		 "Testing only: check this kernel function as one the module calls through a pointer");

/* What the CPU accepts, and what sealing leaves instead. */
static const u8 am_endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
static const u8 am_endbr_poison_6[4] = { 0x66, 0x0f, 0x1f, 0x00 };
static const u8 am_endbr_poison_7[4] = { 0x0f, 0x1f, 0x40, 0xd6 };

/* A patched trampoline: jmp rel32 (arch/x86/kernel/static_call.c). */
#define AM_JMP32_OPCODE 0xe9
#define AM_JMP32_SIZE 5

struct am_bound_call {
	struct static_call_key *key;
	void *tramp;
	const char *call;	/* the static call's name */
	unsigned long addr;
};

/* Room for every binding of a line (17 at most today), with spare. */
static struct am_bound_call am_bound_calls[32];
static unsigned int am_nr_bound_calls;	/* may exceed the room: refused */

void am_ibt_bind(struct static_call_key *key, void *tramp, const char *call,
		 enum am_sym sym)
{
	unsigned long addr = am_sym_addr(sym);

	/* What static_call_update() expands to, with the key untyped. */
	__static_call_update(key, tramp, (void *)addr);
	if (am_nr_bound_calls < ARRAY_SIZE(am_bound_calls))
		am_bound_calls[am_nr_bound_calls] = (struct am_bound_call) {
			.key = key, .tramp = tramp, .call = call, .addr = addr,
		};
	am_nr_bound_calls++;
}

static bool am_endbr_or_poison(const u8 *insn)
{
	return !memcmp(insn, am_endbr64, sizeof(am_endbr64)) ||
	       !memcmp(insn, am_endbr_poison_6, sizeof(am_endbr_poison_6)) ||
	       !memcmp(insn, am_endbr_poison_7, sizeof(am_endbr_poison_7));
}

/* sprint_symbol() of a kernel image function's first byte: "name+0x0/size". */
static bool am_function_start(unsigned long addr)
{
	char sym[KSYM_SYMBOL_LEN];
	const char *plus;

	sprint_symbol(sym, addr);
	plus = strrchr(sym, '+');
	return plus && !strncmp(plus, "+0x0/", 5) && !strchr(sym, '[');
}

static int audit_call(const struct am_bound_call *c)
{
	u8 insn[AM_JMP32_SIZE];
	s32 rel;

	if (!c->addr) {
		pr_err("IBT audit: static call %s is bound to no kernel function; refusing to load\n",
		       c->call);
		return -EOPNOTSUPP;
	}
	if (READ_ONCE(c->key->func) != (void *)c->addr) {
		pr_err("IBT audit: static call %s is bound to %ps, not %ps; refusing to load\n",
		       c->call, READ_ONCE(c->key->func), (void *)c->addr);
		return -EOPNOTSUPP;
	}
	if (copy_from_kernel_nofault(insn, c->tramp, sizeof(insn))) {
		pr_err("IBT audit: cannot read the trampoline of %s; refusing to load\n",
		       c->call);
		return -EOPNOTSUPP;
	}
	if (insn[0] != AM_JMP32_OPCODE) {
		pr_err("IBT audit: trampoline of %s is not a direct jump (%5ph); refusing to load\n",
		       c->call, insn);
		return -EOPNOTSUPP;
	}
	memcpy(&rel, &insn[1], sizeof(rel));
	if ((unsigned long)c->tramp + AM_JMP32_SIZE + rel != c->addr) {
		pr_err("IBT audit: trampoline of %s jumps to %pS, not %pS; refusing to load\n",
		       c->call,
		       (void *)((unsigned long)c->tramp + AM_JMP32_SIZE + rel),
		       (void *)c->addr);
		return -EOPNOTSUPP;
	}
	if (am_function_start(c->addr))
		return 0;
	/* A kprobe-found address is past the ENDBR or poison. */
	if (!copy_from_kernel_nofault(insn, (void *)(c->addr - 4), 4) &&
	    am_endbr_or_poison(insn) && am_function_start(c->addr - 4))
		return 0;
	pr_err("IBT audit: static call %s is bound to %pS, not the start of a kernel function; refusing to load\n",
	       c->call, (void *)c->addr);
	return -EOPNOTSUPP;
}

int am_ibt_check_callback(const char *name, unsigned long addr)
{
	u8 head[sizeof(am_endbr64)];

	if (copy_from_kernel_nofault(head, (void *)addr, sizeof(head))) {
		pr_err("IBT audit: cannot read %s; refusing to load\n", name);
		return -EOPNOTSUPP;
	}
	/*
	 * A kernel built without IBT (6.1) never enables it and has no ENDBR
	 * in any function: requiring one would refuse every callback there
	 * and protect nothing.  6.12 and 7.2 are checked.
	 */
	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT)) {
		pr_info("IBT audit: %s (starts %4ph) may be called indirectly: kernel built without IBT\n",
			name, head);
		return 0;
	}
	/* Not is_endbr(): it takes the poison for an ENDBR too. */
	if (memcmp(head, am_endbr64, sizeof(am_endbr64))) {
		pr_err("%s would be called indirectly but has no ENDBR64 (starts %4ph); refusing to load\n",
		       name, head);
		return -EOPNOTSUPP;
	}
	pr_info("IBT audit: %s starts with ENDBR64: may be called indirectly\n",
		name);
	return 0;
}

typedef unsigned long am_audit_kln_t(const char *name);
DEFINE_STATIC_CALL_NULL(am_audit_kln, am_audit_kln_t);

static int audit_test_callback(void)
{
	unsigned long addr;

	addr = static_call(am_audit_kln)(test_audit_callback);
	if (!addr) {
		pr_err("IBT audit: kernel symbol %s not found; refusing to load\n",
		       test_audit_callback);
		return -ENOENT;
	}
	return am_ibt_check_callback(test_audit_callback, addr);
}

int am_ibt_audit(void)
{
	unsigned int i;
	int err;

	/* The test's own lookup is bound, and audited, as any other. */
	if (test_audit_callback)
		am_bind_call(am_audit_kln, AM_SYM_KALLSYMS_LOOKUP_NAME);
	if (am_nr_bound_calls > ARRAY_SIZE(am_bound_calls)) {
		pr_err("IBT audit: %u static calls bound, room to check %zu; refusing to load\n",
		       am_nr_bound_calls, ARRAY_SIZE(am_bound_calls));
		return -EOPNOTSUPP;
	}
	for (i = 0; i < am_nr_bound_calls; i++) {
		err = audit_call(&am_bound_calls[i]);
		if (err)
			return err;
	}
	if (test_audit_callback) {
		err = audit_test_callback();
		if (err)
			return err;
	}
	pr_info("IBT audit: %u calls checked, all direct (kernel %s IBT)\n",
		am_nr_bound_calls,
		IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? "with" : "without");
	return 0;
}
