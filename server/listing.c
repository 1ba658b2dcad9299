/* listing: LIST/NLST/MLSD output (see listing.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "listfmt.h"
#include "listing.h"
#include "log.h"
#include "sanitize.h"
#include "scratch.h"
#include "sysio.h"
#include "vfs.h"
#include "vpath.h"
#include "wildmat.h"

/* Most entries one listing returns. */
#define LISTING_MAX_ENTRIES 1000000

/* The owner, group or other permission bits of st that apply to this
 * process. */
static void class_bits(const struct session *s, const struct stat *st, bool *r, bool *w, bool *x)
{
	mode_t m = st->st_mode;
	if (st->st_uid == s->uid) {
		*r = m & S_IRUSR; *w = m & S_IWUSR; *x = m & S_IXUSR;
	} else if (st->st_gid == s->gid) {
		*r = m & S_IRGRP; *w = m & S_IWGRP; *x = m & S_IXGRP;
	} else {
		*r = m & S_IROTH; *w = m & S_IWOTH; *x = m & S_IXOTH;
	}
}

void listing_perm(const struct session *s, const struct stat *st, const struct stat *dir,
		  char *perm)
{
	mode_t m = st->st_mode;
	bool r, w, x;
	class_bits(s, st, &r, &w, &x);
	w = w && s->writable;
	/* Removing or renaming an entry writes its folder: write and search
	 * permission there, and in a sticky folder owning the entry or the
	 * folder. */
	bool may_unlink = s->writable;
	if (dir != NULL) {
		bool dr, dw, dx;
		class_bits(s, dir, &dr, &dw, &dx);
		may_unlink = may_unlink && dw && dx &&
			     vfs_sticky_allows(dir, st, s->uid);
	}
	/* The account's policy takes away what the gate would refuse. */
	unsigned deny = commands_denied(s);
	bool del = s->writable && !(deny & DENY_DELETE);
	size_t n = 0;
	if (S_ISDIR(m)) {
		if (x) perm[n++] = 'e';
		if (r && x) perm[n++] = 'l';
		if (w && x) { perm[n++] = 'c'; perm[n++] = 'm'; }
		if (w && x && del) perm[n++] = 'p';
	} else if (!vfs_is_special(m)) {
		/* RETR, STOR and APPE refuse a socket, FIFO or device node;
		 * RETR a link shown as itself (it leads to no file inside the
		 * root), while STOR replaces it and APPE may create its target. */
		if (r && !S_ISLNK(m)) perm[n++] = 'r';
		if (w && !(deny & DENY_OVERWRITE)) { perm[n++] = 'w'; perm[n++] = 'a'; }
	}
	if (del && may_unlink) perm[n++] = 'd';
	if (may_unlink && !(deny & DENY_RENAME)) perm[n++] = 'f';
	perm[n] = '\0';
}

/* Splits LIST options ("-la dir") from the path; sets *all for -a (or
 * -A), *self for -d. Other letters (-l, -t, ...) change nothing. */
static const char *skip_options(const char *arg, bool *all, bool *self)
{
	*all = false;
	*self = false;
	while (arg[0] == '-' && arg[1] != '\0' && arg[1] != ' ') {
		size_t n = strcspn(arg, " ");
		/* A word with a slash is a path ("-d/inner.txt"). */
		if (memchr(arg, '/', n) != NULL)
			break;
		const char *p = arg + n;
		while (*p == ' ')
			p++;
		/* "--" ends the options, as for ls: the path follows. */
		if (n == 2 && arg[1] == '-')
			return p;
		for (size_t i = 1; i < n; i++) {
			if (arg[i] == 'a' || arg[i] == 'A')
				*all = true;
			else if (arg[i] == 'd')
				*self = true;
		}
		arg = p;
	}
	return arg;
}

/* The names of one listing: their bytes one after another in text, each
 * NUL-terminated (one allocation, not one per name), and per name a
 * reference that sorts by the first eight bytes as one number. */
struct name_ref {
	uint64_t key;   /* the name's first 8 bytes, big-endian, NULs after its end */
	uint32_t off;   /* where the name starts in text */
	uint32_t len;   /* the name's length, without its NUL */
};
/* text stays indexable by 32 bits: no name is taken once text holds
 * this much, and a name (from getdents64, whose records are at most
 * 65535 bytes long) always fits below UINT32_MAX after it. A million
 * names of NAME_MAX bytes take a sixteenth of it. */
