/* listing: LIST/NLST/MLSD output (see listing.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "listfmt.h"
#include "listing.h"
#include "log.h"
#include "sanitize.h"
#include "sysio.h"
#include "vfs.h"
#include "vpath.h"
#include "wildmat.h"

/* Most entries one listing returns. */
#define LISTING_MAX_ENTRIES 1000000

void listing_perm(const struct session *s, const struct stat *st, char *perm)
{
	/* The owner, group or other bits that apply to this process. */
	mode_t m = st->st_mode;
	bool r, w, x;
	if (st->st_uid == s->uid) {
		r = m & S_IRUSR; w = m & S_IWUSR; x = m & S_IXUSR;
	} else if (st->st_gid == s->gid) {
		r = m & S_IRGRP; w = m & S_IWGRP; x = m & S_IXGRP;
	} else {
		r = m & S_IROTH; w = m & S_IWOTH; x = m & S_IXOTH;
	}
	w = w && s->writable;
	/* The account's policy takes away what the gate would refuse. */
	unsigned deny = commands_denied(s);
	bool del = s->writable && !(deny & DENY_DELETE);
	size_t n = 0;
	if (S_ISDIR(m)) {
		if (x) perm[n++] = 'e';
		if (r && x) perm[n++] = 'l';
		if (w && x) { perm[n++] = 'c'; perm[n++] = 'm'; }
		if (w && x && del) perm[n++] = 'p';
	} else {
		if (r) perm[n++] = 'r';
		if (w && !(deny & DENY_OVERWRITE)) { perm[n++] = 'w'; perm[n++] = 'a'; }
	}
	if (del) perm[n++] = 'd';
	if (s->writable && !(deny & DENY_RENAME)) perm[n++] = 'f';
	perm[n] = '\0';
}

/* Splits LIST options ("-la dir") from the path; sets *all for -a. */
static const char *skip_options(const char *arg, bool *all)
{
	*all = false;
	while (arg[0] == '-' && arg[1] != '\0' && arg[1] != ' ') {
		const char *p = arg + 1;
		while (*p && *p != ' ') {
			if (*p == 'a' || *p == 'A')
				*all = true;
			p++;
		}
		while (*p == ' ')
			p++;
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
	char *text;
	size_t len, cap;
	struct name_ref *refs;
	size_t n, nref_cap;
};

/* A listing's scratch memory (its names, their references, the sort's
 * second array and counts) is mapped for the listing and unmapped after
 * it, so none of its pages stays with the session: heap pages touched
 * once would, for as long as the session lasts. */
static void *scratch_resize(void *p, size_t old, size_t size)
{
	void *q = p ? mremap(p, old, size, MREMAP_MAYMOVE)
		    : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED) {
		log_msg(LOG_ERR, "fatal: out of memory (%zu bytes) for a listing", size);
		_exit(70);
	}
	return q;
}

static void scratch_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

#define SCRATCH_PAGE 4096

static void names_add(struct names *ns, const char *nm, size_t len)
{
	if (ns->cap - ns->len < len + 1) {
		size_t cap = ns->cap ? ns->cap : SCRATCH_PAGE;
		while (cap - ns->len < len + 1)
			cap *= 2;
		ns->text = scratch_resize(ns->text, ns->cap, cap);
		ns->cap = cap;
	}
	if (ns->n == ns->nref_cap) {
		size_t cap = ns->nref_cap ? ns->nref_cap * 2 : SCRATCH_PAGE / sizeof *ns->refs;
		ns->refs = scratch_resize(ns->refs, ns->nref_cap * sizeof *ns->refs,
					  cap * sizeof *ns->refs);
		ns->nref_cap = cap;
	}
	uint64_t key = 0;
	for (size_t i = 0; i < 8; i++)
		key = key << 8 | (i < len ? (unsigned char)nm[i] : 0);
	ns->refs[ns->n].key = key;
	ns->refs[ns->n].off = (uint32_t)ns->len;
	ns->refs[ns->n].len = (uint32_t)len;
	ns->n++;
	memcpy(ns->text + ns->len, nm, len + 1);
	ns->len += len + 1;
}

static void names_free(struct names *ns)
{
	scratch_free(ns->refs, ns->nref_cap * sizeof *ns->refs);
	scratch_free(ns->text, ns->cap);
}

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
 * sort's counts (16 KiB) would be most of the memory such a listing
 * touches. */
#define RADIX_MIN_NAMES 1024

/* Sorts the references by name. First by key alone, a byte at a time
 * from the last (radix sort: a few passes over the array, none for a
 * byte that every key shares), then each run of equal keys whose names
 * go on past eight bytes by the rest of the names. */
