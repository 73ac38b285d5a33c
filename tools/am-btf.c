// SPDX-License-Identifier: GPL-2.0
/*
 * am-btf: struct layouts from a kernel's BTF, for anonmerge's build.
 *
 *   am-btf FILE NAME...       print "NAME OFFSET SIZE" (bytes) for each
 *                             NAME, STRUCT.MEMBER or STRUCT (its size)
 *   am-btf -g LIST FILE       print the layout header for the members of
 *                             LIST (module/btf.list): static_asserts that
 *                             the headers place them as the BTF does
 *   am-btf -x STRUCT.MEMBER OFFSET FILE OUT
 *                             copy FILE to OUT with that member moved to
 *                             OFFSET in its BTF (to test the check)
 *
 * FILE is an ELF with a .BTF section (the vmlinux Debian's header packages
 * ship, 6.12 and later), or raw BTF (/sys/kernel/btf/vmlinux).  Kbuild
 * builds and runs it on the host (Kbuild, btf_layout.c): 7.2 has no
 * MODVERSIONS, so nothing else would catch headers that disagree with the
 * kernel they claim to describe.  With -g, a FILE without BTF (6.1, the
 * self-built debug kernels) gives a header that says so, and a note.
 */
#include <elf.h>
#include <errno.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel's names, for the shared reader. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;

/* One reader for the build and for the module's check at load. */
#include "../module/btf_parse.c"

struct blob {
	u8 *file;		/* the whole file */
	size_t file_len;
	size_t off;		/* where the BTF starts in it */
	size_t len;
	u32 ptr_size;		/* 8 unless a 32-bit ELF says 4 */
};

static const char *prog = "am-btf";

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static int read_file(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	size_t room = 1 << 20, n;

	b->file = NULL;
	b->file_len = 0;
	if (!f)
		return -errno;
	for (;;) {
		b->file = realloc(b->file, room);
		if (!b->file)
			die(2, "out of memory");
		n = fread(b->file + b->file_len, 1, room - b->file_len, f);
		b->file_len += n;
		if (b->file_len < room)
			break;
		room *= 2;
	}
	n = ferror(f);
	fclose(f);
	return n ? -EIO : 0;
}

/* An ELF's section headers, 32- or 64-bit. */
struct elf {
	const u8 *shdrs;
	unsigned int shnum;
	bool is64;
};

/* The name, offset and size of section @i. */
static void section(const struct elf *e, unsigned int i, u64 *name,
		    u64 *off, u64 *size)
{
	if (e->is64) {
		const Elf64_Shdr *s = (const Elf64_Shdr *)e->shdrs + i;

		*name = s->sh_name;
		*off = s->sh_offset;
		*size = s->sh_size;
	} else {
		const Elf32_Shdr *s = (const Elf32_Shdr *)e->shdrs + i;

		*name = s->sh_name;
		*off = s->sh_offset;
		*size = s->sh_size;
	}
}

/* The .BTF section of an ELF file: 0, or -ENOENT if it has none. */
static int find_section(struct blob *b)
{
	const u8 *p = b->file;
	u64 shoff, name, off, size, strs, strs_len;
	unsigned int i, shentsize, shstrndx;
	struct elf e;

	if (b->file_len < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG))
		return -EINVAL;
	e.is64 = p[EI_CLASS] == ELFCLASS64;
	if (p[EI_DATA] != ELFDATA2LSB ||
	    b->file_len < (e.is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return -EINVAL;
	if (e.is64) {
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)p;

		shoff = eh->e_shoff;
		e.shnum = eh->e_shnum;
		shentsize = eh->e_shentsize;
		shstrndx = eh->e_shstrndx;
	} else {
		const Elf32_Ehdr *eh = (const Elf32_Ehdr *)p;

		shoff = eh->e_shoff;
		e.shnum = eh->e_shnum;
		shentsize = eh->e_shentsize;
		shstrndx = eh->e_shstrndx;
	}
	b->ptr_size = e.is64 ? 8 : 4;
	if (shentsize != (e.is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) ||
	    shstrndx >= e.shnum || shoff > b->file_len ||
	    (u64)e.shnum * shentsize > b->file_len - shoff)
		return -EINVAL;
	e.shdrs = p + shoff;
	section(&e, shstrndx, &name, &strs, &strs_len);
	if (strs > b->file_len || strs_len > b->file_len - strs)
		return -EINVAL;
	for (i = 0; i < e.shnum; i++) {
		section(&e, i, &name, &off, &size);
		if (name >= strs_len ||
		    strnlen((const char *)p + strs + name, strs_len - name) != 4 ||
		    memcmp(p + strs + name, ".BTF", 4))
			continue;
		if (off > b->file_len || size > b->file_len - off)
			return -EINVAL;
		b->off = off;
		b->len = size;
		return 0;
	}
	return -ENOENT;
}