#define NAMES_TEXT_MAX (UINT32_MAX - 65536)
struct names {
	size_t len;             /* bytes of names kept, NULs included */
	size_t n;               /* names kept */
	struct name_ref *refs;  /* n of them, once read_names has finished */
};

/* A listing's scratch space (scratch.h) holds the names (text, from its
 * start), then their references, the sort's second array and counts,
 * then the piece of lines being made. The directory is read straight
 * into it: each getdents64 fills the space after the names kept so far,
 * and the names are moved down over the records they came in, so the
 * records need no buffer of their own and one read takes DIR_READ bytes
 * of them (a handful of system calls for 10,000 names, not 150). */
#define DIR_READ (64u << 10)
/* The space a listing asks for at first, per byte of the directory's own
 * size (st_size: on ext4 its blocks, about 27 bytes a name; on tmpfs 20
 * a name): its names, their references and sort, with room to spare. */
#define SCRATCH_PER_DIR_BYTE 4

/* strcmp's order (bytes as unsigned char) of two names. Equal keys with a
 * NUL among the first 8 bytes are the same name; otherwise the rest of
 * both names decides. */
static inline int ref_cmp(const struct name_ref *a, const struct name_ref *b, const char *text)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if ((a->key & 0xff) == 0)
		return 0;
	return strcmp(text + a->off + 8, text + b->off + 8);
}

/* Sorts refs[lo..hi) by name: insertion sort of short runs, then
 * bottom-up merges through tmp (n log n at worst, whatever the names). */
static void merge_sort(struct name_ref *refs, struct name_ref *tmp, size_t lo, size_t hi,
		       const char *text)
{
	enum { RUN = 16 };
	struct name_ref *a = refs + lo;
	size_t n = hi - lo;
	for (size_t r = 0; r < n; r += RUN) {
		size_t end = n - r < RUN ? n : r + RUN;
		for (size_t i = r + 1; i < end; i++) {
			struct name_ref x = a[i];
			size_t j = i;
			while (j > r && ref_cmp(&x, &a[j - 1], text) < 0) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = x;
		}
	}
	struct name_ref *src = a, *dst = tmp;
	for (size_t w = RUN; w < n; w *= 2) {
		for (size_t l = 0; l < n; l += 2 * w) {
			size_t mid = n - l < w ? n : l + w;
			size_t h = n - l < 2 * w ? n : l + 2 * w;
			size_t i = l, j = mid, k = l;
			while (i < mid && j < h)
				dst[k++] = ref_cmp(&src[j], &src[i], text) < 0 ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < h)
				dst[k++] = src[j++];
		}
		struct name_ref *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

/* Fewer names than this are merge-sorted straight away: the radix
 * sort's counts (8 KiB) would be most of the memory such a listing
 * touches. */
#define RADIX_MIN_NAMES 1024

/* Sorts the references by name, with tmp (as many) and count (8 x 256,
 * any contents) as room. First by key alone, a byte at a time from the
 * last (radix sort: a few passes over the array, none for a byte that
 * every key shares), then each run of equal keys whose names go on past
 * eight bytes by the rest of the names. */
static void names_sort(struct name_ref *refs, size_t n, struct name_ref *tmp,
		       uint32_t (*count)[256], const char *text)
{
	if (n < 2)
		return;
	if (n < RADIX_MIN_NAMES) {
		merge_sort(refs, tmp, 0, n, text);
		return;
	}
	struct name_ref *src = refs, *dst = tmp;
	memset(count, 0, 8 * sizeof *count);
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 8; b++)
			count[b][(src[i].key >> (8 * b)) & 0xff]++;
	for (unsigned b = 0; b < 8; b++) {
		if (count[b][(src[0].key >> (8 * b)) & 0xff] == n)
			continue;   /* every key has this byte */
		uint32_t pos = 0;
		for (unsigned v = 0; v < 256; v++) {
			uint32_t c = count[b][v];
			count[b][v] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[b][(src[i].key >> (8 * b)) & 0xff]++] = src[i];
		struct name_ref *t = src;
		src = dst;
		dst = t;
	}
	if (src != refs)
		memcpy(refs, src, n * sizeof *src);
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && refs[hi].key == refs[lo].key; hi++)
			;
		if (hi - lo > 1 && (refs[lo].key & 0xff) != 0)
			merge_sort(refs, tmp, lo, hi, text);
	}
}

