#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Feature probes for Kbuild: prints the -D flags that say what the kernel
# headers under SRCTREE provide.  The module decides every kernel
# difference from these (compat.h), never from version numbers.
#
#   module/probe.sh SRCTREE [OBJTREE]
#
# Each probe reads the declaration the module depends on, so a kernel that
# changed it is caught at build time (or refused, line_none.c) instead of
# being called with the wrong prototype.
h=$1/include/linux
u=$1/include/uapi/linux
btf=${2:-$1}/vmlinux	# Debian's headers ship a BTF-only vmlinux (6.12+)

# has FILE ERE: FILE declares something matching ERE (one line).
has() {
	grep -qsE "$2" "$1"
}

# How vma_modify_flags() and vma_modify_flags_uffd() take the new flags,
# from the headers (the functions are private): by value as vm_flags_t
# (6.12), or by pointer to the vma_flags_t bitmap with the sticky flags
# written back (7.2: the bitmap type and VMA_IGNORE_MERGE_FLAGS).  Any
# other combination is a shape nobody checked (a 6.18.y stable backport
# passes a vm_flags_t pointer, and names the mask VM_IGNORE_MERGE): the
# front end is then not built and the module refuses to load, rather than
# pass flags where the kernel wants a pointer.
flags_shape=unknown
if has "$h/mm_types.h" '^\}( __private)? vma_flags_t;'; then
	has "$h/mm.h" '#define VMA_IGNORE_MERGE_FLAGS' && flags_shape=bitmap_ptr
elif ! has "$h/mm.h" 'VM_IGNORE_MERGE|VM_STICKY'; then
	flags_shape=value
fi

# The 6.1 merge front end: vma_merge(mm, prev, ...) public in <linux/mm.h>
# (6.3 changed its first argument to the iterator; 6.12 made it private).
if grep -sA1 'struct vm_area_struct \*vma_merge(' "$h/mm.h" |
	grep -q 'struct mm_struct'; then
	echo -DAM_FE_VMA_MERGE
# The mm/vma.c front end (6.12+): vma_modify_*() are private (6.7-6.11
# declared them in <linux/mm.h> with other rules), VMAs have per-VMA locks,
# and the flags argument has a known shape.
elif ! has "$h/mm.h" 'vma_merge\(|vma_modify_flags' &&
	has "$h/mm.h" 'vma_start_write\(' && [ $flags_shape != unknown ]; then
	echo -DAM_FE_VMA_MODIFY
	[ $flags_shape = bitmap_ptr ] && echo -DAM_HAVE_VMA_FLAGS_T
fi

# Up to 6.17 the swap cache is one address space per 64 MiB of a device
# (swapper_spaces, init_swap_address_space()); the swap table (6.18+)
# replaced it, and its swap_cache_get_folio() takes the entry alone.
has "$h/swap.h" 'init_swap_address_space\(' && echo -DAM_SWAP_ADDRESS_SPACES

# 6.19+: the softleaf API (<linux/leafops.h>) replaces swapops.
[ -f "$h/leafops.h" ] && echo -DAM_HAVE_SOFTLEAF

# Weighted interleave (6.9+) places pages by pgoff like interleave.
has "$u/mempolicy.h" 'MPOL_WEIGHTED_INTERLEAVE' && echo -DAM_HAVE_MPOL_WEIGHTED

# Which out-of-line function maps and locks a PTE table: 6.5+ has
# __pte_offset_map_lock() behind an inline, 7.x exports the name itself
# as a function; 6.1's macro uses exported helpers only.
if has "$h/mm.h" '^pte_t \*__pte_offset_map_lock\('; then
	echo -DAM_PTE_MAP_LOCK_SYM=__pte_offset_map_lock
elif has "$h/mm.h" '^pte_t \*pte_offset_map_lock\('; then
	echo -DAM_PTE_MAP_LOCK_SYM=pte_offset_map_lock
fi

# The anon_vma rule of the merge (KERNELS.md, A2): since 6.16 an unfaulted
# neighbour joins a faulted range unless the range's VMA is a fork child
# (vma_is_fork_child(), mm/vma.c); before, only a neighbour with a singular
# chain joined an unfaulted side.  Private to mm/vma.c: the BTF of the
# kernel names vma_merge_struct.copied_from (61f67c230a5e), which came
# with that rule's last form.  Without BTF (self-built debug kernels) the
# older rule is modelled; on a kernel with the newer rule that
# under-predicts, so the module refuses merges it could make, never more.
grep -aqw copied_from "$btf" 2>/dev/null && echo -DAM_ANON_RULE_FORK_CHILD

# vma_modify_name() (7.2: madvise changes a name alone) or
# vma_modify_flags_name() (6.12): private; named in the BTF.  Without BTF
# the older one is bound, and a kernel that lacks it refuses to load.
grep -aqw vma_modify_name "$btf" 2>/dev/null && echo -DAM_VMA_MODIFY_NAME
exit 0