static void names_sort(struct names *ns)
{
	size_t n = ns->n;
	if (n < 2)
		return;
	size_t tmp_size = n * sizeof(struct name_ref);
	struct name_ref *tmp = scratch_resize(NULL, 0, tmp_size), *src = ns->refs, *dst = tmp;
	if (n < RADIX_MIN_NAMES) {
		merge_sort(ns->refs, tmp, 0, n, ns->text);
		scratch_free(tmp, tmp_size);
		return;
	}
	size_t (*count)[256] = scratch_resize(NULL, 0, 8 * sizeof *count);  /* zeroed */
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 8; b++)
			count[b][(src[i].key >> (8 * b)) & 0xff]++;
	for (unsigned b = 0; b < 8; b++) {
		if (count[b][(src[0].key >> (8 * b)) & 0xff] == n)
			continue;   /* every key has this byte */
		size_t pos = 0;
		for (unsigned v = 0; v < 256; v++) {
			size_t c = count[b][v];
			count[b][v] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[b][(src[i].key >> (8 * b)) & 0xff]++] = src[i];
		struct name_ref *t = src;
		src = dst;
		dst = t;
	}
	scratch_free(count, 8 * sizeof *count);
	if (src != ns->refs)
		memcpy(ns->refs, src, n * sizeof *src);
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && ns->refs[hi].key == ns->refs[lo].key; hi++)
			;
		if (hi - lo > 1 && (ns->refs[lo].key & 0xff) != 0)
			merge_sort(ns->refs, tmp, lo, hi, ns->text);
	}
	scratch_free(tmp, tmp_size);
}

/* The rarer paths of a listing keep their path-sized buffers in frames
 * of their own, so the usual one stays a few hundred bytes deep: every
 * stack page a session process touches is a page of its own. */
#define RARE_PATH __attribute__((noinline, cold))

/* The LIST line of a symlink, with its target. */
static RARE_PATH bool add_link(int dfd, const char *name, const struct stat *st, time_t now,
			       struct sbuf *out)
{
	char target[PATH_MAX];
	const char *link = NULL;
	if (vfs_entry_readlink(dfd, name, target, sizeof target) >= 0)
		link = target;
	return listfmt_ls(out, name, st, link, now);
}

/* For MLSD: replaces *st with what the symlink name in directory dirpath
 * leads to, when that is inside the root. */
static RARE_PATH void follow_link(struct session *s, const char *dirpath, const char *name,
				  struct stat *st)
{
	char vp[FTP_PATH_MAX + 1];
	struct stat tst;
	if (vpath_resolve(dirpath, name, strlen(name), vp, sizeof vp) == VPATH_OK &&
	    vfs_stat(s->root_fd, vp, &tst) == 0)
		*st = tst;
}

/* Appends the NLST line of name (nlen bytes): prefix (plen bytes), the
 * name, CRLF; the whole line or nothing. */
static bool add_name(const char *prefix, size_t plen, const char *name, size_t nlen,
		     struct sbuf *out)
{
	if (!sbuf_fits(out, plen + nlen + 2))
		return false;
	return sbuf_append(out, prefix, plen) && sbuf_append(out, name, nlen) &&
	       sbuf_append(out, "\r\n", 2);
}

/* Appends the LIST or MLSD line for one entry named name in directory
 * dfd. dirpath is the directory's virtual path (for following symlinks
 * in MLSD). */
static bool add_entry(struct session *s, enum listing_kind kind, int dfd, const char *name,
		      const char *dirpath, time_t now, struct sbuf *out)
{
	struct stat st;
	if (vfs_entry_lstat(dfd, name, &st) < 0)
		return true;       /* vanished meanwhile: leave it out */
	if (kind == LISTING_LIST)
		return S_ISLNK(st.st_mode) ? add_link(dfd, name, &st, now, out)
					   : listfmt_ls(out, name, &st, NULL, now);
	/* MLSD describes what a symlink leads to, when that is inside the root. */
	if (S_ISLNK(st.st_mode))
		follow_link(s, dirpath, name, &st);
	char perm[16];
	listing_perm(s, &st, perm);
	return listfmt_mlsx(out, s->mlst_facts, name, &st, NULL, perm);
}

static RARE_PATH void log_unlistable(const struct session *s, const char *dirpath, size_t n)
{
	char clean[FTP_PATH_MAX + 1];
	sanitize_text(dirpath, strlen(dirpath), clean, sizeof clean);
	log_msg(LOG_WARNING, "session %s: %zu names with CR or LF left out of the listing of %s",
		s->peer_str, n, clean);
}

/* Lists the directory dirpath; pattern (may be NULL) filters names. The
 * names are all read and sorted before the first line is made; with a
 * sink, the lines go to it in pieces while the rest are made (the
 * client reads the first while the server looks up the others). */
