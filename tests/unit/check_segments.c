/* Unit tests for segments: how a file is split into ranges (covering it
 * exactly, nearly equal, never smaller than the minimum), the resume
 * state written and read back, state files that must be refused; and
 * the temporaries (tempname.h): the names of a download's temporaries
 * (long names too), the sweep that clears stale ones (a segmented
 * download's with its state, a locked one never) and adopts the one
 * holding most of the file's start, the lock a download holds, and the
 * clean-up of a mirror's target (sync_clear_orphans). */
#include "config.h"

#include "plan.h"
#include "segments.h"
#include "sync.h"
#include "tempname.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Checks that the ranges cover [0, size) in order without gaps. */
static void assert_cover(const struct segments *s, off_t size)
{
	off_t at = 0;
	ck_assert_int_ge(s->n, 1);
	for (int i = 0; i < s->n; i++) {
		ck_assert_int_eq(s->v[i].start, at);
		ck_assert_int_ge(s->v[i].end, s->v[i].start);
		at = s->v[i].end;
	}
	ck_assert_int_eq(at, size);
}

struct split_case {
	off_t size;
	int want;
	int n;        /* ranges expected */
	off_t first;  /* length of the first */
	off_t last;   /* length of the last */
};

static const struct split_case split_cases[] = {
	{ 0, 4, 1, 0, 0 },
	{ 1000, 4, 1, 1000, 1000 },                        /* below the minimum: one range */
	{ 4 * SEGMENTS_MIN_SIZE, 4, 4, SEGMENTS_MIN_SIZE, SEGMENTS_MIN_SIZE },
	/* 4 MIN - 1 = 3 * 349525 bytes: three equal ranges */
	{ 4 * SEGMENTS_MIN_SIZE - 1, 4, 3, (4 * SEGMENTS_MIN_SIZE - 1) / 3,
	  (4 * SEGMENTS_MIN_SIZE - 1) / 3 },
	{ 4 * SEGMENTS_MIN_SIZE - 2, 4, 3, (4 * SEGMENTS_MIN_SIZE - 2) / 3 + 1,
	  (4 * SEGMENTS_MIN_SIZE - 2) / 3 },
	{ 10 * SEGMENTS_MIN_SIZE + 3, 4, 4, (10 * SEGMENTS_MIN_SIZE + 3) / 4 + 1,
	  (10 * SEGMENTS_MIN_SIZE + 3) / 4 },
	{ 1000 * SEGMENTS_MIN_SIZE, 99, SEGMENTS_MAX, 1000 * SEGMENTS_MIN_SIZE / SEGMENTS_MAX,
	  1000 * SEGMENTS_MIN_SIZE / SEGMENTS_MAX },
	{ 8 * SEGMENTS_MIN_SIZE, 0, 1, 8 * SEGMENTS_MIN_SIZE, 8 * SEGMENTS_MIN_SIZE },
	{ 8 * SEGMENTS_MIN_SIZE, 1, 1, 8 * SEGMENTS_MIN_SIZE, 8 * SEGMENTS_MIN_SIZE },
};

START_TEST(test_split)
{
	const struct split_case *c = &split_cases[_i];
	struct segments s;

	segments_split(&s, c->size, 1234, c->want);
	assert_cover(&s, c->size);
	ck_assert_int_eq(s.n, c->n);
	ck_assert_int_eq(s.v[0].end - s.v[0].start, c->first);
	ck_assert_int_eq(s.v[s.n - 1].end - s.v[s.n - 1].start, c->last);
	ck_assert_int_eq(segments_done(&s), 0);
	ck_assert(segments_complete(&s) == (c->size == 0));
	ck_assert_int_eq(s.mtime, 1234);
}
END_TEST

START_TEST(test_progress)
{
	struct segments s;

	segments_split(&s, 4 * SEGMENTS_MIN_SIZE, 0, 4);
	s.v[0].done = SEGMENTS_MIN_SIZE;
	s.v[2].done = 10;
	ck_assert_int_eq(segments_done(&s), SEGMENTS_MIN_SIZE + 10);
	ck_assert(!segments_complete(&s));
	for (int i = 0; i < s.n; i++)
		s.v[i].done = s.v[i].end - s.v[i].start;
	ck_assert(segments_complete(&s));
	ck_assert_int_eq(segments_done(&s), 4 * SEGMENTS_MIN_SIZE);
}
END_TEST