/* Makes the references of the names read (after text in the scratch
 * space) and sorts them; after them it leaves room for the lines of a
 * listing that goes out in pieces (LISTING_WINDOW bytes at *window). */
#define LISTING_WINDOW (2 * LISTING_CHUNK)
static void names_index(struct scratch *sc, struct names *ns, size_t *window)
{
	size_t n = ns->n;
	size_t at = (ns->len + 15) & ~(size_t)15;
	size_t refs_size = n * sizeof(struct name_ref);
	size_t counts_size = 8 * 256 * sizeof(uint32_t);
	*window = at + 2 * refs_size + counts_size;
	scratch_room(sc, *window + LISTING_WINDOW);
	const char *text = sc->base;
	struct name_ref *refs = (struct name_ref *)(void *)(sc->base + at);
	struct name_ref *tmp = refs + n;
	uint32_t (*count)[256] = (uint32_t (*)[256])(void *)(tmp + n);
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		const char *nm = text + off;
		size_t len = strlen(nm);
		uint64_t key = 0;
		for (size_t k = 0; k < 8; k++)
			key = key << 8 | (k < len ? (unsigned char)nm[k] : 0);
		refs[i].key = key;
		refs[i].off = (uint32_t)off;
		refs[i].len = (uint32_t)len;
		off += len + 1;
	}
	names_sort(refs, n, tmp, count, text);
	ns->refs = refs;
}

/* The rarer paths of a listing keep their path-sized buffers in frames
 * of their own, so the usual one stays a few hundred bytes deep: every
 * stack page a session process touches is a page of its own. */
#define RARE_PATH __attribute__((noinline, cold))

/* The LIST line of the symlink name, shown as shown, with its target; a
 * target with CR or LF, which would end the line there and forge the
 * next, is not shown. */
static RARE_PATH bool add_link(int dfd, const char *name, const char *shown,
			       const struct stat *st, time_t now, struct sbuf *out)
{
	char target[PATH_MAX];
	const char *link = NULL;
	if (vfs_entry_readlink(dfd, name, target, sizeof target) >= 0 &&
	    strpbrk(target, "\r\n") == NULL)
		link = target;
	return listfmt_ls(out, shown, st, link, now);
}

/* Appends the MLSx line of entry st shown as shown, in folder dir
 * (NULL: unknown; listing_perm), with the type fact type (NULL: the one
 * st's mode gives). */
static bool add_mlsx(struct session *s, const char *shown, const struct stat *st,
		     const struct stat *dir, const char *type, struct sbuf *out)
{
	char perm[16];
	listing_perm(s, st, dir, perm);
	return listfmt_mlsx(out, s->mlst_facts, shown, st, type, perm);
}

/* Whether a walk may enter the directory dst through a link in the
 * directory dirpath: no link leads to dirpath, and dst is neither dirpath
 * nor a directory above it (each one a prefix of dirpath, as no link is
 * among them). A walk entering links only so never comes back to a
 * directory it is in: past a link it enters no other, and the directory
 * the link leads to holds none of those above it. */