/*
 * Load FILE's BTF into @btf.  Return: 0; -ENOENT for a missing file or an
 * ELF without .BTF (a *why is set for the note); die() on anything else.
 */
static int load(const char *path, struct blob *b, struct am_btf *btf,
		const char **why)
{
	u32 *index;
	int err;

	err = read_file(path, b);
	if (err == -ENOENT) {
		*why = "no such file";
		return err;
	}
	if (err)
		die(2, "%s: %s", path, strerror(-err));
	b->ptr_size = 8;
	if (b->file_len >= 2 && b->file[0] == 0x9f && b->file[1] == 0xeb) {
		b->off = 0;	/* raw BTF, as in /sys/kernel/btf */
		b->len = b->file_len;
	} else {
		err = find_section(b);
		if (err == -ENOENT) {
			*why = "no .BTF section";
			return err;
		}
		if (err)
			die(2, "%s: not an ELF or BTF file this tool reads", path);
	}
	if (am_btf_open(btf, b->file + b->off, b->len))
		die(2, "%s: unreadable BTF", path);
	btf->ptr_size = b->ptr_size;
	index = calloc(btf->nr_types + 1, sizeof(*index));
	if (!index)
		die(2, "out of memory");
	am_btf_index(btf, index);
	return 0;
}

static void unload(struct blob *b, struct am_btf *btf)
{
	free((void *)btf->index);
	free(b->file);
}

/* Split "STRUCT.MEMBER" (or "STRUCT", member NULL) in place. */
static char *split_name(char *name)
{
	char *dot = strchr(name, '.');

	if (!dot)
		return NULL;
	*dot = '\0';
	return dot + 1;
}

static int query(const struct am_btf *btf, char **names, int n)
{
	int i, id, bad = 0;

	for (i = 0; i < n; i++) {
		char *member = split_name(names[i]);
		struct am_btf_member m = { 0 };

		id = am_btf_find_struct(btf, names[i]);
		if (id > 0 && member)
			id = am_btf_member(btf, id, member, &m) ? -ENOENT : id;
		else if (id > 0)
			id = am_btf_type_size(btf, id, &m.size) ? -EINVAL : id;
		if (member)
			member[-1] = '.';
		if (id < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, names[i],
				id == -ENOTUNIQ ? "defined twice" : "not found");
			bad = 1;
		} else if (m.bit_size || m.bit_offset % 8) {
			printf("%s %u:%u %ub\n", names[i], m.bit_offset / 8,
			       m.bit_offset % 8, m.bit_size);
		} else {
			printf("%s %u %u\n", names[i], m.bit_offset / 8, m.size);
		}
	}
	return bad;
}