static bool list_dir(struct session *s, enum listing_kind kind, const char *dirpath,
		     const char *pattern, const char *prefix, bool all, struct sbuf *out,
		     const struct listing_sink *sink)
{
	struct vfs_dir d;
	if (vfs_dir_open(&d, s->root_fd, dirpath) < 0) {
		session_reply_errno(s, 0, dirpath, errno);
		return false;
	}
	struct names ns = { 0 };
	size_t unlistable = 0;
	const char *nm;
	while (ns.n < LISTING_MAX_ENTRIES && ns.len < NAMES_TEXT_MAX &&
	       (nm = vfs_dir_next(&d)) != NULL) {
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 || vfs_is_temp_name(nm))
			continue;
		/* A name with CR or LF (made outside FTP) would end a listing
		 * line early and let the rest pose as another entry: leave it
		 * out, and say so in the log. */
		size_t len = strlen(nm);
		if (vpath_bad_name(nm, len)) {
			unlistable++;
			continue;
		}
		if (nm[0] == '.' && !all && (pattern == NULL || pattern[0] != '.'))
			continue;
		if (pattern && !wildmat_match(pattern, nm))
			continue;
		names_add(&ns, nm, len);
	}
	names_sort(&ns);
	time_t now = time(NULL);
	size_t plen = strlen(prefix);
	bool ok = true, stopped = false;
	for (size_t i = 0; i < ns.n && ok; i++) {
		const struct name_ref *r = &ns.refs[i];
		ok = kind == LISTING_NLST ? add_name(prefix, plen, ns.text + r->off, r->len, out)
					  : add_entry(s, kind, d.fd, ns.text + r->off, dirpath, now, out);
		if (ok && sink && out->len >= LISTING_CHUNK) {
			if (!sink->emit(s, out, sink->ctx)) {
				stopped = true;
				break;
			}
			sbuf_reset(out);
		}
	}
	names_free(&ns);
	vfs_dir_close(&d);
	if (unlistable > 0)
		log_unlistable(s, dirpath, unlistable);
	if (stopped)
		return false;
	if (!ok)
		session_reply(s, FTP_LOCAL_ERROR, "Listing too large.");
	return ok;
}

/* A listing of one file (path, not a directory), as its parent's would show it. */
static RARE_PATH bool list_file(struct session *s, enum listing_kind kind, const char *arg,
				const char *path, struct sbuf *out)
{
	char parent[FTP_PATH_MAX + 1];
	const char *base = vpath_basename(path);
	vpath_dirname(path, parent, sizeof parent);
	int dfd = vfs_open(s->root_fd, parent, O_PATH | O_DIRECTORY, 0);
	if (dfd < 0) {
		session_reply_errno(s, 0, path, errno);
		return false;
	}
	/* NLST shows the name as the client gave it. */
	bool ok = kind == LISTING_NLST ? sbuf_printf(out, "%s\r\n", arg)
				       : add_entry(s, kind, dfd, base, parent, time(NULL), out);
	close(dfd);
	return ok;
}

/* A listing of the names matching the pattern in path's last component. */
static RARE_PATH bool list_pattern(struct session *s, enum listing_kind kind, const char *arg,
				   const char *path, bool all, struct sbuf *out,
				   const struct listing_sink *sink)
{
	char parent[FTP_PATH_MAX + 1];
	vpath_dirname(path, parent, sizeof parent);
	/* NLST names keep the directory part the client gave. */
	char prefix[FTP_PATH_MAX + 1] = "";
	const char *slash = strrchr(arg, '/');
	if (slash != NULL) {
		size_t plen = (size_t)(slash - arg) + 1;
		memcpy(prefix, arg, plen);
		prefix[plen] = '\0';
	}
	return list_dir(s, kind, parent, vpath_basename(path), prefix, all, out, sink);
}

bool listing_build(struct session *s, enum listing_kind kind, const char *arg,
		   struct sbuf *out, char *what, const struct listing_sink *sink)
{
	bool all = kind == LISTING_MLSD;
	if (kind != LISTING_MLSD) {
		bool a;
		arg = skip_options(arg, &a);
		all = a;
	}
	/* The path is resolved straight into what (the caller's buffer). */
	if (!session_path(s, arg, what))
		return false;
	const char *path = what;

	struct stat st;
	int err = vfs_stat(s->root_fd, path, &st) == 0 ? 0 : errno;
	if (err == 0) {
		if (S_ISDIR(st.st_mode))
			return list_dir(s, kind, path, NULL, "", all, out, sink);
		if (kind == LISTING_MLSD) {
			session_reply(s, FTP_BAD_ARGUMENTS, "MLSD needs a directory; use MLST.");
			return false;
		}
		return list_file(s, kind, arg, path, out);
	}
	/* Not a path: a pattern in the last component? */
	if (kind != LISTING_MLSD && err == ENOENT && wildmat_has_magic(vpath_basename(path)))
		return list_pattern(s, kind, arg, path, all, out, sink);
	session_reply_errno(s, 0, path, err);
	return false;
}