static RARE_PATH bool link_enterable(const struct session *s, const char *dirpath,
				     const struct stat *dst)
{
	char at[FTP_PATH_MAX + 1], up[FTP_PATH_MAX + 1];
	if (strlen(dirpath) >= sizeof at)
		return false;
	strcpy(at, dirpath);
	for (;;) {
		struct stat st;
		if (vfs_lstat(s->root_fd, at, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    (st.st_dev == dst->st_dev && st.st_ino == dst->st_ino))
			return false;
		vpath_dirname(at, up, sizeof up);
		if (strcmp(up, at) == 0)
			return true;
		strcpy(at, up);
	}
}

/* Whether the symlink name in the directory dirpath leads to an entry
 * inside the root; if so, its attributes in *st. */
static RARE_PATH bool link_target_stat(const struct session *s, const char *dirpath,
				       const char *name, struct stat *st)
{
	char vp[FTP_PATH_MAX + 1];
	return vpath_resolve(dirpath, name, strlen(name), vp, sizeof vp) == VPATH_OK &&
	       vfs_stat(s->root_fd, vp, st) == 0;
}

/* The MLSx line of the symlink name in directory dfd (virtual path
 * dirpath), shown as shown (the name in MLSD, the whole path in MLST). A
 * link leading to a file inside the root shows that file; one leading to
 * a directory inside the root shows that directory's facts
 * (its unique fact among them) under the type OS.unix=slink:TARGET
 * (RFC 3659 7.7.4), so a client walking the tree does not go round a loop
 * such as "loop -> ." through it; TARGET is the link's text, left empty
 * when it holds CR, LF or ';'. A link leading nowhere inside the root
 * shows only itself (OS.unix=symlink), never what lies outside.
 *
 * A session that may delete nothing (read-only, or every account kept
 * from deleting) gets only files and directories instead, as clients
 * that take every other type for a file (rclone's) need: a link to a
 * directory a walk may enter (link_enterable) shows it as type=dir (no
 * removal can go through it), and in MLSD (listing) every other link
 * that leads to no file is left out; it could neither fetch nor remove
 * it. */
static RARE_PATH bool add_mlsx_link(struct session *s, int dfd, const char *dirpath,
				    const struct stat *dir, const char *name, const char *shown,
				    struct stat *st, bool listing, struct sbuf *out)
{
	static const char slink[] = "OS.unix=slink:";
	char type[sizeof slink + PATH_MAX];
	const char *tp = NULL;
	struct stat tst;
	bool walk = !s->writable || (commands_denied(s) & DENY_DELETE);
	bool plain = false;     /* shown as a file or directory */
	if (link_target_stat(s, dirpath, name, &tst)) {
		*st = tst;
		plain = S_ISREG(tst.st_mode);
		if (S_ISDIR(tst.st_mode)) {
			plain = walk && link_enterable(s, dirpath, &tst);
			if (!plain) {
				memcpy(type, slink, sizeof slink);
				ssize_t n = vfs_entry_readlink(dfd, name, type + sizeof slink - 1,
							       sizeof type - sizeof slink + 1);
				if (n < 0 || strpbrk(type + sizeof slink - 1, "\r\n;") != NULL)
					type[sizeof slink - 1] = '\0';
				tp = type;
			}
		}
	}
	if (walk && listing && !plain)
		return true;
	return add_mlsx(s, shown, st, dir, tp, out);
}

/* Appends the NLST line of name (nlen bytes): prefix (plen bytes), the
 * name, CRLF; the whole line or nothing. */
static bool add_name(const char *prefix, size_t plen, const char *name, size_t nlen,
		     struct sbuf *out)
{
	char *p = sbuf_extend(out, plen + nlen + 2);
	if (p == NULL)
		return false;
	memcpy(p, prefix, plen);
	memcpy(p + plen, name, nlen);
	p[plen + nlen] = '\r';
	p[plen + nlen + 1] = '\n';
	return true;
}

/* Appends the LIST or MLSD line for one entry named name in directory
 * dfd, shown as shown. dirpath is the directory's virtual path (for
 * following symlinks in MLSD), dir its attributes (NULL when unknown). */
static bool add_entry(struct session *s, enum listing_kind kind, int dfd, const char *name,
		      const char *shown, const char *dirpath, const struct stat *dir, time_t now,
		      struct sbuf *out)
{
	struct stat st;
	if (vfs_entry_lstat(dfd, name, &st) < 0)
		return true;       /* vanished meanwhile: leave it out */
	if (kind == LISTING_LIST)
		return S_ISLNK(st.st_mode) ? add_link(dfd, name, shown, &st, now, out)
					   : listfmt_ls(out, shown, &st, NULL, now);
	if (S_ISLNK(st.st_mode))
		return add_mlsx_link(s, dfd, dirpath, dir, name, shown, &st, true, out);
	return add_mlsx(s, shown, &st, dir, NULL, out);
}

/* Which names of a directory a listing keeps. */
struct name_filter {
	const char *pattern;    /* those matching it (NULL: every name) */
	bool all;               /* names starting with a dot too */
	bool dirs;              /* directories only, symlinks leading to one
				 * inside the root among them */
};

/* Whether the entry name of the directory dfd (virtual path dirpath) is a
 * directory or a symlink leading to one inside the root. */
static bool entry_is_dir(const struct session *s, int dfd, const char *dirpath,
			 const char *name)
{
	struct stat st;
	if (vfs_entry_lstat(dfd, name, &st) < 0)
		return false;
	if (S_ISLNK(st.st_mode))
		return link_target_stat(s, dirpath, name, &st) && S_ISDIR(st.st_mode);
	return S_ISDIR(st.st_mode);
}

static RARE_PATH void log_unlistable(const struct session *s, const char *dirpath, size_t n)
{
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(dirpath, strlen(dirpath), clean, sizeof clean);
	log_msg(LOG_WARNING, "session %s: %zu names with CR or LF left out of the listing of %s",
		s->peer_str, n, clean);
}

/* Reads the names of the directory d (virtual path dirpath) to list into
 * the scratch space (text from its start): every name but ".", "..",
 * upload temporaries, names with CR or LF (counted in *unlistable), dot
 * names unless all or the pattern asks for them, names the pattern (if
 * any) leaves out, and with dirs those of entries that are no directory. */
static void read_names(const struct session *s, struct vfs_dir *d, const char *dirpath,
		       struct scratch *sc, const struct name_filter *f, struct names *ns,
		       size_t *unlistable)
{
	const char *pattern = f->pattern;
	for (;;) {
		/* The records go after the names kept, 8-byte aligned. */
		size_t at = (ns->len + 7) & ~(size_t)7;
		scratch_room(sc, at + DIR_READ);
		char *text = sc->base;
		ssize_t got = vfs_dir_read(d, text + at, DIR_READ);
		if (got <= 0)
			return;
		size_t pos = 0, len;
		const char *nm;
		while ((nm = vfs_dir_record(text + at, (size_t)got, &pos, &len)) != NULL) {
			if (ns->n >= LISTING_MAX_ENTRIES || ns->len >= NAMES_TEXT_MAX)
				return;
			if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0') ||
					     vfs_is_temp_name(nm)))
				continue;
			/* A name with CR or LF (made outside FTP) would end a
			 * listing line early and let the rest pose as another
			 * entry: leave it out, and say so in the log. */
			if (vpath_bad_name(nm, len)) {
				(*unlistable)++;
				continue;
			}
			if (nm[0] == '.' && !f->all && (pattern == NULL || pattern[0] != '.'))
				continue;
			if (pattern && !wildmat_match(pattern, nm))
				continue;
			if (f->dirs && !entry_is_dir(s, d->fd, dirpath, nm))
				continue;
			/* Down over the records already passed (the name's own
			 * record starts at or after text + ns->len). */
			memmove(text + ns->len, nm, len);
			text[ns->len + len] = '\0';
			ns->len += len + 1;
			ns->n++;
		}
	}
}

