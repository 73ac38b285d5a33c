// SPDX-License-Identifier: GPL-2.0
/*
 * The BTF reader of the layout check (btf_parse.h).  Only what finding a
 * member needs: every type record is walked once to count and index it, a
 * struct is found by name, and a member by name, through the anonymous
 * structs and unions it may sit in (folio's mapping and index, 7.2's
 * vm_area_struct.vm_flags).
 *
 * The format's constants are spelt out here rather than taken from
 * <linux/btf.h>: the host's copy of that header may be older than the
 * kernel whose BTF is read, and the record layouts are a stable ABI.
 * Everything read is bounds-checked, since the host tool may be pointed
 * at any file.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "btf_parse.h"

#define AM_BTF_MAGIC		0xeb9f
#define AM_BTF_VERSION		1
#define AM_BTF_HDR_LEN		24	/* struct btf_header, up to str_len */
#define AM_BTF_TYPE_LEN		12	/* struct btf_type */
#define AM_BTF_MAX_DEPTH	32	/* typedefs, modifiers, nested unions */

/* Type kinds (include/uapi/linux/btf.h); 19 is the last one in 7.2. */
enum {
	AM_BTF_KIND_INT = 1,
	AM_BTF_KIND_PTR,
	AM_BTF_KIND_ARRAY,
	AM_BTF_KIND_STRUCT,
	AM_BTF_KIND_UNION,
	AM_BTF_KIND_ENUM,
	AM_BTF_KIND_FWD,
	AM_BTF_KIND_TYPEDEF,
	AM_BTF_KIND_VOLATILE,
	AM_BTF_KIND_CONST,
	AM_BTF_KIND_RESTRICT,
	AM_BTF_KIND_FUNC,
	AM_BTF_KIND_FUNC_PROTO,
	AM_BTF_KIND_VAR,
	AM_BTF_KIND_DATASEC,
	AM_BTF_KIND_FLOAT,
	AM_BTF_KIND_DECL_TAG,
	AM_BTF_KIND_TYPE_TAG,
	AM_BTF_KIND_ENUM64,
};

/* The section may sit at any offset in a file read whole: no aligned loads. */
static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static u32 kind_of(u32 info)
{
	return (info >> 24) & 0x1f;
}

static u32 vlen_of(u32 info)
{
	return info & 0xffff;
}

/* The bytes that follow a type record of this kind, or -1 if unknown. */
static long extra_len(u32 info)
{
	u32 vlen = vlen_of(info);

	switch (kind_of(info)) {
	case AM_BTF_KIND_INT:
	case AM_BTF_KIND_VAR:
	case AM_BTF_KIND_DECL_TAG:
		return 4;
	case AM_BTF_KIND_PTR:
	case AM_BTF_KIND_FWD:
	case AM_BTF_KIND_TYPEDEF:
	case AM_BTF_KIND_VOLATILE:
	case AM_BTF_KIND_CONST:
	case AM_BTF_KIND_RESTRICT:
	case AM_BTF_KIND_FUNC:
	case AM_BTF_KIND_FLOAT:
	case AM_BTF_KIND_TYPE_TAG:
		return 0;
	case AM_BTF_KIND_ARRAY:
		return 12;
	case AM_BTF_KIND_STRUCT:
	case AM_BTF_KIND_UNION:
	case AM_BTF_KIND_DATASEC:
	case AM_BTF_KIND_ENUM64:
		return 12L * vlen;
	case AM_BTF_KIND_ENUM:
	case AM_BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	}
	return -1;
}

/*
 * Walk every type record once: count them, and fill @index (may be NULL)
 * with their offsets.  A record that is unknown or runs past the end makes
 * the whole section unreadable: nothing after it could be found.
 */