START_TEST(test_format_parse)
{
	struct segments s, back;
	char text[4096];

	segments_split(&s, 3 * SEGMENTS_MIN_SIZE + 5, 1700000000, 3);
	s.v[1].done = 77;
	ck_assert(segments_format(&s, text, sizeof text));
	ck_assert(segments_parse(text, &back));
	ck_assert_int_eq(back.n, 3);
	ck_assert_int_eq(back.size, s.size);
	ck_assert_int_eq(back.mtime, 1700000000);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(back.v[i].start, s.v[i].start);
		ck_assert_int_eq(back.v[i].end, s.v[i].end);
		ck_assert_int_eq(back.v[i].done, s.v[i].done);
	}
	ck_assert(!segments_format(&s, text, 20));   /* does not fit */
}
END_TEST

static const char *const bad_states[] = {
	"",
	"ferry-segments 2\nsize 10 mtime 0 ranges 1\n0 10 0\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 9 0\n",        /* does not cover */
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 10 11\n",       /* done past the end */
	"ferry-segments 1\nsize 10 mtime 0 ranges 2\n0 5 0\n4 10 0\n", /* overlap */
	"ferry-segments 1\nsize 10 mtime 0 ranges 2\n0 5 0\n",         /* a range missing */
	"ferry-segments 1\nsize 10 mtime 0 ranges 0\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 17\n",
	"ferry-segments 1\nsize -1 mtime 0 ranges 1\n0 0 0\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 10 -1\n",
	"ferry-segments 1\nsize 10 mtime 0 ranges 1\n0 10 0\ntrailing\n",
};

START_TEST(test_parse_refuses)
{
	struct segments s;
	ck_assert(!segments_parse(bad_states[_i], &s));
}
END_TEST

