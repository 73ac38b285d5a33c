/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of anonmerge: tracepoint:anonmerge:{merge,refuse,rehome}
 * for perf, trace-cmd and bpftrace.  They fire where the matching counters
 * are bumped (plan.c), so a trace and `anonmergectl stats` agree.
 *
 * kind and reason are the UAPI enums; TRACE_DEFINE_ENUM puts their values
 * into the format file so user space can decode the symbolic print.  The
 * name is also recorded as a string for tools that read raw fields
 * (bpftrace's str(args->reason_name)); it costs nothing while disabled.
 * A fixed array rather than __string(): __assign_str() changed arity in
 * 6.10, and the longest name fits.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM anonmerge

#if !defined(ANONMERGE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define ANONMERGE_TRACE_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

#include <uapi/linux/anonmerge.h>

#define AM_TRACE_KIND_ENUM(id, name) TRACE_DEFINE_ENUM(ANONMERGE_MERGE_##id);
#define AM_TRACE_REFUSAL_ENUM(id, name) TRACE_DEFINE_ENUM(ANONMERGE_REFUSE_##id);
ANONMERGE_MERGE_KINDS(AM_TRACE_KIND_ENUM)
ANONMERGE_REFUSALS(AM_TRACE_REFUSAL_ENUM)

#define AM_TRACE_NAME_LEN 24

/* Symbol tables for __print_symbolic(), closed by an entry for "unknown". */
#define AM_TRACE_KIND_SYM(id, name) { ANONMERGE_MERGE_##id, name },
#define AM_TRACE_REFUSAL_SYM(id, name) { ANONMERGE_REFUSE_##id, name },
#define am_show_kind(kind)						\
	__print_symbolic(kind, ANONMERGE_MERGE_KINDS(AM_TRACE_KIND_SYM)	\
			 { ANONMERGE_NR_MERGE_KINDS, "?" })
#define am_show_reason(reason)						\
	__print_symbolic(reason, ANONMERGE_REFUSALS(AM_TRACE_REFUSAL_SYM) \
			 { ANONMERGE_NR_REFUSALS, "?" })

/*
 * anonmerge:merge - the stock merge joined what the plan predicted after a
 * re-home.  [start, end) is the merged VMA; pages moved to make it possible;
 * duration_ns from the decision to re-home to the end of the merge, all
 * under the mmap write lock.
 */
TRACE_EVENT(merge,
	TP_PROTO(unsigned long start, unsigned long end, unsigned int kind,
		 unsigned long pages, u64 duration_ns),
	TP_ARGS(start, end, kind, pages, duration_ns),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(unsigned int, kind)
		__field(unsigned long, pages)
		__field(u64, duration_ns)
		__array(char, kind_name, AM_TRACE_NAME_LEN)
	),
	TP_fast_assign(
		__entry->pid = current->tgid;
		__entry->start = start;
		__entry->end = end;
		__entry->kind = kind;
		__entry->pages = pages;
		__entry->duration_ns = duration_ns;
		strscpy(__entry->kind_name, kind < ANONMERGE_NR_MERGE_KINDS ?
			am_merge_kind_names[kind] : "?", AM_TRACE_NAME_LEN);
	),
	TP_printk("pid=%d range=%#lx-%#lx kind=%s pages=%lu duration_ns=%llu",
		  __entry->pid, __entry->start, __entry->end,
		  am_show_kind(__entry->kind), __entry->pages,
		  __entry->duration_ns)
);

/*
 * anonmerge:refuse - a merge that re-homing would have allowed was left to
 * stock behaviour.  [start, end) is the range the kernel was merging.
 */
TRACE_EVENT(refuse,
	TP_PROTO(unsigned long start, unsigned long end, unsigned int kind,
		 unsigned int reason),
	TP_ARGS(start, end, kind, reason),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(unsigned int, kind)
		__field(unsigned int, reason)
		__array(char, reason_name, AM_TRACE_NAME_LEN)
	),
	TP_fast_assign(
		__entry->pid = current->tgid;
		__entry->start = start;
		__entry->end = end;
		__entry->kind = kind;
		__entry->reason = reason;
		strscpy(__entry->reason_name, reason < ANONMERGE_NR_REFUSALS ?
			am_refusal_names[reason] : "?", AM_TRACE_NAME_LEN);
	),
	TP_printk("pid=%d range=%#lx-%#lx kind=%s reason=%s",
		  __entry->pid, __entry->start, __entry->end,
		  am_show_kind(__entry->kind), am_show_reason(__entry->reason))
);

/*
 * anonmerge:rehome - one plan's VMAs moved onto another anon_vma.
 * [start, end) spans the moved VMAs; pages is how many pages were
 * reconnected; duration_ns covers checking, locking and moving them, time
 * spent under the mmap write lock of the process.
 */
TRACE_EVENT(rehome,
	TP_PROTO(unsigned long start, unsigned long end, unsigned int vmas,
		 unsigned long pages, u64 duration_ns),
	TP_ARGS(start, end, vmas, pages, duration_ns),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(unsigned int, vmas)
		__field(unsigned long, pages)
		__field(u64, duration_ns)
	),
	TP_fast_assign(
		__entry->pid = current->tgid;
		__entry->start = start;
		__entry->end = end;
		__entry->vmas = vmas;
		__entry->pages = pages;
		__entry->duration_ns = duration_ns;
	),
	TP_printk("pid=%d range=%#lx-%#lx vmas=%u pages=%lu duration_ns=%llu",
		  __entry->pid, __entry->start, __entry->end, __entry->vmas,
		  __entry->pages, __entry->duration_ns)
);

#endif /* ANONMERGE_TRACE_H */

/* define_trace.h finds this file through the -I of module/ (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE anonmerge_trace
#include <trace/define_trace.h>