static int walk(struct am_btf *btf, u32 *index)
{
	u32 off = 0, n = 0;

	while (off < btf->types_len) {
		long extra;

		if (btf->types_len - off < AM_BTF_TYPE_LEN)
			return -EINVAL;
		extra = extra_len(rd32(btf->types + off + 4));
		if (extra < 0 || extra > btf->types_len - off - AM_BTF_TYPE_LEN)
			return -EINVAL;
		if (index)
			index[n + 1] = off;
		off += AM_BTF_TYPE_LEN + extra;
		n++;
	}
	btf->nr_types = n;
	return 0;
}

/**
 * am_btf_open - check a BTF blob's header and count its types
 * @btf: filled in; ptr_size defaults to the reader's own
 * @data: the blob (a .BTF section, or /sys/kernel/btf/vmlinux)
 * @len: its length
 *
 * Return: 0, or -EINVAL if @data is not BTF this reader understands.
 * am_btf_index() must follow before any lookup.
 */
int am_btf_open(struct am_btf *btf, const void *data, size_t len)
{
	const u8 *p = data;
	u32 hdr_len, type_off, type_len, str_off, str_len;
	u16 magic;

	memset(btf, 0, sizeof(*btf));
	if (len < AM_BTF_HDR_LEN)
		return -EINVAL;
	memcpy(&magic, p, sizeof(magic));
	/* Byte-swapped BTF (another endianness) is not read. */
	if (magic != AM_BTF_MAGIC || p[2] != AM_BTF_VERSION)
		return -EINVAL;
	hdr_len = rd32(p + 4);
	type_off = rd32(p + 8);
	type_len = rd32(p + 12);
	str_off = rd32(p + 16);
	str_len = rd32(p + 20);
	if (hdr_len < AM_BTF_HDR_LEN || hdr_len > len)
		return -EINVAL;
	len -= hdr_len;
	if (type_off > len || type_len > len - type_off ||
	    str_off > len || str_len > len - str_off)
		return -EINVAL;
	/* Names are only compared if the last one is terminated. */
	if (!str_len || p[hdr_len + str_off + str_len - 1])
		return -EINVAL;
	btf->types = p + hdr_len + type_off;
	btf->types_len = type_len;
	btf->strs = (const char *)p + hdr_len + str_off;
	btf->strs_len = str_len;
	btf->ptr_size = sizeof(void *);
	return walk(btf, NULL);
}

/**
 * am_btf_index - index the types of an opened BTF
 * @btf: from am_btf_open()
 * @index: room for nr_types + 1 offsets, kept by @btf
 */
void am_btf_index(struct am_btf *btf, u32 *index)
{
	walk(btf, index);
	btf->index = index;
}

/* The record of type @id, or NULL for void and ids out of range. */
static const u8 *type_of(const struct am_btf *btf, u32 id)
{
	if (!id || id > btf->nr_types)
		return NULL;
	return btf->types + btf->index[id];
}

static const char *name_of(const struct am_btf *btf, u32 off)
{
	return off < btf->strs_len ? btf->strs + off : "";
}

static bool is_composite(const u8 *t)
{
	u32 kind = kind_of(rd32(t + 4));

	return kind == AM_BTF_KIND_STRUCT || kind == AM_BTF_KIND_UNION;
}

/**
 * am_btf_find_struct - the type id of the struct or union called @name
 * @btf: an indexed BTF
 * @name: its tag, without "struct "
 *
 * Return: the id; -ENOENT if there is none (a forward declaration is
 * none); -ENOTUNIQ if two different ones carry that name (deduplication
 * merged identical ones), since which one the headers mean is unknown.
 */
int am_btf_find_struct(const struct am_btf *btf, const char *name)
{
	int found = -ENOENT;
	u32 id;

	for (id = 1; id <= btf->nr_types; id++) {
		const u8 *t = type_of(btf, id);

		if (!is_composite(t) || strcmp(name_of(btf, rd32(t)), name))
			continue;
		if (found > 0)
			return -ENOTUNIQ;
		found = id;
	}
	return found;
}