START_TEST(test_save_load)
{
	char dir[] = "/tmp/check_segments-XXXXXX";
	char path[256], tmp[256], state[256];
	struct segments s, back;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert(tempname_segments("/x/y/file.bin", tmp, sizeof tmp, state, sizeof state));
	ck_assert_str_eq(tmp, "/x/y/.file.bin.ferry-segments");
	ck_assert_str_eq(state, "/x/y/.file.bin.ferry-segments.state");
	ck_assert(tempname_segments("plain", tmp, sizeof tmp, state, sizeof state));
	ck_assert_str_eq(tmp, ".plain.ferry-segments");
	ck_assert(!tempname_segments("plain", tmp, 10, state, sizeof state));

	snprintf(path, sizeof path, "%s/state", dir);
	ck_assert(!segments_load(path, &back));
	segments_split(&s, 5 * SEGMENTS_MIN_SIZE, 42, 5);
	s.v[4].done = 9;
	ck_assert_int_eq(segments_save(&s, path), 0);
	ck_assert(segments_load(path, &back));
	ck_assert_int_eq(back.v[4].done, 9);
	ck_assert_int_eq(back.n, 5);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A name of n bytes: n - 4 copies of c (1 or 2 bytes each), ".bin". */
static void long_name(char *out, size_t n, const char *c)
{
	size_t at = 0, cl = strlen(c);
	while (at + cl <= n - 4) {
		memcpy(out + at, c, cl);
		at += cl;
	}
	memcpy(out + at, ".bin", 5);
}

/* A long name's temporaries have a stem of their own: its start (whole
 * UTF-8 characters), "~" and a hash, so every name they get fits in
 * NAME_MAX and two names that differ only at the end differ. */
START_TEST(test_long_names)
{
	char a[NAME_MAX + 1], b[NAME_MAX + 1], sa[TEMPNAME_STEM_MAX + 1], sb[TEMPNAME_STEM_MAX + 1];
	char tmp[PATH_MAX], state[PATH_MAX];

	tempname_stem("short.txt", sa, sizeof sa);
	ck_assert_str_eq(sa, "short.txt");
	long_name(a, TEMPNAME_STEM_MAX, "a");
	tempname_stem(a, sa, sizeof sa);
	ck_assert_str_eq(sa, a);   /* the longest name kept whole */
	long_name(a, NAME_MAX, "a");
	long_name(b, NAME_MAX, "a");
	b[NAME_MAX - 5] = 'b';
	tempname_stem(a, sa, sizeof sa);
	tempname_stem(b, sb, sizeof sb);
	ck_assert_str_ne(sa, sb);
	ck_assert_uint_le(strlen(sa), TEMPNAME_STEM_MAX);
	ck_assert_int_eq(strncmp(sa, a, 100), 0);
	ck_assert(strchr(sa, '~') != NULL && strlen(strchr(sa, '~')) == 17);
	/* Two-byte characters are not cut in half. */
	long_name(a, 250, "\xc3\xbc");
	tempname_stem(a, sa, sizeof sa);
	size_t cut = (size_t)(strchr(sa, '~') - sa);
	ck_assert_uint_eq(cut % 2, 0);
	ck_assert_int_eq(strncmp(sa, a, cut), 0);
	/* Every name fits, and is known as a temporary's. */
	ck_assert(tempname_for(a, tmp, sizeof tmp));
	ck_assert_uint_le(strlen(tmp), NAME_MAX);
	ck_assert(tempname_is(tmp));
	ck_assert(tempname_segments(a, tmp, sizeof tmp, state, sizeof state));
	ck_assert_uint_le(strlen(state) + strlen(".new"), NAME_MAX);
	ck_assert(tempname_is(tmp));
	ck_assert(tempname_is(state));
	ck_assert(!tempname_is(a));
	/* A plain temporary gives its stem back; other names give none. */
	ck_assert(tempname_for(a, tmp, sizeof tmp));
	memcpy(tmp + strlen(tmp) - 6, "q1W2e3", 6);
	ck_assert(tempname_stem_of(tmp, sb, sizeof sb));
	tempname_stem(a, sa, sizeof sa);
	ck_assert_str_eq(sb, sa);
	ck_assert(tempname_stem_of(".short.txt.ferry-AbC123", sb, sizeof sb));
	ck_assert_str_eq(sb, "short.txt");
	ck_assert(!tempname_stem_of(".ferry-AbC123", sb, sizeof sb));
	ck_assert(!tempname_stem_of("short.txt.ferry-AbC123", sb, sizeof sb));
	ck_assert(!tempname_stem_of(".short.txt.ferry-AbC12", sb, sizeof sb));
	ck_assert(!tempname_stem_of(".short.txt.ferry-segments", sb, sizeof sb));
	ck_assert(!tempname_stem_of(state, sb, sizeof sb));
}
END_TEST

/* Writes n bytes of 'x' into dir/name; returns its path in path. */
static void make_file(char *path, size_t pathsz, const char *dir, const char *name, size_t n)
{
	snprintf(path, pathsz, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++)
		fputc('x', f);
	fclose(f);
}

/* True when dir/name exists. */
static bool exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return lstat(path, &sb) == 0;
}

/* Size of dir/name, -1 when it is not there. */
static off_t size_of(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat sb;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return lstat(path, &sb) == 0 ? sb.st_size : -1;
}

/* A segmented download's leftovers of dir/f: its temporary (size bytes)
 * and a state of two ranges of 50 bytes, done0 and done1 of them done. */
static void make_segments(const char *dir, size_t size, off_t done0, off_t done1)
{
	char path[PATH_MAX];
	struct segments s = { .size = 100, .mtime = 7, .n = 2 };
	s.v[0] = (struct segment){ .start = 0, .end = 50, .done = done0 };
	s.v[1] = (struct segment){ .start = 50, .end = 100, .done = done1 };
	make_file(path, sizeof path, dir, ".f.ferry-segments", size);
	snprintf(path, sizeof path, "%s/.f.ferry-segments.state", dir);
	ck_assert_int_eq(segments_save(&s, path), 0);
}

/* The sweep: stale temporaries of every kind go, a locked one and its
 * state stay; with adopt, the one holding most of the file's start
 * becomes the file (a segmented one cut to its ranges complete from the
 * start); temporaries of other names are not touched. */