static bool is_ident(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/*
 * One line of LIST: "STRUCT [MEMBER [WHEN]]".  WHEN is the macro under
 * which the module uses the member (CONFIG_*, a probe.sh flag): checked
 * only when the headers define it, and then it must be in the BTF.  "?":
 * checked where the BTF has it (a member one line has and another
 * dropped, vm_lock).  Each layout found also goes into @table, for the
 * comparison with the running kernel at load.
 */
static int gen_line(const struct am_btf *btf, const char *st,
		    const char *member, const char *when, FILE *table)
{
	struct am_btf_member m = { 0 };
	char what[160];
	int id, err;

	snprintf(what, sizeof(what), "struct %s%s%s", st, member ? "." : "",
		 member ? member : "");
	id = am_btf_find_struct(btf, st);
	if (id == -ENOTUNIQ) {
		printf("static_assert(0, \"%s: two different definitions in the kernel's BTF\");\n",
		       what);
		return 0;
	}
	err = id < 0 ? id : member ? am_btf_member(btf, id, member, &m) :
		am_btf_type_size(btf, id, &m.size);
	if (err) {
		if (when && !strcmp(when, "?"))
			printf("/* %s: not in this kernel's BTF */\n", what);
		else if (when)
			printf("#ifdef %s\nstatic_assert(0, \"%s: %s is set in the headers, but the kernel's BTF lacks it\");\n#endif\n",
			       when, what, when);
		else
			printf("static_assert(0, \"%s: not in the kernel's BTF\");\n",
			       what);
		return 0;
	}
	if (m.bit_size || m.bit_offset % 8) {
		printf("static_assert(0, \"%s: a bitfield in the kernel's BTF; list whole members\");\n",
		       what);
		return 0;
	}
	if (when && strcmp(when, "?"))
		printf("#ifdef %s\n", when);
	if (member)
		printf("static_assert(offsetof(struct %s, %s) == %u && sizeof_field(struct %s, %s) == %u,\n\t      \"%s: the headers differ from the kernel's BTF (offset %u, size %u)\");\n",
		       st, member, m.bit_offset / 8, st, member, m.size,
		       what, m.bit_offset / 8, m.size);
	else
		printf("static_assert(sizeof(struct %s) == %u,\n\t      \"%s: the headers differ from the kernel's BTF (size %u)\");\n",
		       st, m.size, what, m.size);
	if (when && strcmp(when, "?"))
		printf("#endif\n");
	fprintf(table, "\t{ \"%s\", %s%s%s, %u, %u }, \\\n", st,
		member ? "\"" : "", member ? member : "NULL",
		member ? "\"" : "", m.bit_offset / 8, m.size);
	return 1;
}

static int generate(const char *list_path, const char *path)
{
	struct am_btf btf;
	struct blob b;
	const char *why = NULL;
	char line[256], copy[256], *table_buf = NULL;
	size_t table_len = 0;
	FILE *list, *table;
	int n = 0;

	printf("/* Generated by tools/am-btf from %s\n * and %s: do not edit. */\n",
	       path, list_path);
	if (load(path, &b, &btf, &why)) {
		free(b.file);
		printf("#define AM_BTF_NONE \"%s: %s\"\n", path, why);
		fprintf(stderr, "  NOTE    no BTF in %s (%s): struct layouts not checked\n",
			path, why);
		return 0;
	}
	list = fopen(list_path, "r");
	table = open_memstream(&table_buf, &table_len);
	if (!list || !table)
		die(2, "%s: %s", list_path, strerror(errno));
	printf("#define AM_BTF_DIGEST 0x%016llxULL\n#define AM_BTF_LEN %zu\n\n",
	       (unsigned long long)am_btf_digest(b.file + b.off, b.len), b.len);
	while (fgets(line, sizeof(line), list)) {
		char *w[4] = { NULL }, *tok;
		int nw = 0;

		line[strcspn(line, "\n")] = '\0';
		strcpy(copy, line);
		tok = strtok(line, " \t");

		for (; tok && *tok != '#' && nw < 4; tok = strtok(NULL, " \t"))
			w[nw++] = tok;
		if (!nw)
			continue;
		if (nw > 3 || !is_ident(w[0]) || (w[1] && !is_ident(w[1])) ||
		    (w[2] && strcmp(w[2], "?") && !is_ident(w[2])))
			die(2, "%s: bad line: %s", list_path, copy);
		n += gen_line(&btf, w[0], w[1], w[2], table);
	}
	fclose(list);
	fclose(table);
	/* What was checked, for the comparison with the running kernel. */
	printf("\n#define AM_BTF_NR_LAYOUTS %d\n#define AM_BTF_LAYOUTS \\\n%s\n",
	       n, table_buf ? table_buf : "");
	free(table_buf);
	unload(&b, &btf);
	/* A short header must not pass for a whole one. */
	if (fflush(stdout) || ferror(stdout))
		die(2, "writing the header: %s", strerror(errno));
	return 0;
}

/* Copy FILE to OUT with STRUCT.MEMBER's BTF offset set to @offset bytes. */
static int perturb(char *name, const char *offset, const char *path,
		   const char *out)
{
	struct am_btf btf;
	struct am_btf_member m;
	struct blob b;
	const char *why;
	char *member = split_name(name);
	u8 *rec;
	u32 off, v, base;
	int id;
	FILE *f;

	if (load(path, &b, &btf, &why))
		die(2, "%s: %s", path, why);
	id = member ? am_btf_find_struct(&btf, name) : -EINVAL;
	if (id < 0 || am_btf_member(&btf, id, member, &m))
		die(1, "%s.%s: not found", name, member ? member : "");
	/* The record holds the offset within its (anonymous) parent. */
	rec = (u8 *)btf.types + m.record + 8;
	memcpy(&v, rec, sizeof(v));
	base = m.bit_offset - (m.bit_size ? v & 0xffffff : v);
	off = strtoul(offset, NULL, 0) * 8 - base;
	v = m.bit_size ? (v & 0xff000000) | off : off;
	memcpy(rec, &v, sizeof(v));
	f = fopen(out, "wb");
	if (!f || fwrite(b.file, 1, b.file_len, f) != b.file_len || fclose(f))
		die(2, "%s: %s", out, strerror(errno));
	unload(&b, &btf);
	return 0;
}

int main(int argc, char **argv)
{
	struct am_btf btf;
	struct blob b;
	const char *why;
	int bad;

	if (argc == 4 && !strcmp(argv[1], "-g"))
		return generate(argv[2], argv[3]);
	if (argc == 6 && !strcmp(argv[1], "-x"))
		return perturb(argv[2], argv[3], argv[4], argv[5]);
	if (argc < 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s FILE STRUCT[.MEMBER]...\n"
			"       %s -g LIST FILE\n"
			"       %s -x STRUCT.MEMBER OFFSET FILE OUT\n",
			prog, prog, prog);
		return 2;
	}
	if (load(argv[1], &b, &btf, &why))
		die(2, "%s: %s", argv[1], why);
	bad = query(&btf, argv + 2, argc - 2);
	unload(&b, &btf);
	return bad;
}
