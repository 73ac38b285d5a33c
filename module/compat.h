/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel-line differences are decided.  Logic files
 * test AM_LINE_* only to pick a line_*.c table; helpers whose spelling
 * changed between lines are wrapped here.
 */
#ifndef ANONMERGE_COMPAT_H
#define ANONMERGE_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define AM_LINE_6_1 1
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define AM_LINE_6_12 1
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(7, 2, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(7, 3, 0)
#define AM_LINE_7_2 1
#endif

/*
 * Setting the resume address from an ftrace callback: 6.1 spells it
 * ftrace_instruction_pointer_set(), 6.3+ ftrace_regs_set_instruction_pointer()
 * (ftrace_regs became opaque in 6.14, so no direct pt_regs access).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define am_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#else
#define am_ftrace_set_ip(fregs, ip) ftrace_regs_set_instruction_pointer(fregs, ip)
#endif

#endif /* ANONMERGE_COMPAT_H */
