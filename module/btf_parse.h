/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of BTF type data (Documentation/bpf/btf.rst), just large enough
 * to find a struct member's offset and size.  One source for both sides of
 * the layout check: the build-time tool (tools/am-btf.c, on the host, over
 * the .BTF of the headers' vmlinux) and the module, at load, over the
 * running kernel's /sys/kernel/btf/vmlinux (btf_layout.c).  The host
 * build defines the kernel's u8..u64 before including btf_parse.c.
 */
#ifndef ANONMERGE_BTF_PARSE_H
#define ANONMERGE_BTF_PARSE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#endif

struct am_btf {
	const u8 *types;	/* the type section */
	const char *strs;	/* the string section */
	u32 types_len;
	u32 strs_len;
	u32 nr_types;		/* type ids are 1..nr_types, 0 is void */
	u32 ptr_size;		/* BTF does not say: the target's */
	const u32 *index;	/* offset in types of each id (am_btf_index()) */
};

/*
 * Where a member is: bit_size is the width of a bitfield, else 0; record
 * is the offset of its btf_member in the type section (tests alter it).
 */
struct am_btf_member {
	u32 bit_offset;
	u32 bit_size;
	u32 size;
	u32 record;
};

int am_btf_open(struct am_btf *btf, const void *data, size_t len);
void am_btf_index(struct am_btf *btf, u32 *index);
int am_btf_find_struct(const struct am_btf *btf, const char *name);
int am_btf_type_size(const struct am_btf *btf, u32 id, u32 *size);
int am_btf_member(const struct am_btf *btf, u32 struct_id, const char *name,
		  struct am_btf_member *m);
u64 am_btf_digest(const void *data, size_t len);

#endif /* ANONMERGE_BTF_PARSE_H */