/* Lists the names of the directory dirpath that f keeps. The
 * names are all read and sorted before the first line is made; with a
 * sink, the transfer begins once the directory is open (the client reads
 * the 150 while the server reads the names), and the lines go to it in
 * pieces while the rest are made (the client reads the first while the
 * server looks up the others). */
static bool list_dir(struct session *s, enum listing_kind kind, const char *dirpath,
		     const struct name_filter *f, const char *prefix, struct sbuf *out,
		     const struct listing_sink *sink)
{
	struct vfs_dir d;
	if (vfs_dir_open(&d, s->root_fd, dirpath) < 0) {
		session_reply_errno(s, 0, dirpath, errno);
		return false;
	}
	struct stat dst;
	/* LIST and MLSD show each entry's attributes, which takes search
	 * permission on the directory; its names take only read permission.
	 * Looking up "." in it needs search permission too. */
	if (kind != LISTING_NLST && vfs_entry_lstat(d.fd, ".", &dst) < 0 && errno == EACCES) {
		vfs_dir_close(&d);
		char clean[FTP_PATH_MAX + 1];
		sanitize_text(dirpath, strlen(dirpath), clean, sizeof clean);
		session_reply(s, FTP_FILE_UNAVAILABLE,
			      "%s: Permission denied (the directory can be read but not searched; "
			      "NLST lists its names).", clean);
		return false;
	}
	if (sink && !sink->begin(s, sink->ctx)) {
		vfs_dir_close(&d);
		return false;
	}
	size_t hint = 0;
	const struct stat *dir = NULL;
	if (fstat(d.fd, &dst) == 0)
		dir = &dst;
	if (dir != NULL && dst.st_size > 0)
		hint = dst.st_size > (off_t)(SIZE_MAX / SCRATCH_PER_DIR_BYTE)
			       ? SIZE_MAX
			       : (size_t)dst.st_size * SCRATCH_PER_DIR_BYTE;
	struct scratch sc;
	scratch_open(&sc, hint);
	struct names ns = { 0 };
	size_t unlistable = 0;
	read_names(s, &d, dirpath, &sc, f, &ns, &unlistable);
	size_t window;
	names_index(&sc, &ns, &window);
	const char *text = sc.base;
	/* A listing in pieces makes them in the scratch space too: a line
	 * is far shorter than the window's second half. */
	struct sbuf piece, *lines = out;
	if (sink) {
		sbuf_init_over(&piece, sc.base + window, LISTING_WINDOW);
		lines = &piece;
	}
	time_t now = time(NULL);
	size_t plen = strlen(prefix);
	bool ok = true, stopped = false;
	for (size_t i = 0; i < ns.n && ok; i++) {
		const struct name_ref *r = &ns.refs[i];
		ok = kind == LISTING_NLST ? add_name(prefix, plen, text + r->off, r->len, lines)
					  : add_entry(s, kind, d.fd, text + r->off, text + r->off,
						      dirpath, dir, now, lines);
		if (ok && sink && (lines->len >= LISTING_CHUNK || (i + 1 == ns.n && lines->len > 0))) {
			if (!sink->emit(s, lines, sink->ctx)) {
				stopped = true;
				break;
			}
			sbuf_reset(lines);
		}
	}
	scratch_close(&sc);
	vfs_dir_close(&d);
	if (unlistable > 0)
		log_unlistable(s, dirpath, unlistable);
	if (stopped)
		return false;
	if (!ok)
		session_reply(s, FTP_LOCAL_ERROR, "Listing too large.");
	return ok;
}