START_TEST(test_sweep)
{
	char dir[] = "/tmp/check_tempname-XXXXXX";
	char target[PATH_MAX], path[PATH_MAX];
	bool created;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(target, sizeof target, "%s/f", dir);
	make_file(path, sizeof path, dir, ".f.ferry-AAAAAA", 30);
	make_file(path, sizeof path, dir, ".g.ferry-AAAAAA", 30);
	make_segments(dir, 100, 50, 10);
	make_file(path, sizeof path, dir, ".f.ferry-BBBBBB", 90);
	int held = tempname_hold(path, 0600, &created);
	ck_assert_int_ge(held, 0);
	ck_assert(!created);
	/* The segmented one holds 60 bytes of the start: more than 30. */
	ck_assert_int_eq(tempname_sweep(target, true), 60);
	ck_assert_int_eq(size_of(dir, "f"), 60);
	ck_assert(!exists(dir, ".f.ferry-AAAAAA"));
	ck_assert(!exists(dir, ".f.ferry-segments"));
	ck_assert(!exists(dir, ".f.ferry-segments.state"));
	ck_assert(exists(dir, ".f.ferry-BBBBBB"));   /* held: a running download's */
	ck_assert(exists(dir, ".g.ferry-AAAAAA"));
	unlink(target);

	/* A segmented one with its first range unfinished holds less. */
	make_file(path, sizeof path, dir, ".f.ferry-CCCCCC", 30);
	make_segments(dir, 100, 20, 50);
	ck_assert_int_eq(tempname_sweep(target, true), 30);
	ck_assert(!exists(dir, ".f.ferry-segments"));
	ck_assert(!exists(dir, ".f.ferry-segments.state"));
	unlink(target);

	/* A running segmented download's temporary and state stay. */
	make_segments(dir, 100, 50, 10);
	snprintf(path, sizeof path, "%s/.f.ferry-segments", dir);
	int seg = tempname_hold(path, 0600, &created);
	ck_assert_int_ge(seg, 0);
	ck_assert_int_eq(tempname_sweep(target, false), -1);
	ck_assert(exists(dir, ".f.ferry-segments"));
	ck_assert(exists(dir, ".f.ferry-segments.state"));
	close(seg);
	/* Stale now: the plain sweep leaves it, the full one clears it. */
	tempname_sweep_plain(target);
	ck_assert(exists(dir, ".f.ferry-segments"));
	ck_assert(exists(dir, ".f.ferry-segments.state"));
	ck_assert_int_eq(tempname_sweep(target, false), -1);
	ck_assert(!exists(dir, ".f.ferry-segments"));
	ck_assert(!exists(dir, ".f.ferry-segments.state"));
	/* A state without its temporary goes too. */
	make_file(path, sizeof path, dir, ".f.ferry-segments.state.new", 3);
	tempname_sweep(target, false);
	ck_assert(!exists(dir, ".f.ferry-segments.state.new"));

	close(held);
	tempname_sweep(target, false);
	ck_assert(!exists(dir, ".f.ferry-BBBBBB"));
	snprintf(path, sizeof path, "%s/.g.ferry-AAAAAA", dir);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* Sweeps of many targets with one reading of their directory: each
 * clears (or adopts) what tempname_sweep would, of the temporaries there
 * when the directory was read; one that appears later is left until the
 * directory is read again (a sweep in another directory first). */
START_TEST(test_sweep_listed)
{
	char dir[] = "/tmp/check_tempname-XXXXXX";
	char sub[sizeof dir + 4], target[PATH_MAX], path[PATH_MAX];
	struct tempname_dir td = { 0 };
	bool created;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	make_file(path, sizeof path, dir, ".f.ferry-AAAAAA", 30);
	make_segments(dir, 100, 50, 10);
	make_file(path, sizeof path, dir, ".h.ferry-AAAAAA", 5);
	make_file(path, sizeof path, dir, ".g.ferry-BBBBBB", 5);
	int held = tempname_hold(path, 0600, &created);
	ck_assert_int_ge(held, 0);
	make_file(path, sizeof path, sub, ".f.ferry-CCCCCC", 5);

	snprintf(target, sizeof target, "%s/f", dir);
	ck_assert_int_eq(tempname_sweep_listed(&td, target, true), 60);
	ck_assert_int_eq(size_of(dir, "f"), 60);
	ck_assert(!exists(dir, ".f.ferry-AAAAAA"));
	ck_assert(!exists(dir, ".f.ferry-segments"));
	ck_assert(!exists(dir, ".f.ferry-segments.state"));
	snprintf(target, sizeof target, "%s/g", dir);
	ck_assert_int_eq(tempname_sweep_listed(&td, target, false), -1);
	ck_assert(exists(dir, ".g.ferry-BBBBBB"));   /* held: a running download's */
	/* Left by a download killed after the directory was read. */
	make_file(path, sizeof path, dir, ".k.ferry-DDDDDD", 5);
	snprintf(target, sizeof target, "%s/k", dir);
	ck_assert_int_eq(tempname_sweep_listed(&td, target, false), -1);
	ck_assert(exists(dir, ".k.ferry-DDDDDD"));
	snprintf(target, sizeof target, "%s/h", dir);
	tempname_sweep_listed(&td, target, false);
	ck_assert(!exists(dir, ".h.ferry-AAAAAA"));
	ck_assert(exists(dir, ".k.ferry-DDDDDD"));

	/* Another directory is read for its own targets... */
	snprintf(target, sizeof target, "%s/f", sub);
	tempname_sweep_listed(&td, target, false);
	ck_assert(!exists(sub, ".f.ferry-CCCCCC"));
	/* ...and the first one again when a target is there once more. */
	snprintf(target, sizeof target, "%s/k", dir);
	tempname_sweep_listed(&td, target, false);
	ck_assert(!exists(dir, ".k.ferry-DDDDDD"));
	ck_assert(exists(dir, ".g.ferry-BBBBBB"));

	tempname_dir_free(&td);
	ck_assert_ptr_null(td.dir);
	ck_assert_ptr_null(td.names);
	ck_assert_uint_eq(td.n, 0);
	close(held);
	snprintf(path, sizeof path, "%s/.g.ferry-BBBBBB", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/f", dir);
	unlink(path);
	ck_assert_int_eq(rmdir(sub), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* Stems of the many temporaries test_clear_orphans plants. */
#define ORPHANS 300

/* Adds a remote file rel to t. */
static void remote_file(struct plan_tree *t, const char *rel)
{
	plan_tree_add(t, rel, PLAN_FILE, 1, 0, 1, NULL);
}

/* How many names dir holds (without "." and ".."). */
static size_t count_names(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Removes every file of dir, then dir. */
static void remove_dir(const char *dir)
{
	char path[PATH_MAX];
	DIR *d = opendir(dir);
	struct dirent *e;
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(dir), 0);
}

/* A mirror's clean-up of its target: the stale temporaries of files the
 * server no longer has go (in the top and below it); those of files it
 * still has stay (a download resumes from them), also for long names;
 * so do a temporary a running download holds locked, the names of a
 * stem the server lists a file under a temporary's name of, what is no
 * regular file, a segmented download's temporary and state, and every
 * file that is no temporary. Nothing goes when the remote tree is
 * incomplete. Exactly those names remain. */
START_TEST(test_clear_orphans)
{
	char dir[] = "/tmp/check_orphans-XXXXXX";
	char sub[sizeof dir + 4], path[PATH_MAX], name[NAME_MAX + 1], stem[TEMPNAME_STEM_MAX + 1];
	char longname[300], longgone[300], overlong[TEMPNAME_STEM_MAX + 8];
	struct plan_tree remote;
	bool created;
	size_t stay = 0, stay_sub = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof sub, "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	plan_tree_init(&remote);
	stay++;   /* sub */

	/* Orphans (two temporaries each) among temporaries of listed files
	 * and the files themselves. */
	for (int i = 0; i < ORPHANS; i++) {
		snprintf(name, sizeof name, ".o%03d.ferry-AAAAAA", i);
		make_file(path, sizeof path, dir, name, 3);
		snprintf(name, sizeof name, ".o%03d.ferry-b%05d", i, i);
		make_file(path, sizeof path, dir, name, 3);
		snprintf(name, sizeof name, ".k%03d.ferry-AAAAAA", i);
		make_file(path, sizeof path, dir, name, 3);
		snprintf(name, sizeof name, "k%03d", i);
		remote_file(&remote, name);
		if (i % 2 == 0) {
			make_file(path, sizeof path, dir, name, 3);
			stay++;
		}
		stay++;
	}
	/* Files that are no temporaries, one named as an orphan's file. */
	make_file(path, sizeof path, dir, "o000", 3);
	make_file(path, sizeof path, dir, "o001.ferry-AAAAAA", 3);
	make_file(path, sizeof path, dir, ".ferry-AAAAAA", 3);
	stay += 3;
	/* Long names: the temporary of a listed one stays, of another goes. */
	memset(longname, 'l', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	remote_file(&remote, longname);
	tempname_stem(longname, stem, sizeof stem);
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", stem);
	make_file(path, sizeof path, dir, name, 3);
	stay++;
	snprintf(longgone, sizeof longgone, "%s", longname);
	longgone[0] = 'm';
	tempname_stem(longgone, stem, sizeof stem);
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", stem);
	make_file(path, sizeof path, dir, name, 3);
	/* A stem longer than any ferry makes names no download's file: kept. */
	memset(overlong, 'v', sizeof overlong - 1);
	overlong[sizeof overlong - 1] = '\0';
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", overlong);
	make_file(path, sizeof path, dir, name, 3);
	stay++;
	/* A file the server lists under a temporary's name: its stem's
	 * names all stay. */
	remote_file(&remote, ".x.ferry-ZZZZZZ");
	make_file(path, sizeof path, dir, ".x.ferry-ZZZZZZ", 3);
	make_file(path, sizeof path, dir, ".x.ferry-YYYYYY", 3);
	stay += 2;
	/* A remote directory's name does not keep them. */
	plan_tree_add(&remote, "d", PLAN_DIR, -1, 0, 1, NULL);
	make_file(path, sizeof path, dir, ".d.ferry-AAAAAA", 3);
	/* A running download's temporary stays, a stale one of its stem goes. */
	make_file(path, sizeof path, dir, ".l.ferry-AAAAAA", 3);
	int held = tempname_hold(path, 0600, &created);
	ck_assert_int_ge(held, 0);
	make_file(path, sizeof path, dir, ".l.ferry-BBBBBB", 3);
	stay++;
	/* What is no regular file stays. */
	snprintf(path, sizeof path, "%s/.y.ferry-AAAAAA", dir);
	ck_assert_int_eq(symlink("o000", path), 0);
	make_file(path, sizeof path, dir, ".y.ferry-BBBBBB", 3);
	stay++;
	/* A segmented download's temporary and state stay, its stem's plain
	 * temporary goes. */
	make_file(path, sizeof path, dir, ".s.ferry-segments", 3);
	make_file(path, sizeof path, dir, ".s.ferry-segments.state", 3);
	make_file(path, sizeof path, dir, ".s.ferry-AAAAAA", 3);
	stay += 2;
	/* Below the top: listed as sub/k (stays), at the top only (goes). */
	remote_file(&remote, "sub/k");
	remote_file(&remote, "k2");
	make_file(path, sizeof path, sub, ".k.ferry-AAAAAA", 3);
	make_file(path, sizeof path, sub, ".k2.ferry-AAAAAA", 3);
	make_file(path, sizeof path, sub, ".o.ferry-AAAAAA", 3);
	stay_sub++;

	size_t all = count_names(dir), all_sub = count_names(sub);
	plan_tree_set_incomplete(&remote, "elsewhere");
	sync_clear_orphans(dir, &remote);
	ck_assert_uint_eq(count_names(dir), all);
	ck_assert_uint_eq(count_names(sub), all_sub);
	free(remote.incomplete);
	remote.incomplete = NULL;

	sync_clear_orphans(dir, &remote);
	for (int i = 0; i < ORPHANS; i++) {
		snprintf(name, sizeof name, ".k%03d.ferry-AAAAAA", i);
		ck_assert_msg(exists(dir, name), "%s", name);
		snprintf(name, sizeof name, "k%03d", i);
		ck_assert(exists(dir, name) == (i % 2 == 0));
	}
	ck_assert(exists(dir, "sub"));
	ck_assert(exists(dir, "o000"));
	ck_assert(exists(dir, "o001.ferry-AAAAAA"));
	ck_assert(exists(dir, ".ferry-AAAAAA"));
	tempname_stem(longname, stem, sizeof stem);
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", stem);
	ck_assert(exists(dir, name));
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", overlong);
	ck_assert(exists(dir, name));
	ck_assert(exists(dir, ".x.ferry-ZZZZZZ"));
	ck_assert(exists(dir, ".x.ferry-YYYYYY"));
	ck_assert(exists(dir, ".l.ferry-AAAAAA"));
	ck_assert(exists(dir, ".y.ferry-AAAAAA"));
	ck_assert(exists(dir, ".s.ferry-segments"));
	ck_assert(exists(dir, ".s.ferry-segments.state"));
	ck_assert(exists(sub, ".k.ferry-AAAAAA"));
	/* Those and nothing else. */
	ck_assert_uint_eq(count_names(dir), stay);
	ck_assert_uint_eq(count_names(sub), stay_sub);

	close(held);
	plan_tree_free(&remote);
	remove_dir(sub);
	remove_dir(dir);
}
END_TEST

/* A long name cut before a UTF-8 character has a stem shorter than
 * TEMPNAME_STEM_MAX: the temporary of such a file the server lists stays
 * (resumable), one of such a name it does not list goes. */
START_TEST(test_clear_orphans_long_utf8)
{
	char dir[] = "/tmp/check_orphans-XXXXXX";
	char path[PATH_MAX], name[NAME_MAX + 1], stem[TEMPNAME_STEM_MAX + 1];
	char listed[400], gone[400];
	struct plan_tree remote;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* 211 ASCII bytes, then two-byte characters: the cut falls inside one. */
	memset(listed, 'u', 211);
	for (int i = 0; i < 80; i++)
		memcpy(listed + 211 + 2 * i, "\xc3\xa9", 2);
	listed[211 + 160] = '\0';
	snprintf(gone, sizeof gone, "%s", listed);
	gone[0] = 'w';
	plan_tree_init(&remote);
	remote_file(&remote, listed);
	tempname_stem(listed, stem, sizeof stem);
	ck_assert_uint_lt(strlen(stem), TEMPNAME_STEM_MAX);
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", stem);
	make_file(path, sizeof path, dir, name, 3);
	tempname_stem(gone, stem, sizeof stem);
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", stem);
	make_file(path, sizeof path, dir, name, 3);

	sync_clear_orphans(dir, &remote);
	ck_assert(!exists(dir, name));
	tempname_stem(listed, stem, sizeof stem);
	snprintf(name, sizeof name, ".%s.ferry-AAAAAA", stem);
	ck_assert(exists(dir, name));
	ck_assert_uint_eq(count_names(dir), 1);

	plan_tree_free(&remote);
	remove_dir(dir);
}
END_TEST

/* The lock of tempname_hold: made when missing, refused (EBUSY) while
 * another holds it, taken again once that one is closed. */
START_TEST(test_hold)
{
	char dir[] = "/tmp/check_tempname-XXXXXX";
	char path[PATH_MAX];
	bool created;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/.f.ferry-segments", dir);
	int fd = tempname_hold(path, 0600, &created);
	ck_assert_int_ge(fd, 0);
	ck_assert(created);
	errno = 0;
	ck_assert_int_eq(tempname_hold(path, 0600, &created), -1);
	ck_assert_int_eq(errno, EBUSY);
	close(fd);
	fd = tempname_hold(path, 0600, &created);
	ck_assert_int_ge(fd, 0);
	ck_assert(!created);
	close(fd);
	unlink(path);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

#define N(a) ((int)(sizeof a / sizeof a[0]))

static Suite *segments_suite(void)
{
	Suite *s = suite_create("segments");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_split, 0, N(split_cases));
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_format_parse);
	tcase_add_loop_test(tc, test_parse_refuses, 0, N(bad_states));
	tcase_add_test(tc, test_save_load);
	suite_add_tcase(s, tc);
	tc = tcase_create("temporaries");
	tcase_add_test(tc, test_long_names);
	tcase_add_test(tc, test_sweep);
	tcase_add_test(tc, test_sweep_listed);
	tcase_add_test(tc, test_clear_orphans);
	tcase_add_test(tc, test_clear_orphans_long_utf8);
	tcase_add_test(tc, test_hold);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(segments_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