static int type_size(const struct am_btf *btf, u32 id, u32 *size, int depth)
{
	const u8 *t;
	u32 elems, elem_size;
	int err;

	for (; depth < AM_BTF_MAX_DEPTH; depth++) {
		t = type_of(btf, id);
		if (!t)
			return -EINVAL;
		switch (kind_of(rd32(t + 4))) {
		case AM_BTF_KIND_INT:
		case AM_BTF_KIND_ENUM:
		case AM_BTF_KIND_ENUM64:
		case AM_BTF_KIND_STRUCT:
		case AM_BTF_KIND_UNION:
		case AM_BTF_KIND_FLOAT:
			*size = rd32(t + 8);
			return 0;
		case AM_BTF_KIND_PTR:
			*size = btf->ptr_size;
			return 0;
		case AM_BTF_KIND_TYPEDEF:
		case AM_BTF_KIND_VOLATILE:
		case AM_BTF_KIND_CONST:
		case AM_BTF_KIND_RESTRICT:
		case AM_BTF_KIND_TYPE_TAG:
			id = rd32(t + 8);
			break;
		case AM_BTF_KIND_ARRAY:	/* type, index_type, nelems */
			elems = rd32(t + AM_BTF_TYPE_LEN + 8);
			err = type_size(btf, rd32(t + AM_BTF_TYPE_LEN), &elem_size,
					depth + 1);
			if (err)
				return err;
			*size = elems * elem_size;
			return 0;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

/**
 * am_btf_type_size - the size in bytes of type @id
 * @btf: an indexed BTF
 * @id: the type
 * @size: the size found
 *
 * Return: 0, or -EINVAL for a type without a size (void, functions).
 */
int am_btf_type_size(const struct am_btf *btf, u32 id, u32 *size)
{
	return type_size(btf, id, size, 0);
}

static int find_member(const struct am_btf *btf, u32 id, const char *name,
		       u32 base, struct am_btf_member *m, int depth)
{
	const u8 *t = type_of(btf, id), *mem;
	u32 info, i;

	if (!t || !is_composite(t) || depth >= AM_BTF_MAX_DEPTH)
		return -ENOENT;
	info = rd32(t + 4);
	/* btf_member: name_off, type, offset (bitfield size << 24 if kflag) */
	for (i = 0; i < vlen_of(info); i++) {
		u32 m_type, m_off, bit_size = 0;

		mem = t + AM_BTF_TYPE_LEN + 12 * i;
		m_type = rd32(mem + 4);
		m_off = rd32(mem + 8);
		if (info >> 31) {
			bit_size = m_off >> 24;
			m_off &= 0xffffff;
		}
		/* An anonymous struct or union: its members are the parent's. */
		if (!*name_of(btf, rd32(mem))) {
			if (!find_member(btf, m_type, name, base + m_off, m,
					 depth + 1))
				return 0;
			continue;
		}
		if (strcmp(name_of(btf, rd32(mem)), name))
			continue;
		m->bit_offset = base + m_off;
		m->bit_size = bit_size;
		m->record = mem - btf->types;
		return am_btf_type_size(btf, m_type, &m->size);
	}
	return -ENOENT;
}

/**
 * am_btf_member - where member @name of a struct or union is
 * @btf: an indexed BTF
 * @struct_id: from am_btf_find_struct()
 * @name: the member, also found inside anonymous structs and unions
 * @m: its offset in bits from the start of the struct, and size
 *
 * Return: 0, or -ENOENT.
 */
int am_btf_member(const struct am_btf *btf, u32 struct_id, const char *name,
		  struct am_btf_member *m)
{
	return find_member(btf, struct_id, name, 0, m, 0);
}

/**
 * am_btf_digest - FNV-1a, 64 bits, of a BTF blob
 * @data: the blob
 * @len: its length
 *
 * Equal digests mean the build's BTF is the running kernel's, so no
 * member needs looking up at load.
 */
u64 am_btf_digest(const void *data, size_t len)
{
	const u8 *p = data;
	u64 h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}