/* A listing of one entry (path): a file as its parent's would show it, or
 * (with shown) the entry itself named shown, as ls -d does, a directory
 * and a symlink too. NLST shows the name as the client gave it (arg). */
static RARE_PATH bool list_file(struct session *s, enum listing_kind kind, const char *arg,
				const char *path, const char *shown, struct sbuf *out)
{
	char parent[FTP_PATH_MAX + 1];
	/* The root is "." in itself (its own parent). */
	const char *base = strcmp(path, "/") == 0 ? "." : vpath_basename(path);
	vpath_dirname(path, parent, sizeof parent);
	int dfd = vfs_open(s->root_fd, parent, O_PATH | O_DIRECTORY, 0);
	if (dfd < 0) {
		session_reply_errno(s, 0, path, errno);
		return false;
	}
	struct stat dst;
	bool known = fstat(dfd, &dst) == 0;
	/* NLST shows the name as the client gave it. */
	bool ok = kind == LISTING_NLST ? sbuf_printf(out, "%s\r\n", arg)
				       : add_entry(s, kind, dfd, base, shown ? shown : base, parent,
						   known ? &dst : NULL, time(NULL), out);
	close(dfd);
	return ok;
}

/* A listing of the names matching the pattern in path's last component;
 * a pattern the client ended in slashes or "/." (folder) matches only
 * directories, as a shell's does. */
static RARE_PATH bool list_pattern(struct session *s, enum listing_kind kind, const char *arg,
				   const char *path, bool folder, bool all, struct sbuf *out,
				   const struct listing_sink *sink)
{
	char parent[FTP_PATH_MAX + 1];
	vpath_dirname(path, parent, sizeof parent);
	/* NLST names keep the directory part the client gave.
	 * The slashes and "/." a pattern ends in are not part of it, as the
	 * path (normalised) has none either. */
	char prefix[FTP_PATH_MAX + 1] = "";
	const char *slash = memrchr(arg, '/', vpath_folder_len(arg));
	if (slash != NULL) {
		size_t plen = (size_t)(slash - arg) + 1;
		memcpy(prefix, arg, plen);
		prefix[plen] = '\0';
	}
	struct name_filter f = { vpath_basename(path), all, folder };
	return list_dir(s, kind, parent, &f, prefix, out, sink);
}

bool listing_build(struct session *s, enum listing_kind kind, const char *arg,
		   struct sbuf *out, char *what, const struct listing_sink *sink)
{
	bool all = kind == LISTING_MLSD, self = false;
	if (kind != LISTING_MLSD) {
		bool a;
		arg = skip_options(arg, &a, &self);
		all = a;
	}
	/* The path is resolved straight into what (the caller's buffer). */
	if (!session_path(s, arg, what))
		return false;
	const char *path = what;

	/* A path ending in a slash names a folder, as in a shell: a file so
	 * named, or a link to one, is not a directory. */
	bool folder = vpath_names_folder(arg);
	struct stat st;
	int err = vfs_stat(s->root_fd, path, &st) == 0 ? 0 : errno;
	if (err == 0 && folder && !S_ISDIR(st.st_mode))
		err = ENOTDIR;
	if (err == 0) {
		if (S_ISDIR(st.st_mode) && !self) {
			struct name_filter f = { NULL, all, false };
			return list_dir(s, kind, path, &f, "", out, sink);
		}
		if (kind == LISTING_MLSD) {
			session_reply(s, FTP_BAD_ARGUMENTS, "MLSD needs a directory; use MLST.");
			return false;
		}
		/* -d: the entry itself, named as given ("." for none); a
		 * path ending in a slash names the folder a link leads to,
		 * as in a shell. */
		if (self && *arg == '\0')
			arg = ".";
		if (self && kind == LISTING_LIST && S_ISDIR(st.st_mode) && folder)
			return listfmt_ls(out, arg, &st, NULL, time(NULL));
		return list_file(s, kind, arg, path, self ? arg : NULL, out);
	}
	/* A symlink that leads nowhere inside the root (its target missing,
	 * or outside, where the confined walk never goes): the link itself,
	 * as ls -l shows it. */
	if (kind != LISTING_MLSD && !folder && vfs_lstat(s->root_fd, path, &st) == 0 &&
	    S_ISLNK(st.st_mode))
		return list_file(s, kind, arg, path, self ? arg : NULL, out);
	/* Not a path: a pattern in the last component? */
	if (kind != LISTING_MLSD && err == ENOENT && wildmat_has_magic(vpath_basename(path)))
		return list_pattern(s, kind, arg, path, folder, all, out, sink);
	session_reply_folder_errno(s, path, folder, err);
	return false;
}

bool listing_mlst(struct session *s, const char *path, bool folder, struct sbuf *out)
{
	const char *base;
	int dfd = vfs_open_parent(s->root_fd, path, &base);
	struct stat st, dst;
	if (dfd < 0) {
		/* The root: no folder holds it, no link can be it. */
		if (errno != EINVAL || vfs_stat(s->root_fd, path, &st) < 0)
			return false;
		return add_mlsx(s, path, &st, &st, NULL, out);
	}
	bool ok = vfs_entry_lstat(dfd, base, &st) == 0;
	/* A path ending in a slash names a folder: the one a link leads
	 * to, whose own folder is not known here. */
	bool followed = ok && folder && S_ISLNK(st.st_mode);
	if (followed)
		ok = vfs_stat(s->root_fd, path, &st) == 0;
	if (ok && folder && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		ok = false;
	}
	if (ok) {
		/* The folder as reached (through links before it): the one
		 * the entry is in. */
		char parent[FTP_PATH_MAX + 1];
		vpath_dirname(path, parent, sizeof parent);
		const struct stat *dir = !followed && fstat(dfd, &dst) == 0 ? &dst : NULL;
		if (S_ISLNK(st.st_mode)) {
			ok = add_mlsx_link(s, dfd, parent, dir, base, path, &st, false, out);
		} else {
			ok = add_mlsx(s, path, &st, dir, NULL, out);
		}
		if (!ok)
			errno = ENAMETOOLONG;
	}
	int saved = errno;
	sysio_close(&dfd);
	errno = saved;
	return ok;
}
